from django.urls import path

from hbmm.web import views

urlpatterns = [
    path("", views.home, name="home"),
]
