from django.urls import path

from hbmm.supplies import views

app_name = "supplies"
urlpatterns = [
    path("", views.index, name="index"),
]
