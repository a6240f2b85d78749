"""The health app's pages, one URL module per sub-module (names in the `health` namespace)."""

from django.urls import include, path

app_name = "health"
urlpatterns = [
    path("epi/", include("hbmm.health.epi.urls")),
    path("labs/", include("hbmm.health.labs.urls")),
    path("poe/", include("hbmm.health.poe.urls")),
    path("screening/", include("hbmm.health.screening.urls")),
    path("signals/", include("hbmm.health.ebs.urls")),
]
