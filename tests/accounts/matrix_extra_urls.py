"""The project's URL map with one more view, nested in an include, that the access matrix has
no entry for (tests/accounts/test_access_matrix.py checks that it names it)."""

from django.http import HttpResponse
from django.urls import include, path

from hbmm.urls import urlpatterns as project_urlpatterns


def unchecked(request, pk: int):
    return HttpResponse("no check at all")


extra = ([path("<int:pk>/secret/", unchecked, name="unchecked")], "extra")
urlpatterns = [*project_urlpatterns, path("extra/", include(extra))]
