"""Pages of the health app: thin — parse the request, call selectors or the pipeline, render."""

import csv
import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from hbmm.accounts.models import AuditEvent
from hbmm.accounts.scope import get_in_scope_or_404, restrict_to_scope
from hbmm.accounts.services import audit_log
from hbmm.health import selectors
from hbmm.health.charts import capacity_trend_spec, epi_curve_spec
from hbmm.health.forms import (
    BulletinForm,
    CapacityForm,
    EpiImportForm,
    StatusForm,
    submit_through_pipeline,
)
from hbmm.health.models import CAPACITY_ITEMS, EpiSource, PointType
from hbmm.places.models import AdminArea


def _date_param(request, name: str, default: dt.date | None) -> dt.date | None:
    value = request.GET.get(name)
    if not value:
        return default
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise BadParameter(
            _("'%(value)s' is not a date (YYYY-MM-DD) for %(name)s.")
            % {"value": value, "name": name}
        ) from None


class BadParameter(ValueError):
    pass


def _bad(exc) -> HttpResponse:
    return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")


# --- Epidemiology ---------------------------------------------------------------------------


def _epi_area(request) -> AdminArea:
    code = request.GET.get("area") or settings.HBMM_COUNTRY_ISO3
    if code == settings.HBMM_COUNTRY_ISO3:
        return selectors.epi_national_area()
    for area in selectors.epi_regions(user=request.user):
        if area.pcode == code:
            return area
    raise Http404


@login_required
@permission_required("health.view_epivalue", raise_exception=True)
def epi(request):
    area = _epi_area(request)
    source = request.GET.get("source") or None
    if source and source not in EpiSource.values:
        return _bad(_("Unknown source."))
    try:
        as_of = _date_param(request, "as_of", None)
    except BadParameter as exc:
        return _bad(exc)
    series = selectors.epi_series(user=request.user, area=area, source=source)
    if as_of is None:
        as_of = series.days[-1].day if series.days else timezone.now().date()
    figures = selectors.epi_figures(user=request.user, as_of=as_of, area=area, source=source)
    shown = [d for d in series.days if d.day <= as_of]
    context = {
        "area": area,
        "as_of": as_of,
        "figures": figures,
        "headline": [figures.confirmed, figures.recovered, figures.deaths],
        "days": list(reversed(shown)),
        "sources": [
            (s, EpiSource(s).label) for s in selectors.epi_sources(user=request.user, area=area)
        ],
        "source": figures.source,
        "regions": selectors.epi_regions(user=request.user),
        "neighbours": selectors.epi_neighbours(user=request.user, as_of=as_of)
        if area.level == 0
        else [],
        "national_code": settings.HBMM_COUNTRY_ISO3,
        "curve_spec": epi_curve_spec(
            type(series)(area=series.area, source=series.source, days=shown, corrections=[]),
            title=_("New confirmed cases per day and 7-day average"),
        ),
    }
    return render(request, "health/epi_page.html", context)


@login_required
@permission_required("health.view_epivalue", raise_exception=True)
def epi_curve(request):
    """The epidemic curve's Vega-Lite specification (JSON), for pages and reports."""
    area = _epi_area(request)
    try:
        end = _date_param(request, "as_of", None)
    except BadParameter as exc:
        return _bad(exc)
    series = selectors.epi_series(user=request.user, area=area, end=end)
    return JsonResponse(epi_curve_spec(series))


