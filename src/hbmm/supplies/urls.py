from django.urls import path

from hbmm.presentation.table_views import table_page
from hbmm.supplies import views

app_name = "supplies"
urlpatterns = [
    path("", views.index, name="index"),
    path("receipts/new/", views.receipt_new, name="receipt_new"),
    path("dispatches/new/", views.dispatch_new, name="dispatch_new"),
    path("distributions/new/", views.distribution_new, name="distribution_new"),
    path("adjustments/new/", views.adjust_new, name="adjust_new"),
    path("transfers/<int:pk>/receive/", views.transfer_receive, name="transfer_receive"),
    # The record lists are tables (supplies/tables.py), also at /reports/drilldown/<key>/.
    path("ledger/", table_page, {"key": "supplies.movements"}, name="ledger"),
    path("transfers/", table_page, {"key": "supplies.transfers"}, name="transfers"),
    path("stock/", table_page, {"key": "supplies.stock"}, name="stock"),
    path("gaps/", table_page, {"key": "supplies.gaps"}, name="gaps"),
]
