"""The mobility page: the mobility figures (`hbmm.mobility.figures`) for a period and an area,
the daily flow chart, the figures per flow monitoring point and per category, IDPs by region and
the events of the period. Every number links to the records it counts (the mobility tables,
`hbmm.mobility.tables`, which are also the record lists at /mobility/flows/...).

Thin: it reads the filters, narrows the reader's scope to the area, calls figures and
selectors, renders.
"""

import datetime as dt

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hbmm.accounts.scope import user_scope
from hbmm.mobility import figures, selectors
from hbmm.mobility.charts import flow_daily_chart
from hbmm.mobility.models import Direction
from hbmm.places.selectors import area_choices, area_narrowing
from hbmm.presentation.as_of import request_as_of, stale_date
from hbmm.presentation.charts import embed_options


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self):
        super().__init__(format="%Y-%m-%d")


class FilterForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("From"), required=False, widget=DateInput())
    end = forms.DateField(label=gettext_lazy("To"), required=False, widget=DateInput())
    area = forms.CharField(label=gettext_lazy("Area (P-code)"), required=False, max_length=20)
    month = forms.CharField(required=False, max_length=7)  # YYYY-MM

    def clean_month(self):
        value = self.cleaned_data["month"]
        if not value:
            return None
        try:
            year, month = value.split("-")
            return dt.date(int(year), int(month), 1)
        except ValueError as exc:
            raise forms.ValidationError(_("Use YYYY-MM.")) from exc


def _period(
    scope, start: dt.date | None, end: dt.date | None, *, as_of: dt.date
) -> tuple[dt.date, dt.date]:
    """The period asked for; by default the month of the latest flow count on or before the
    as-of date (up to that date)."""
    if not (start and end):
        latest = selectors.latest_flow_date(scope=scope, on_or_before=as_of) or as_of
        default_start, default_end = selectors.month_bounds(latest)
        start, end = start or default_start, end or min(default_end, as_of)
    return (end, start) if end < start else (start, end)


@login_required
def index(request):
    user = request.user
    if not user.has_perm("mobility.view_flowcount"):
        raise PermissionDenied
    form = FilterForm(request.GET)
    if not form.is_valid():
        return render(request, "mobility/bad_filter.html", {"errors": form.errors}, status=400)
    scope, area = user_scope(user), None
    areas = area_choices(scope=scope)
    if form.cleaned_data["area"]:
        area, scope = area_narrowing(scope=scope, pcode=form.cleaned_data["area"])
    as_of = request_as_of(request)
    start, end = _period(scope, form.cleaned_data["start"], form.cleaned_data["end"], as_of=as_of)
    month = form.cleaned_data["month"] or end.replace(day=1)
    closure = selectors.border_closure_date()
    series = selectors.flow_daily_series(scope=scope, start=start, end=end)
    by_day: dict = {}
    for row in series:
        by_day.setdefault(row["date"], {})[row["direction"]] = row["total"]
    context = {
        "as_of": as_of,
        # The page's figures end before the as-of date: the period says its own date.
        "stale_end": (
            None
            if form.cleaned_data["start"] or form.cleaned_data["end"]
            else stale_date(end, as_of)
        ),
        "start": start,
        "end": end,
        "month": month,
        "area": area,
        "area_pcode": area.pcode if area else None,
        "areas": areas,
        "closure": closure,
        "monthly": figures.flow_daily_average(scope=scope, month=month),
        "period": figures.flow_in_period(scope=scope, start=start, end=end),
        "until_closure": (
            figures.flow_since_plan_start(scope=scope, end=closure - dt.timedelta(days=1))
            if closure
            else None
        ),
        "points": figures.flow_by_point(scope=scope, start=start, end=end),
        "breakdowns": [
            (label, figures.flow_breakdown(scope=scope, start=start, end=end, by=key))
            for key, label in selectors.BREAKDOWNS.items()
            if key != "point"
        ],
        "has_demo": selectors.flow_counts_include_demo(scope=scope, start=start, end=end),
        "chart": flow_daily_chart(series, start=start, end=end) if series else None,
        "embed_options": embed_options(),
        "series_table": [
            (day, [values.get(d) for d in Direction.values]) for day, values in by_day.items()
        ],
    }
    if user.has_perm("mobility.view_strandedmigrants"):
        context["stranded"] = figures.stranded_in_period(scope=scope, start=start, end=end)
        if closure:
            context["stranded_closure"] = figures.stranded_first_week_of_closure(
                scope=scope, closure=closure
            )
    if user.has_perm("mobility.view_displacementfigure"):
        context["idps"] = figures.idps_current(scope=scope, as_of=end)
        context["idps_by_region"] = figures.idps_by_region(scope=scope, as_of=end)
    if user.has_perm("mobility.view_mrrcoccupancy"):
        context["mrrc"] = figures.mrrc_present(scope=scope, as_of=end)
    if user.has_perm("mobility.view_mobilityevent"):
        context["events"] = selectors.events_of_period(scope=scope, start=start, end=end)
    return render(request, "mobility/index.html", context)
