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
from django.core.paginator import Paginator
from django.db.models import F
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hbmm.accounts.models import AuditEvent
from hbmm.accounts.scope import get_in_scope_or_404, user_scope
from hbmm.accounts.services import audit_log
from hbmm.exports import export_response
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


# --- Records lists ---------------------------------------------------------------------------


def _stream_csv(request, *, name: str, header: list[str], rows, filters: dict, hxl: list[str] = ()):
    audit_log(
        action=AuditEvent.Action.EXPORT,
        actor=request.user,
        target=f"mobility.{name}",
        details={k: str(v) for k, v in filters.items() if v not in (None, "", False)},
        request=request,
    )

    return export_response(
        "csv", filename=f"hbmm-{name}", header=header, hxl=list(hxl) or None, rows=rows
    )


CHOICE_LABELS = {
    "direction": Direction.choices,
    "transport": Transport.choices,
    "reason": Reason.choices,
    "event_type": MobilityEvent.Type.choices,
}


def _display(value, labels: dict):
    """A cell of a records table: choices by their label, lists and counts per key in words,
    the rest as it is (the CSV export keeps the codes)."""
    if labels and value in labels:
        return labels[value]
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in sorted(value.items()))
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return value


def _list(
    request,
    *,
    name: str,
    title: str,
    queryset,
    columns: list[tuple[str, str, str]],
    f: dict,
    filter_fields: tuple[str, ...] = ("start", "end", "area", "site"),
):
    """A paginated table of `queryset` (already scoped and filtered), or its CSV export."""
    fields = [c for c, _label, _hxl in columns]
    values = queryset.annotate(is_demo=F("submission__is_demo")).values_list(
        *fields, "is_demo", "submission_id"
    )
    if request.GET.get("format") == "csv":
        return _stream_csv(
            request,
            name=name,
            header=[*fields, "is_demo", "submission_id"],
            hxl=[*(tag for _c, _label, tag in columns), "#meta+demo", "#meta+submission"],
            rows=values.iterator(chunk_size=2000),
            filters={k: v for k, v in request.GET.items() if k != "format"},
        )
    page = Paginator(values, PAGE_SIZE).get_page(request.GET.get("page"))
    labels = [dict(CHOICE_LABELS.get(c, ())) for c, _label, _hxl in columns]
    page.object_list = [
        (*(_display(v, labels[i]) for i, v in enumerate(row[:-2])), *row[-2:])
        for row in page.object_list
    ]
    form = f["form"]
    query = request.GET.copy()
    query.pop("page", None)
    csv_query = query.copy()
    csv_query["format"] = "csv"
    return render(
        request,
        "mobility/records.html",
        {
            "title": title,
            "columns": [label for _c, label, _hxl in columns],
            "page": page,
            "query": query.urlencode(),
            "csv_query": csv_query.urlencode(),
            "filters": {k: v for k, v in request.GET.items() if k not in ("page", "format") and v},
            "filter_fields": [form[name] for name in filter_fields],
            "hidden": {
                k: v
                for k, v in request.GET.items()
                if k not in (*filter_fields, "page", "format") and v
            },
            "submission_links": request.user.has_perm("intake.view_submission"),
        },
    )


@login_required
def flows(request):
    _require(request.user, "mobility.view_flowcount")
    try:
        f = _filters(request)
    except _BadFilter as exc:
        return _bad_filter(request, exc)
    qs = selectors.flow_counts(
        scope=f["scope"],
        start=f["start"],
        end=f["end"],
        area=f["area"],
        site=f["site"],
        direction=f["direction"],
        nationality=(f["nationality"] or "").upper(),
        transport=f["transport"],
        reason=f["reason"],
    ).order_by("-observation_date", "site__code", "direction", "pk")
    columns = [
        ("observation_date", _("observation date"), "#date+observed"),
        ("site__code", _("flow monitoring point"), "#loc+code"),
        ("direction", _("direction"), "#indicator+direction"),
        ("total", _("individuals"), "#population+total"),
        ("men", _("men"), "#population+m+adults"),
        ("women", _("women"), "#population+f+adults"),
        ("boys", _("boys"), "#population+m+children"),
        ("girls", _("girls"), "#population+f+children"),
        (
            "unaccompanied_children",
            _("unaccompanied children"),
            "#population+children+unaccompanied",
        ),
        ("nationality", _("nationality"), "#country+code+nationality"),
        (
            "nationality_counts",
            _("individuals per nationality"),
            "#population+nationality+breakdown",
        ),
        ("transport", _("transport"), "#indicator+transport"),
        ("reason", _("main reason"), "#cause+reason"),
        ("reason_counts", _("individuals per reason"), "#population+reason+breakdown"),
        ("previous_country", _("from"), "#country+code+origin"),
        ("next_country", _("to"), "#country+code+destination"),
        ("stranded", _("stranded"), "#population+stranded"),
    ]
    return _list(
        request,
        name="flow_counts",
        title=_("Flow counts"),
        queryset=qs,
        columns=columns,
        f=f,
        filter_fields=("start", "end", "area", "site", "direction"),
    )


