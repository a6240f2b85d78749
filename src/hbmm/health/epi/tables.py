"""The epidemiological series as tables (`hbmm.presentation.tables`): the daily series behind the
figures (drill-down) and every value as reported (list page). Registered from epi.setup."""

from django.utils.translation import gettext_lazy as _

from hbmm.health.epi import selectors
from hbmm.health.epi.models import EpiMetric, EpiSource
from hbmm.places.selectors import name_in_language
from hbmm.presentation.tables import Column, Filter, Table, register_table

PERMISSION = "health.view_epivalue"


def series_rows(q):
    area = selectors.epi_series_area(scope=q.scope, area=q.area)
    series = selectors.epi_series(scope=q.scope, area=area, end=q.filters.get("as_of"))
    for day in series.days:
        yield (
            day.day,
            series.area.pcode,
            series.source,
            day.confirmed,
            day.recovered,
            day.deaths,
            day.new_cases,
            day.average_7d,
            day.corrections,
        )


def value_rows(q):
    return (
        selectors.epi_values(scope=q.scope)
        .annotate(area_name=name_in_language("area"))
        .order_by("-day", "area__pcode", "source", "metric")
    )


SERIES = register_table(
    Table(
        key="health.epi",
        title=_("COVID-19 daily series"),
        permission=PERMISSION,
        description=_(
            "Every report of the series used by the figures, up to the as-of date, as reported."
        ),
        filters=(Filter("as_of", _("As of"), "date"),),
        columns=(
            Column("day", _("Date"), "date", "#date+reported"),
            Column("area", _("Area P-code"), "text", "#loc+code"),
            Column("source", _("Source"), "code", "#meta+source", EpiSource.choices),
            Column("confirmed", _("Confirmed (cumulative)"), "int", "#affected+infected"),
            Column("recovered", _("Recovered (cumulative)"), "int", "#affected+recovered"),
            Column("deaths", _("Deaths (cumulative)"), "int", "#affected+killed"),
            Column("new", _("New cases"), "int", "#affected+infected+new"),
            Column("avg7", _("7-day average"), "decimal", "#affected+infected+avg7"),
            Column("corrections", _("Corrections"), "codes", "#meta+correction", EpiMetric.choices),
        ),
        rows=series_rows,
    )
)

VALUES = register_table(
    Table(
        key="health.epi_values",
        title=_("Reported epidemiological values"),
        permission=PERMISSION,
        url_name="health:epi_values",
        description=_(
            "Every value as reported, with its source and the submission (file row or form) it "
            "comes from."
        ),
        columns=(
            Column("day", _("Date"), "date", "#date+reported"),
            Column("area__pcode", _("Area P-code"), "text", "#loc+code"),
            Column("area_name", _("Area"), "text", "#loc+name"),
            Column("metric", _("Metric"), "code", "#indicator+name", EpiMetric.choices),
            Column("value", _("Value"), "int", "#indicator+value+num"),
            Column("source", _("Source"), "code", "#meta+source", EpiSource.choices),
            Column("submission_id", _("Submission"), "submission", "#meta+submission"),
        ),
        rows=value_rows,
    )
)
