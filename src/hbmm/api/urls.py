"""/api/v1/: the records of every registered table, the figures, a screening's identifiers."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from hbmm.api import figures, views
from hbmm.api.tables import table_urls

app_name = "api"
urlpatterns = [
    path("me/", views.MeView.as_view(), name="me"),
    path("figures/", figures.FiguresView.as_view(), name="figures"),
    path(
        "health/screenings/<int:pk>/identifiers/",
        views.ScreeningIdentifiersView.as_view(),
        name="screening-identifiers",
    ),
    *table_urls(),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
]
