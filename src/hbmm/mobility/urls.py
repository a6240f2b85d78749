from django.urls import path

from hbmm.mobility import views

app_name = "mobility"
urlpatterns = [
    path("", views.index, name="index"),
    path("flows/", views.flows, name="flows"),
    path("stranded/", views.stranded, name="stranded"),
    path("mrrc/", views.mrrc, name="mrrc"),
    path("displacement/", views.displacement, name="displacement"),
    path("events/", views.events, name="events"),
]
