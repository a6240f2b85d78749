"""/api/v1/: the records of every registered table, the figures, a screening's identifiers."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from hbmm.api import figures, intake, views
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
    path("submissions/", intake.SubmissionCreateView.as_view(), name="submissions"),
    path("submissions/<int:pk>/", intake.SubmissionDetailView.as_view(), name="submission"),
    path("imports/", intake.ImportCreateView.as_view(), name="imports"),
    path("imports/<int:pk>/", intake.ImportDetailView.as_view(), name="import"),
    *table_urls(),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    re_path(r"^(?P<rest>.*)$", views.NotFoundView.as_view(), name="not-found"),
]
