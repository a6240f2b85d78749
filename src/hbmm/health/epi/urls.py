from django.urls import path

from hbmm.health.epi import views
from hbmm.presentation.table_views import table_page

urlpatterns = [
    path("", views.epi, name="epi"),
    path("curve.json", views.epi_curve, name="epi_curve"),
    path("values/", table_page, {"key": "health.epi_values"}, name="epi_values"),
    path("import/", views.epi_import, name="epi_import"),
    path("bulletin/", views.epi_bulletin, name="epi_bulletin"),
]
