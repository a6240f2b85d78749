from django.urls import path

from hbmm.reports.views import overview

urlpatterns = [
    path("", overview, name="home"),  # the situation overview (reports app) is the home page
]
