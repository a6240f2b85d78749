"""Pages of the points of entry: capacity figures and trend, the gap list, assessments, the
operational status as of a date (page, map layer, history) and the web forms."""

import datetime as dt

from django.contrib.auth.decorators import login_required, permission_required
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from hbmm.accounts.scope import get_in_scope_or_404, user_scope
from hbmm.health.pages import BadParameter, record_form_page
from hbmm.health.pages import bad_request as _bad
from hbmm.health.pages import date_param as _date_param
from hbmm.health.poe import figures, selectors
from hbmm.health.poe.charts import capacity_trend_chart
from hbmm.health.poe.forms import CapacityForm, StatusForm
from hbmm.health.poe.models import CAPACITY_ITEMS, PointType
from hbmm.health.poe.selectors import POE_TYPES
from hbmm.presentation.as_of import request_as_of, stale_date
from hbmm.presentation.charts import embed_options
from hbmm.presentation.tables import EXPORT_PERMISSION


def _week(request) -> tuple[dt.date, dt.date, list]:
    """The week asked for (`?week=`), by default the latest assessed week that starts on or
    before the as-of date (`hbmm.presentation.as_of`)."""
    weeks = selectors.capacity_weeks(scope=user_scope(request.user))
    as_of = request_as_of(request)
    before = [week for week in weeks if week[0] <= as_of]
    day = _date_param(request, "week", before[-1][0] if before else as_of)
    start, end = selectors.iso_week_bounds(day)
    return start, end, weeks


@login_required
@permission_required("health.view_capacityassessment", raise_exception=True)
def capacity(request):
    try:
        start, end, weeks = _week(request)
    except BadParameter as exc:
        return _bad(exc)
    scope = user_scope(request.user)
    round_ = figures.round_figures(
        scope=scope, start=start, end=end, rapid_assessment=bool(weeks) and start == weeks[0][0]
    )
    trend = selectors.capacity_trend(scope=scope)
    as_of = request_as_of(request)
    context = {
        "start": start,
        "end": end,
        "as_of": as_of,
        # The latest assessments are older than the as-of date: the page gives their week.
        "stale": "week" not in request.GET and stale_date(end, as_of) is not None,
        "weeks": weeks,
        "figures": round_.data,
        "plan": round_.plan,
        "change": selectors.capacity_change(scope=scope, week_of=start),
        "trend": trend,
        "trend_chart": capacity_trend_chart(trend),
        "embed_options": embed_options(),
        "items": CAPACITY_ITEMS,
        "by_type": [
            (PointType(t).label, round_.data.by_type[t], round_.data.points_by_type[t])
            for t in round_.data.by_type
        ],
    }
    return render(request, "health/poe/capacity.html", context)


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
        scope=user_scope(request.user), round_start=start, round_end=end, order=order, item=item
    )
    return render(
        request,
        "health/poe/gaps.html",
        {
            "gaps": gaps,
            "start": start,
            "end": end,
            "weeks": weeks,
            "order": order,
            "item": item,
            "items": CAPACITY_ITEMS,
            "columns": GAP_COLUMNS,
            # The export is the capacity table's (the gaps are its rows answered "no").
            "export": figures.capacity_records(item, POE_TYPES, start, end, answer="no").url()
            + "&format=csv"
            if request.user.has_perm(EXPORT_PERMISSION)
            else "",
        },
    )


@login_required
@permission_required("health.add_capacityassessment", raise_exception=True)
def capacity_new(request):
    return record_form_page(
        request,
        CapacityForm(
            request.POST or None, sites=selectors.poe_sites(scope=user_scope(request.user))
        ),
        form_id="poe_capacity",
        title=_("Capacity assessment"),
        saved=_("The assessment was recorded."),
        next_url="health:capacity_list",
    )


# --- Status ---------------------------------------------------------------------------------


@login_required
@permission_required("health.view_poestatus", raise_exception=True)
def status(request):
    try:
        day = _date_param(request, "day", request_as_of(request))
    except BadParameter as exc:
        return _bad(exc)
    status_ = figures.status_figures(scope=user_scope(request.user), as_of=day)
    return render(
        request,
        "health/poe/status.html",
        {"rows": status_.rows, "day": day, "figures": status_.figures},
    )


@login_required
@permission_required("health.view_poestatus", raise_exception=True)
def status_history(request, code: str):
    scope = user_scope(request.user)
    site = get_in_scope_or_404(selectors.poe_sites(scope=scope), scope, code=code)
    history = selectors.poe_status_history(scope=scope, site=site)
    return render(request, "health/poe/status_history.html", {"site": site, "history": history})


@login_required
@permission_required("health.view_poestatus", raise_exception=True)
def status_geojson(request):
    try:
        day = _date_param(request, "day", request_as_of(request))
    except BadParameter as exc:
        return _bad(exc)
    response = JsonResponse(selectors.poe_status_geojson(scope=user_scope(request.user), day=day))
    response["Content-Type"] = "application/geo+json"
    return response


@login_required
@permission_required("health.add_poestatus", raise_exception=True)
def status_new(request):
    return record_form_page(
        request,
        StatusForm(request.POST or None, sites=selectors.poe_sites(scope=user_scope(request.user))),
        form_id="poe_status",
        title=_("Point-of-entry status"),
        saved=_("The status was recorded."),
        next_url="health:status",
    )
