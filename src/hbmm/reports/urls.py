from django.urls import path

from hbmm.presentation.table_views import table_page
from hbmm.reports import views
from hbmm.reports.archive import views as archive_views

app_name = "reports"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("report/", views.report, name="report"),
    path("reporting/", table_page, {"key": "reports.reporting"}, name="reporting"),
    path("drilldown/<str:key>/", table_page, name="drilldown"),  # every registered table
    path("published/", archive_views.published_list, name="published_list"),
    path("published/new/", archive_views.publish, name="publish"),
    path("published/<int:pk>/", archive_views.published_detail, name="published_detail"),
    path("published/<int:pk>/<str:lang>.pdf", archive_views.published_pdf, name="published_pdf"),
    path("boundaries/adm<int:level>.geojson", views.boundaries, name="boundaries"),
]
