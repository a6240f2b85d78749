from django.urls import path

from hbmm.presentation.table_views import table_page
from hbmm.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("report/", views.report, name="report"),
    path("reporting/", table_page, {"key": "reports.reporting"}, name="reporting"),
    path("drilldown/<str:key>/", table_page, name="drilldown"),  # every registered table
    path("boundaries/adm<int:level>.geojson", views.boundaries, name="boundaries"),
]
