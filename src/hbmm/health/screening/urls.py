from django.urls import path

from hbmm.health.screening import views

urlpatterns = [
    path("", views.dashboard, name="screening_dashboard"),
    path("records/", views.screening_list, name="screening_list"),
    path("new/", views.screening_new, name="screening_new"),
    path("follow-up/", views.followup_worklist, name="followup_worklist"),
    path("definitions/", views.case_definitions, name="case_definitions"),
    path("<int:pk>/", views.screening_detail, name="screening_detail"),
    path("<int:pk>/<slug:action>/", views.screening_action, name="screening_action"),
]
