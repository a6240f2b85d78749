from django.urls import path

from hbmm.health.labs import views

urlpatterns = [
    path("", views.dashboard, name="labs_dashboard"),
    path("registry/", views.registry, name="lab_registry"),
    path("registry/new/", views.laboratory_new, name="lab_new"),
    path("registry/<int:pk>/", views.laboratory_edit, name="lab_edit"),
    path("samples/", views.sample_list, name="sample_list"),
    path("samples/new/", views.sample_new, name="sample_new"),
    path("samples/<int:pk>/", views.sample_detail, name="sample_detail"),
    path("samples/<int:pk>/<slug:action>/", views.sample_action, name="sample_action"),
]
