from django.urls import path

from hbmm.intake import views

app_name = "intake"
urlpatterns = [
    path("", views.submission_list, name="submissions"),
    path("quarantine/", views.quarantine, name="quarantine"),
    path("submissions/<int:pk>/", views.submission_detail, name="submission"),
    path("submissions/<int:pk>/reprocess/", views.submission_reprocess, name="reprocess"),
    path("imports/", views.import_list, name="imports"),
    path("imports/template/<str:kind>.<str:fmt>", views.import_template, name="import-template"),
    path("imports/example/<str:kind>.<str:fmt>", views.import_example, name="import-example"),
    path("imports/<int:pk>/", views.import_detail, name="import"),
    path("imports/<int:pk>/progress.json", views.import_progress, name="import-progress"),
    path("imports/<int:pk>/rerun/", views.import_rerun, name="import-rerun"),
    path("imports/<int:pk>/report.csv", views.import_report_csv, name="import-report"),
    path("imports/<int:pk>/original/", views.import_original, name="import-original"),
]
