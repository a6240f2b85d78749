from django.urls import path  # noqa: F401

app_name = "health"
urlpatterns: list = []

from django.urls import include  # noqa: E402

urlpatterns += [path("screening/", include("hbmm.health.screening.urls"))]
urlpatterns += [path("signals/", include("hbmm.health.ebs.urls"))]
