"""Pages of the mobility app: the mobility page (figures for a period and an area, daily flow
chart, table per point, IDPs by region) and one records list per record type, each exportable
as CSV. Every number on the mobility page links to the list of the records it counts.

Views are thin: they read the filters, call selectors (which apply the reader's scope), render.
"""

import datetime as dt

from django import forms
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hbmm.accounts.scope import get_in_scope_or_404, user_scope
from hbmm.mobility import selectors
from hbmm.mobility.charts import flow_daily_chart
from hbmm.mobility.models import Direction, MobilityEvent, Reason, Transport
from hbmm.places.models import AdminArea, Site

PAGE_SIZE = 50
VENDOR_SCRIPTS = (
    "reports/vendor/vega.min.js",
    "reports/vendor/vega-lite.min.js",
    "reports/vendor/vega-embed.min.js",
)


def _require(user, permission: str) -> None:
    if not user.has_perm(permission):
        raise PermissionDenied


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self):
        super().__init__(format="%Y-%m-%d")


class FilterForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("From"), required=False, widget=DateInput())
    end = forms.DateField(label=gettext_lazy("To"), required=False, widget=DateInput())
    area = forms.CharField(label=gettext_lazy("Area (P-code)"), required=False, max_length=20)
    site = forms.CharField(label=gettext_lazy("Site (code)"), required=False, max_length=40)
    direction = forms.ChoiceField(
        label=gettext_lazy("Direction"),
        required=False,
        choices=[("", "")] + list(Direction.choices),
    )
    nationality = forms.CharField(required=False, max_length=3)
    transport = forms.ChoiceField(
        required=False, choices=[("", ""), ("-", "-")] + list(Transport.choices)
    )
    reason = forms.ChoiceField(
        required=False, choices=[("", ""), ("-", "-")] + list(Reason.choices)
    )
    event_type = forms.ChoiceField(
        label=gettext_lazy("Type"),
        required=False,
        choices=[("", "")] + list(MobilityEvent.Type.choices),
    )
    round = forms.IntegerField(label=gettext_lazy("Round"), required=False, min_value=1)
    current = forms.BooleanField(required=False)
    as_of = forms.DateField(required=False, widget=DateInput())
    on = forms.DateField(label=gettext_lazy("On"), required=False, widget=DateInput())
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


def _filters(request) -> dict:
    """Cleaned filters; area and site resolved within the user's scope (404 outside)."""
    form = FilterForm(request.GET)
    if not form.is_valid():
        raise _BadFilter(form)
    values = dict(form.cleaned_data)
    scope = user_scope(request.user)
    values["scope"] = scope
    pcode = values.pop("area")
    code = values.pop("site")
    values["area"] = (
        get_in_scope_or_404(AdminArea.objects.all(), scope, pcode=pcode.upper()) if pcode else None
    )
    values["site"] = (
        get_in_scope_or_404(Site.objects.all(), scope, code=code.upper()) if code else None
    )
    values["form"] = form
    return values


class _BadFilter(Exception):
    def __init__(self, form):
        self.form = form


def _bad_filter(request, exc: _BadFilter):
    return render(request, "mobility/bad_filter.html", {"errors": exc.form.errors}, status=400)


# --- Mobility page ---------------------------------------------------------------------------


def _default_period(scope) -> tuple[dt.date, dt.date]:
    latest = (
        selectors.flow_counts(scope=scope)
        .order_by("-observation_date")
        .values_list("observation_date", flat=True)
        .first()
        or dt.date.today()
    )
    return selectors.month_bounds(latest)


@login_required
def index(request):
    user = request.user
    _require(user, "mobility.view_flowcount")
    try:
        f = _filters(request)
    except _BadFilter as exc:
        return _bad_filter(request, exc)
    start, end = f["start"], f["end"]
    if not (start and end):
        default_start, default_end = _default_period(f["scope"])
        start, end = start or default_start, end or default_end
    if end < start:
        start, end = end, start
    area, scope = f["area"], f["scope"]
    month = f["month"] or end.replace(day=1)
    closure = selectors.border_closure_date()
    context = {
        "start": start,
        "end": end,
        "month": month,
        "area": area,
        "areas": selectors.areas_for_filter(scope),
        "closure": closure,
        "monthly": selectors.flow_monthly_average(scope=scope, month=month, area=area),
        "cumulative": selectors.flow_cumulative(scope=scope, start=start, end=end, area=area),
        "until_closure": selectors.flow_until_border_closure(scope=scope, area=area),
        "points": selectors.flow_by_point(scope=scope, start=start, end=end, area=area),
        "breakdowns": [
            (label, selectors.flow_breakdown(scope=scope, start=start, end=end, by=key, area=area))
            for key, label in selectors.BREAKDOWNS.items()
            if key != "point"
        ],
    }
    context["has_demo"] = context["cumulative"].records.filter(submission__is_demo=True).exists()
    series = selectors.flow_daily_series(scope=scope, start=start, end=end, area=area)
    by_day: dict = {}
    for row in series:
        by_day.setdefault(row["date"], {})[row["direction"]] = row["total"]
    context["series_table"] = [
        (day, [values.get(d) for d in Direction.values]) for day, values in by_day.items()
    ]
    context["chart_spec"] = flow_daily_chart(series) if series else None
    context["vendor_scripts"] = [s for s in VENDOR_SCRIPTS if finders.find(s)]
    context["chart_ready"] = len(context["vendor_scripts"]) == len(VENDOR_SCRIPTS)
    if user.has_perm("mobility.view_strandedmigrants"):
        context["stranded"] = selectors.stranded_in_period(
            scope=scope, start=start, end=end, area=area
        )
        context["stranded_closure"] = selectors.stranded_after_border_closure(
            scope=scope, area=area
        )
    if user.has_perm("mobility.view_displacementfigure"):
        context["idps"] = selectors.idps_current(scope=scope, as_of=end, area=area)
        context["idps_by_region"] = selectors.idps_by_region(scope=scope, as_of=end, area=area)
    if user.has_perm("mobility.view_mrrcoccupancy"):
        context["mrrc"] = selectors.mrrc_occupancy(scope=scope, on=end, area=area)
    if user.has_perm("mobility.view_mobilityevent"):
        context["events"] = list(
            selectors.mobility_events(scope=scope, start=start, end=end, area=area)
            .select_related("area", "site")
            .order_by("event_date", "pk")[:50]
        )
    return render(request, "mobility/index.html", context)
