from django.urls import path

from hbmm.health import views

app_name = "health"
urlpatterns = [
    path("epi/", views.epi, name="epi"),
    path("epi/curve.json", views.epi_curve, name="epi_curve"),
    path("epi/values/", views.epi_values, name="epi_values"),
    path("epi/import/", views.epi_import, name="epi_import"),
    path("epi/bulletin/", views.epi_bulletin, name="epi_bulletin"),
    path("poe/capacity/", views.capacity, name="capacity"),
    path("poe/capacity/gaps/", views.capacity_gaps, name="capacity_gaps"),
    path("poe/capacity/assessments/", views.capacity_list, name="capacity_list"),
    path("poe/capacity/new/", views.capacity_new, name="capacity_new"),
    path("poe/status/", views.status, name="status"),
    path("poe/status/map.geojson", views.status_geojson, name="status_geojson"),
    path("poe/status/new/", views.status_new, name="status_new"),
    path("poe/status/<str:code>/", views.status_history, name="status_history"),
]
from django.urls import include  # noqa: E402

urlpatterns += [path("screening/", include("hbmm.health.screening.urls"))]
urlpatterns += [path("signals/", include("hbmm.health.ebs.urls"))]
