from django.urls import path

from hbmm.protection import views

app_name = "protection"

urlpatterns = [
    path("", views.index, name="index"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/new/", views.case_new, name="case_new"),
    path("cases/<str:case_key>/", views.case_detail, name="case_detail"),
    path("cases/<str:case_key>/edit/", views.case_edit, name="case_edit"),
    path("cases/<str:case_key>/glass/", views.case_glass, name="case_glass"),
    path("cases/<str:case_key>/<slug:action>/", views.case_action, name="case_action"),
    path("sites/", views.sites, name="sites"),
    path("referrals/<int:pk>/", views.referral_detail, name="referral_detail"),
    path("referrals/<int:pk>/<slug:action>/", views.referral_action, name="referral_action"),
]
