from django.urls import path

from hbmm.reports.views import overview
from hbmm.web.health import healthz

urlpatterns = [
    path("", overview, name="home"),  # the situation overview (reports app) is the home page
    path("healthz", healthz, name="healthz"),  # liveness and readiness, for nginx and monitors
]
