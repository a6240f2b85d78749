from django.urls import path

from hbmm.mobility import views
from hbmm.presentation.table_views import table_page

app_name = "mobility"
urlpatterns = [
    path("", views.index, name="index"),
    # The record lists are tables (mobility/tables.py), also at /reports/drilldown/<key>/.
    path("flows/", table_page, {"key": "mobility.flows"}, name="flows"),
    path("stranded/", table_page, {"key": "mobility.stranded"}, name="stranded"),
    path("mrrc/", table_page, {"key": "mobility.mrrc"}, name="mrrc"),
    path("displacement/", table_page, {"key": "mobility.displacement"}, name="displacement"),
    path("events/", table_page, {"key": "mobility.events"}, name="events"),
]
