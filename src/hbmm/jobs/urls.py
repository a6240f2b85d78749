from django.urls import path

from hbmm.jobs import views

app_name = "jobs"
urlpatterns = [
    path("", views.job_list, name="list"),
    path("<int:pk>/", views.job_detail, name="detail"),
    path("<int:pk>/status.json", views.job_status, name="status"),
    path("<int:pk>/file/", views.job_file, name="file"),
    path("<int:pk>/rerun/", views.job_rerun, name="rerun"),
]
