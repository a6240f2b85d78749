from django.urls import path

from hbmm.health.poe import views
from hbmm.presentation.table_views import table_page

urlpatterns = [
    path("capacity/", views.capacity, name="capacity"),
    path("capacity/gaps/", views.capacity_gaps, name="capacity_gaps"),
    path(
        "capacity/assessments/",
        table_page,
        {"key": "health.capacity_assessments"},
        name="capacity_list",
    ),
    path("capacity/new/", views.capacity_new, name="capacity_new"),
    path("status/", views.status, name="status"),
    path("status/map.geojson", views.status_geojson, name="status_geojson"),
    path("status/new/", views.status_new, name="status_new"),
    path("status/<str:code>/", views.status_history, name="status_history"),
]