@login_required
def stranded(request):
    _require(request.user, "mobility.view_strandedmigrants")
    try:
        f = _filters(request)
    except _BadFilter as exc:
        return _bad_filter(request, exc)
    qs = selectors.stranded_records(
        scope=f["scope"], start=f["start"], end=f["end"], area=f["area"], site=f["site"]
    ).order_by("-date", "site__code", "pk")
    columns = [
        ("date", _("date"), "#date"),
        ("site__code", _("site"), "#loc+code"),
        ("count", _("stranded migrants"), "#population+stranded"),
        ("nationalities", _("nationalities"), "#country+code+nationality"),
        ("needs", _("main needs"), "#need"),
        ("note", _("note"), "#description"),
    ]
    return _list(
        request,
        name="stranded_migrants",
        title=_("Stranded migrants"),
        queryset=qs,
        columns=columns,
        f=f,
    )


@login_required
def mrrc(request):
    _require(request.user, "mobility.view_mrrcoccupancy")
    try:
        f = _filters(request)
    except _BadFilter as exc:
        return _bad_filter(request, exc)
    qs = selectors.mrrc_records(
        scope=f["scope"], on=f["on"], area=f["area"], site=f["site"]
    ).order_by("-date", "site__code")
    columns = [
        ("date", _("date"), "#date"),
        ("site__code", _("centre"), "#loc+code+mrrc"),
        ("total", _("migrants present"), "#population+total"),
        ("men", _("men"), "#population+m+adults"),
        ("women", _("women"), "#population+f+adults"),
        ("boys", _("boys"), "#population+m+children"),
        ("girls", _("girls"), "#population+f+children"),
    ]
    return _list(
        request,
        name="mrrc_occupancy",
        title=_("MRRC occupancy"),
        queryset=qs,
        columns=columns,
        f=f,
        filter_fields=("on", "area", "site"),
    )


@login_required
def displacement(request):
    _require(request.user, "mobility.view_displacementfigure")
    try:
        f = _filters(request)
    except _BadFilter as exc:
        return _bad_filter(request, exc)
    current_on = (f["as_of"] or dt.date.today()) if f["current"] else None
    qs = selectors.displacement_records(
        scope=f["scope"], round_number=f["round"], current_on=current_on, area=f["area"]
    ).order_by("-round__reporting_date", "area__pcode", "site__code")
    columns = [
        ("round__number", _("round"), "#meta+round"),
        ("round__reporting_date", _("reporting date"), "#date+reported"),
        ("area__pcode", _("P-code"), "#adm2+code"),
        ("area__name_fr", _("cercle"), "#adm2+name"),
        ("site__code", _("IDP site"), "#loc+code+idp_site"),
        ("households", _("households"), "#population+households"),
        ("total", _("IDPs"), "#affected+idps+ind"),
        ("returnees", _("returnees"), "#population+returnees"),
        ("reason", _("reason"), "#cause"),
        ("period", _("period"), "#date+period"),
    ]
    return _list(
        request,
        name="displacement",
        title=_("Displacement figures"),
        queryset=qs,
        columns=columns,
        f=f,
        filter_fields=("round", "area"),
    )


@login_required
def events(request):
    _require(request.user, "mobility.view_mobilityevent")
    try:
        f = _filters(request)
    except _BadFilter as exc:
        return _bad_filter(request, exc)
    qs = selectors.mobility_events(
        scope=f["scope"],
        start=f["start"],
        end=f["end"],
        area=f["area"],
        event_type=f["event_type"],
    ).order_by("-event_date", "pk")
    columns = [
        ("event_date", _("date"), "#date+event"),
        ("event_type", _("type"), "#event+type"),
        ("area__pcode", _("P-code"), "#loc+pcode"),
        ("site__code", _("site"), "#loc+code"),
        ("households", _("households"), "#affected+hh"),
        ("individuals", _("individuals"), "#affected+ind"),
        ("from_location", _("from"), "#loc+origin"),
        ("to_location", _("to"), "#loc+destination"),
        ("needs", _("first needs"), "#need"),
        ("description", _("description"), "#description"),
        ("source", _("source"), "#meta+source"),
    ]
    return _list(
        request,
        name="events",
        title=_("Mobility events"),
        queryset=qs,
        columns=columns,
        f=f,
        filter_fields=("start", "end", "area", "event_type"),
    )