@login_required
@permission_required("health.add_epivalue", raise_exception=True)
def epi_import(request):
    from hbmm.intake.services import import_file_run, import_file_store

    form = EpiImportForm(request.POST or None, request.FILES or None)
    record = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            # Stored with its options, so a run again from the import page reads it the same way.
            record = import_file_store(
                kind=form.cleaned_data["kind"],
                source=upload,
                original_name=upload.name,
                uploaded_by=request.user,
                options={"neighbours": form.cleaned_data["neighbours"]},
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            record = import_file_run(import_file=record)
    return render(request, "health/epi_import.html", {"form": form, "record": record})


@login_required
@permission_required("health.add_epivalue", raise_exception=True)
def epi_bulletin(request):
    areas = [selectors.epi_national_area()] + list(
        restrict_to_scope(
            AdminArea.objects.filter(level=1, country_iso3=settings.HBMM_COUNTRY_ISO3), request.user
        )
    )
    form = BulletinForm(request.POST or None, areas=areas)
    if (
        request.method == "POST"
        and form.is_valid()
        and submit_through_pipeline(form, form_id="epi_bulletin", user=request.user)
    ):
        messages.success(request, _("The bulletin was recorded."))
        return redirect("health:epi")
    return render(
        request,
        "health/epi_form.html",
        {"form": form, "title": _("Daily epidemiological bulletin")},
    )


@login_required
@permission_required("health.view_epivalue", raise_exception=True)
def epi_values(request):
    values = (
        selectors.epi_values(user=request.user)
        .select_related("area", "submission")
        .order_by("-day", "area__pcode", "source", "metric")
    )
    page = Paginator(values, 100).get_page(request.GET.get("page"))
    return render(request, "health/epi_values.html", {"page": page})


# --- Capacity -------------------------------------------------------------------------------


def _week(request) -> tuple[dt.date, dt.date, list]:
    weeks = selectors.capacity_weeks(user=request.user)
    day = _date_param(request, "week", weeks[-1][0] if weeks else timezone.now().date())
    start, end = selectors.iso_week_bounds(day)
    return start, end, weeks


@login_required
@permission_required("health.view_capacityassessment", raise_exception=True)
def capacity(request):
    try:
        start, end, weeks = _week(request)
    except BadParameter as exc:
        return _bad(exc)
    user = request.user
    figures = selectors.capacity_figures(user=user, round_start=start, round_end=end)
    trend = selectors.capacity_trend(user=user)
    context = {
        "start": start,
        "end": end,
        "weeks": weeks,
        "figures": figures,
        "plan": selectors.capacity_plan_figures(user=user, round_start=start, round_end=end),
        "change": selectors.capacity_change(user=user, week_of=start),
        "trend": trend,
        "trend_spec": capacity_trend_spec(
            trend, title=_("Share of points without each item, week by week")
        ),
        "items": CAPACITY_ITEMS,
        "by_type": [
            (PointType(t).label, figures.by_type[t], figures.points_by_type[t])
            for t in figures.by_type
        ],
    }
    return render(request, "health/poe_capacity.html", context)


GAP_COLUMNS = ["site", "type", "region", "item", "date"]


@login_required
@permission_required("health.view_capacityassessment", raise_exception=True)
def capacity_gaps(request):
    try:
        start, end, weeks = _week(request)
    except BadParameter as exc:
        return _bad(exc)
    order = request.GET.get("order", "site")
    if order.lstrip("-") not in GAP_COLUMNS:
        return _bad(_("Unknown sort order."))
    item = request.GET.get("item", "")
    if item and item not in dict(CAPACITY_ITEMS):
        return _bad(_("Unknown item."))
    gaps = selectors.capacity_gaps(
        user=request.user, round_start=start, round_end=end, order=order, item=item
    )
    if request.GET.get("format") == "csv":
        audit_log(
            action=AuditEvent.Action.EXPORT,
            actor=request.user,
            target="health.capacity_gaps",
            details={"week": start.isoformat(), "rows": len(gaps), "item": item},
            request=request,
        )
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="poe-gaps-{start}.csv"'
        writer = csv.writer(response)
        writer.writerow(
            [
                "site_code",
                "site_name",
                "point_type",
                "region_pcode",
                "region",
                "item",
                "item_label",
                "answer",
                "assessed_on",
            ]
        )
        for gap in gaps:
            writer.writerow(
                [
                    gap.site.code,
                    gap.site.name,
                    gap.point_type,
                    gap.region.pcode,
                    gap.region.name,
                    gap.item,
                    gap.item_label,
                    "no",
                    gap.assessed_on.isoformat(),
                ]
            )
        return response
    return render(
        request,
        "health/poe_gaps.html",
        {
            "gaps": gaps,
            "start": start,
            "end": end,
            "weeks": weeks,
            "order": order,
            "item": item,
            "items": CAPACITY_ITEMS,
            "columns": GAP_COLUMNS,
        },
    )


@login_required
@permission_required("health.view_capacityassessment", raise_exception=True)
def capacity_list(request):
    records = selectors.capacity_assessments(user=request.user).order_by(
        "-assessed_on", "site__code"
    )
    page = Paginator(records, 50).get_page(request.GET.get("page"))
    return render(request, "health/poe_assessments.html", {"page": page, "items": CAPACITY_ITEMS})


@login_required
@permission_required("health.add_capacityassessment", raise_exception=True)
def capacity_new(request):
    form = CapacityForm(request.POST or None, sites=selectors.poe_sites(user=request.user))
    if (
        request.method == "POST"
        and form.is_valid()
        and submit_through_pipeline(form, form_id="poe_capacity", user=request.user)
    ):
        messages.success(request, _("The assessment was recorded."))
        return redirect("health:capacity_list")
    return render(
        request, "health/poe_form.html", {"form": form, "title": _("Capacity assessment")}
    )


# --- Status ---------------------------------------------------------------------------------


@login_required
@permission_required("health.view_poestatus", raise_exception=True)
def status(request):
    try:
        day = _date_param(request, "day", timezone.now().date())
    except BadParameter as exc:
        return _bad(exc)
    rows = selectors.poe_status_as_of(user=request.user, day=day)
    return render(
        request,
        "health/poe_status.html",
        {
            "rows": rows,
            "day": day,
            "summary": selectors.poe_status_summary(user=request.user, day=day),
        },
    )


@login_required
@permission_required("health.view_poestatus", raise_exception=True)
def status_history(request, code: str):
    site = get_in_scope_or_404(selectors.poe_sites(user=request.user), request.user, code=code)
    history = selectors.poe_status_history(user=request.user, site=site)
    return render(request, "health/poe_status_history.html", {"site": site, "history": history})


@login_required
@permission_required("health.view_poestatus", raise_exception=True)
def status_geojson(request):
    try:
        day = _date_param(request, "day", timezone.now().date())
    except BadParameter as exc:
        return _bad(exc)
    response = JsonResponse(selectors.poe_status_geojson(user=request.user, day=day))
    response["Content-Type"] = "application/geo+json"
    return response


@login_required
@permission_required("health.add_poestatus", raise_exception=True)
def status_new(request):
    form = StatusForm(request.POST or None, sites=selectors.poe_sites(user=request.user))
    if (
        request.method == "POST"
        and form.is_valid()
        and submit_through_pipeline(form, form_id="poe_status", user=request.user)
    ):
        messages.success(request, _("The status was recorded."))
        return redirect("health:status")
    return render(
        request, "health/poe_form.html", {"form": form, "title": _("Point-of-entry status")}
    )
