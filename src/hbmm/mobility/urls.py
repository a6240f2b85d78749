from django.urls import path

app_name = "mobility"
urlpatterns: list = [
    path("", lambda r: None, name="index"),
    path("flows/", lambda r: None, name="flows"),
    path("stranded/", lambda r: None, name="stranded"),
    path("mrrc/", lambda r: None, name="mrrc"),
    path("displacement/", lambda r: None, name="displacement"),
    path("events/", lambda r: None, name="events"),
]
