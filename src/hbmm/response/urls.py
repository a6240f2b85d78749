from django.urls import path

from hbmm.presentation.table_views import table_page
from hbmm.response import views

app_name = "response"
urlpatterns = [
    path("", views.index, name="index"),
    path("plan/", views.plan_detail, name="plan"),
    path("plan/indicators/<slug:code>/", views.indicator_detail, name="indicator"),
    path("plan/pillars/<slug:pillar>/activities/new/", views.activity_new, name="activity_new"),
    path("plan/activities/<int:pk>/", views.activity_edit, name="activity_edit"),
    # The 4W matrix, the funding table and the contributions are tables (response/tables.py),
    # filterable and exportable with HXL hashtags.
    path("reports/", table_page, {"key": "response.reports"}, name="reports"),
    path("reports/new/", views.report_new, name="report_new"),
    path("reports/template.xlsx", views.template, name="template"),
    path("periods/", views.periods, name="periods"),
    path("periods/<str:month>/lock/", views.period_lock_toggle, name="period_lock"),
    path("funding/", table_page, {"key": "response.funding"}, name="funding_table"),
    path("contributions/", table_page, {"key": "response.contributions"}, name="contributions"),
    path("contributions/new/", views.contribution_new, name="contribution_new"),
    path("expenditure/", table_page, {"key": "response.expenditures"}, name="expenditures"),
]
