"""Reporting completeness as a table (`hbmm.presentation.tables`): per site and form, the
periods expected, received and on time, and those missing. The "who has not reported" page,
its export and API list. Registered from ReportsConfig.ready()."""

import datetime as dt

from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from hbmm.presentation.tables import Column, Filter, Table, register_table
from hbmm.reports.reporting.completeness import last_week_on, schedules, site_reporting
from hbmm.reports.reporting.maps import reporting_map

PERMISSION = "reports.view_situation"


def reporting_period(q) -> tuple:
    """(start, end, today) of the page: the dates given, else the last ISO week over on the
    page's as-of date (the week the overview's figure counts); periods count once over."""
    f = q.filters
    today = timezone.now().date()
    start, end = f.get("start"), f.get("end")
    if start is None or end is None:
        monday = last_week_on(min(q.day, today))
        start, end = start or monday, end or monday + dt.timedelta(days=6)
    return start, end, today


def reporting_rows(q):
    f = q.filters
    start, end, today = reporting_period(q)
    for schedule in schedules():
        if f.get("form") and f["form"] != schedule.form:
            continue
        for row in site_reporting(
            scope=q.scope, schedule=schedule, start=start, end=end, today=today
        ):
            if f.get("missing") and row.complete and not row.late:
                continue
            yield (
                row.site.code,
                row.site.name,
                row.site.area_pcode,
                schedule.form,
                schedule.frequency,
                row.periods[0].start,
                row.periods[-1].end,
                row.expected,
                row.received,
                row.on_time,
                " ".join(p.start.isoformat() for p in row.missing),
                " ".join(p.start.isoformat() for p in row.late),
            )


def reporting_layer(q):
    """The page's map: each site expected in the period, coloured by its reporting."""
    start, end, today = reporting_period(q)
    return reporting_map(
        scope=q.scope, start=start, end=end, today=today, form=q.filters.get("form", "")
    )


def _label(schedule) -> str:
    return schedule.label


_lazy_label = lazy(_label, str)


def _form_choices():
    """The schedules' forms, each labelled in the reader's language."""
    return tuple((s.form, _lazy_label(s)) for s in schedules())


REPORTING = register_table(
    Table(
        key="reports.reporting",
        title=_("Who has not reported"),
        permission=PERMISSION,
        url_name="reports:reporting",
        description=_(
            "Per site and form: the periods it was expected to report (its kind's schedule, "
            "periods over), the reports received and those received on time, and the periods "
            "missing or late (first day of each). Without dates: the last ISO week over on the as-of date."
        ),
        filters=(
            Filter("form", _("Form"), "choice", _form_choices()),
            Filter("start", _("From"), "date"),
            Filter("end", _("To"), "date"),
            Filter("missing", _("Missing or late only"), "bool"),
        ),
        columns=(
            Column("code", _("Site"), "text", "#loc+code"),
            Column("name", _("Name"), "text", "#loc+name"),
            Column("pcode", _("Admin area P-code"), "text", "#adm2+code"),
            Column("form", _("Form"), "text", "#meta+form"),
            Column("frequency", _("Frequency"), "text", "#meta+frequency"),
            Column("start", _("From"), "date", "#date+start"),
            Column("end", _("To"), "date", "#date+end"),
            Column("expected", _("Expected"), "int", "#indicator+expected+num"),
            Column("received", _("Received"), "int", "#indicator+received+num"),
            Column("on_time", _("On time"), "int", "#indicator+ontime+num"),
            Column("missing", _("Missing"), "text", "#date+missing"),
            Column("late", _("Late"), "text", "#date+late"),
        ),
        rows=reporting_rows,
        map=reporting_layer,
    )
)
