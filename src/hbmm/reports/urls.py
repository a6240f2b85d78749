from django.urls import path

from hbmm.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("report/", views.report, name="report"),
    path("drilldown/<str:key>/", views.drilldown, name="drilldown"),
    path("boundaries/adm<int:level>.geojson", views.boundaries, name="boundaries"),
]
