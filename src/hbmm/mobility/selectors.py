"""Reads of the mobility app, and its named figures.

Every read goes through `hbmm.accounts.scope.restrict_to_scope` here, once: a user sees the
records of the flow monitoring points, centres and areas under their geographic scope, and the
figures are computed from those records only. `area` arguments narrow a read further (to a
region or cercle chosen on a page); they never widen it.

Each figure function returns a `Figure`: its value, the parts it is made of (denominator,
components), its as-of date, the records it counts (`records`, a queryset) and the URL of the
page listing those records (`url`, same filters, paginated, exportable as CSV).

Rounding: averages and percentages are rounded half up (0.5 -> 1, -6.5 -> -7) to whole numbers;
the exact values are in `parts`.
"""

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from hbmm.accounts.scope import restrict_to_scope
from hbmm.mobility.countries import country_name
from hbmm.mobility.models import (
    Direction,
    DisplacementFigure,
    DisplacementRound,
    FlowCount,
    MobilityEvent,
    MobilitySettings,
    MrrcOccupancy,
    Reason,
    StrandedMigrants,
    Transport,
    default_border_closure_date,
)
from hbmm.places.models import AdminArea, Site

PLAN_FLOW_START = dt.date(2016, 6, 1)  # first day of IOM's flow monitoring in Mali (the plan)


@dataclass(frozen=True)
class Figure:
    """One number, with what it is made of, as of when, and the records it counts."""

    key: str
    value: int | Decimal | None  # None: no data (never shown as 0)
    as_of: dt.date | None
    definition: str
    parts: dict[str, Any] = field(default_factory=dict)
    records: QuerySet | None = None
    url: str = ""


@dataclass(frozen=True)
class BreakdownRow:
    key: str
    label: str
    value: int
    url: str = ""


def round_half_up(value: Decimal | None) -> int | None:
    if value is None:
        return None
    return int(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _ratio(numerator, denominator) -> Decimal | None:
    if not denominator:
        return None
    return Decimal(numerator) / Decimal(denominator)


def _url(name: str, **params) -> str:
    query = {
        k: (v.isoformat() if hasattr(v, "isoformat") else v)
        for k, v in params.items()
        if v not in (None, "")
    }
    base = reverse(name)
    return f"{base}?{urlencode(query)}" if query else base


def _code(obj, attr: str):
    return getattr(obj, attr) if obj is not None else None


def border_closure_date() -> dt.date | None:
    """The land border closure date: set by an administrator (mobility settings), else the
    HBMM_BORDER_CLOSURE_DATE setting, else None."""
    stored = (
        MobilitySettings.objects.filter(pk=1).values_list("border_closure_date", flat=True).first()
    )
    return stored or default_border_closure_date()


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    first = month.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


# --- Records (scoped) ------------------------------------------------------------------------


def flow_counts(
    *,
    scope,
    start: dt.date | None = None,
    end: dt.date | None = None,
    area: AdminArea | None = None,
    site: Site | None = None,
    direction: str | None = None,
    nationality: str | None = None,
    transport: str | None = None,
    reason: str | None = None,
) -> QuerySet:
    """Flow counts in the reader's scope, filtered; `start`/`end` are inclusive observation dates.

    `reason` matches the main reason or a reason counted in `reason_counts`; the empty
    string for `nationality`/`transport`/`reason` is "-" (not recorded)."""
    qs = restrict_to_scope(FlowCount.objects.all(), scope)
    if start:
        qs = qs.filter(observation_date__gte=start)
    if end:
        qs = qs.filter(observation_date__lte=end)
    if area is not None:
        qs = qs.filter(site__area__path__startswith=area.path)
    if site is not None:
        qs = qs.filter(site=site)
    if direction:
        qs = qs.filter(direction=direction)
    if nationality:
        if nationality == "-":
            qs = qs.filter(nationality="", nationality_counts={})
        else:
            qs = qs.filter(
                Q(nationality_counts__has_key=nationality)
                | Q(nationality=nationality, nationality_counts={})
            )
    if transport:
        qs = qs.filter(transport="" if transport == "-" else transport)
    if reason:
        if reason == "-":
            qs = qs.filter(reason="", reason_counts={})
        else:
            qs = qs.filter(Q(reason_counts__has_key=reason) | Q(reason=reason, reason_counts={}))
    return qs


def stranded_records(
    *,
    scope,
    start: dt.date | None = None,
    end: dt.date | None = None,
    area: AdminArea | None = None,
    site: Site | None = None,
) -> QuerySet:
    qs = restrict_to_scope(StrandedMigrants.objects.all(), scope)
    if start:
        qs = qs.filter(date__gte=start)
    if end:
        qs = qs.filter(date__lte=end)
    if area is not None:
        qs = qs.filter(site__area__path__startswith=area.path)
    if site is not None:
        qs = qs.filter(site=site)
    return qs


def mrrc_records(
    *,
    scope,
    on: dt.date | None = None,
    area: AdminArea | None = None,
    site: Site | None = None,
    max_age_days: int = 31,
) -> QuerySet:
    """MRRC occupancy reports; with `on`, each centre's latest report dated on or before `on`
    and not older than `max_age_days` days (a centre without such a report is not counted)."""
    qs = restrict_to_scope(MrrcOccupancy.objects.all(), scope)
    if area is not None:
        qs = qs.filter(site__area__path__startswith=area.path)
    if site is not None:
        qs = qs.filter(site=site)
    if on is not None:
        latest = (
            MrrcOccupancy.objects.filter(site=OuterRef("site"), date__lte=on)
            .order_by("-date")
            .values("date")[:1]
        )
        qs = qs.filter(
            date__lte=on, date__gt=on - dt.timedelta(days=max_age_days), date=Subquery(latest)
        )
    return qs


def displacement_records(
    *,
    scope,
    round_number: int | None = None,
    current_on: dt.date | None = None,
    area: AdminArea | None = None,
) -> QuerySet:
    """IDP figures; with `current_on`, only each area's rows of its latest round reported on or
    before that date (the current figures)."""
    qs = restrict_to_scope(DisplacementFigure.objects.all(), scope)
    if area is not None:
        qs = qs.filter(area__path__startswith=area.path)
    if round_number is not None:
        qs = qs.filter(round__number=round_number)
    if current_on is not None:
        rows = list(
            qs.filter(round__reporting_date__lte=current_on).values_list(
                "pk", "area_id", "round__reporting_date", "round__number"
            )
        )
        latest: dict[int, tuple] = {}
        for _pk, area_id, day, number in rows:
            if area_id not in latest or (day, number) > latest[area_id]:
                latest[area_id] = (day, number)
        keep = [pk for pk, area_id, day, number in rows if latest[area_id] == (day, number)]
        qs = qs.filter(pk__in=keep)
    return qs


def mobility_events(
    *,
    scope,
    start: dt.date | None = None,
    end: dt.date | None = None,
    area: AdminArea | None = None,
    event_type: str | None = None,
) -> QuerySet:
    qs = restrict_to_scope(MobilityEvent.objects.all(), scope)
    if start:
        qs = qs.filter(event_date__gte=start)
    if end:
        qs = qs.filter(event_date__lte=end)
    if area is not None:
        qs = qs.filter(area__path__startswith=area.path)
    if event_type:
        qs = qs.filter(event_type=event_type)
    return qs


def displacement_rounds() -> QuerySet:
    """Rounds are not scoped (a round is a date and a number; its figures are)."""
    return DisplacementRound.objects.all()


# --- Figures ---------------------------------------------------------------------------------


def _flow_totals(qs: QuerySet) -> dict:
    row = qs.aggregate(
        individuals=Coalesce(Sum("total"), 0),
        incoming=Coalesce(Sum("total", filter=Q(direction=Direction.INCOMING)), 0),
        outgoing=Coalesce(Sum("total", filter=Q(direction=Direction.OUTGOING)), 0),
        internal=Coalesce(Sum("total", filter=Q(direction=Direction.INTERNAL)), 0),
        days=Count("observation_date", distinct=True),
        rows=Count("pk"),
    )
    return row


def flow_monthly_average(*, scope, month: dt.date, area: AdminArea | None = None) -> Figure:
    """Average individuals observed per day at flow monitoring points in a month.

    value = (individuals counted at the flow monitoring points in the reader's scope, all
    directions, with an observation date in the month) / (days of that month with at least one
    flow count at any of those points), rounded half up; None when no day was observed.
    parts: total, days_observed, days_in_month, average (exact), previous_average (same
    definition, previous month; None when it has no observation) and change_percent =
    (average - previous_average) / previous_average x 100 from the exact averages, rounded half
    up (None without a previous average). as_of: the last day of the month.
    """
    first, last = month_bounds(month)
    qs = flow_counts(scope=scope, start=first, end=last, area=area)
    totals = _flow_totals(qs)
    average = _ratio(totals["individuals"], totals["days"])
    prev_first, prev_last = month_bounds(first - dt.timedelta(days=1))
    prev = _flow_totals(flow_counts(scope=scope, start=prev_first, end=prev_last, area=area))
    previous_average = _ratio(prev["individuals"], prev["days"])
    change = None
    if average is not None and previous_average:
        change = (average - previous_average) * 100 / previous_average
    return Figure(
        key="mobility.flow_monthly_average",
        value=round_half_up(average),
        as_of=last,
        definition=str(
            _(
                "Individuals counted at the flow monitoring points in the month, divided by the "
                "number of days of the month with at least one count."
            )
        ),
        parts={
            "total": totals["individuals"],
            "days_observed": totals["days"],
            "days_in_month": (last - first).days + 1,
            "average": average,
            "previous_month": prev_first,
            "previous_total": prev["individuals"],
            "previous_days_observed": prev["days"],
            "previous_average": previous_average,
            "previous_average_rounded": round_half_up(previous_average),
            "change_percent_exact": change,
            "change_percent": round_half_up(change),
        },
        records=qs,
        url=_url("mobility:flows", start=first, end=last, area=_code(area, "pcode")),
    )


def flow_cumulative(
    *, scope, start: dt.date, end: dt.date, area: AdminArea | None = None
) -> Figure:
    """Cumulative individuals observed at flow monitoring points between two dates (inclusive).

    value = individuals counted, all directions, observation date from `start` to `end`.
    parts: incoming, outgoing, internal (they add up to the value), days_observed (days with at
    least one count at any point in scope), average_per_day = value / days_observed rounded
    half up (average_per_day_exact unrounded). as_of: `end`.
    """
    qs = flow_counts(scope=scope, start=start, end=end, area=area)
    totals = _flow_totals(qs)
    average = _ratio(totals["individuals"], totals["days"])
    return Figure(
        key="mobility.flow_cumulative",
        value=totals["individuals"] if totals["rows"] else None,
        as_of=end,
        definition=str(
            _(
                "Individuals counted at the flow monitoring points between the two dates "
                "(inclusive), incoming and outgoing; average per day with at least one count."
            )
        ),
        parts={
            "start": start,
            "end": end,
            "incoming": totals["incoming"],
            "outgoing": totals["outgoing"],
            "internal": totals["internal"],
            "days_observed": totals["days"],
            "days_in_period": (end - start).days + 1,
            "average_per_day": round_half_up(average),
            "average_per_day_exact": average,
            "urls": {
                d: _url(
                    "mobility:flows", start=start, end=end, direction=d, area=_code(area, "pcode")
                )
                for d in Direction.values
            },
        },
        records=qs,
        url=_url("mobility:flows", start=start, end=end, area=_code(area, "pcode")),
    )


def flow_until_border_closure(
    *, scope, start: dt.date = PLAN_FLOW_START, area: AdminArea | None = None
) -> Figure | None:
    """`flow_cumulative` from `start` to the day before the land border closure date (the
    plan's "since June 2016 until the closure of the land borders"). None when no closure date
    is set."""
    closure = border_closure_date()
    if closure is None:
        return None
    return flow_cumulative(scope=scope, start=start, end=closure - dt.timedelta(days=1), area=area)


def stranded_in_period(
    *, scope, start: dt.date, end: dt.date, area: AdminArea | None = None
) -> Figure:
    """Stranded migrants counted in a period.

    value = sum of the stranded migrant counts (StrandedMigrants records) dated from `start` to
    `end` inclusive, at the sites in scope. parts: groups (records), sites (distinct sites).
    as_of: `end`.
    """
    qs = stranded_records(scope=scope, start=start, end=end, area=area)
    row = qs.aggregate(
        individuals=Coalesce(Sum("count"), 0),
        groups=Count("pk"),
        sites=Count("site", distinct=True),
    )
    return Figure(
        key="mobility.stranded_in_period",
        value=row["individuals"] if row["groups"] else None,
        as_of=end,
        definition=str(_("Stranded migrants counted at the sites between the two dates.")),
        parts={"start": start, "end": end, "groups": row["groups"], "sites": row["sites"]},
        records=qs,
        url=_url("mobility:stranded", start=start, end=end, area=_code(area, "pcode")),
    )


def stranded_after_border_closure(
    *, scope, days: int = 7, area: AdminArea | None = None
) -> Figure | None:
    """`stranded_in_period` over the first `days` days from the land border closure date
    (closure day included): the plan's "within the first week of the closure"."""
    closure = border_closure_date()
    if closure is None:
        return None
    return stranded_in_period(
        scope=scope, start=closure, end=closure + dt.timedelta(days=days - 1), area=area
    )


def idps_current(*, scope, as_of: dt.date | None = None, area: AdminArea | None = None) -> Figure:
    """Current internally displaced persons.

    For each adm2 area in scope, the rows of its latest displacement round reported on or
    before `as_of` (today when None); value = sum of their IDP individuals. as_of: the latest
    reporting date among the rounds counted. parts: households (rows without households count
    0), rounds ({number: reporting date}), areas (number of areas counted).
    """
    as_of = as_of or dt.date.today()
    qs = displacement_records(scope=scope, current_on=as_of, area=area)
    row = qs.aggregate(
        individuals=Coalesce(Sum("total"), 0),
        households=Coalesce(Sum("households"), 0),
        rows=Count("pk"),
        areas=Count("area", distinct=True),
    )
    rounds = dict(
        qs.values_list("round__number", "round__reporting_date")
        .distinct()
        .order_by("round__number")
    )
    return Figure(
        key="mobility.idps_current",
        value=row["individuals"] if row["rows"] else None,
        as_of=max(rounds.values()) if rounds else None,
        definition=str(
            _("Internally displaced persons: for each cercle, the figure of its latest round.")
        ),
        parts={"households": row["households"], "rounds": rounds, "areas": row["areas"]},
        records=qs,
        url=_url("mobility:displacement", current=1, as_of=as_of, area=_code(area, "pcode")),
    )


def mrrc_occupancy(
    *, scope, on: dt.date, area: AdminArea | None = None, max_age_days: int = 31
) -> Figure:
    """Migrants present in the migrant resource and response centres (MRRC) on a date.

    For each centre in scope, its latest occupancy report dated on or before `on` and at most
    `max_age_days` days old; value = sum of migrants present. parts: women, men, children
    (boys + girls), not_broken_down (migrants in reports without sex/age), centres ([(site
    code, report date, present)]). as_of: `on`.
    """
    qs = mrrc_records(scope=scope, on=on, area=area, max_age_days=max_age_days)
    row = qs.aggregate(
        individuals=Coalesce(Sum("total"), 0),
        n_women=Coalesce(Sum("women"), 0),
        n_men=Coalesce(Sum("men"), 0),
        n_children=Coalesce(Sum(F("boys") + F("girls"), output_field=IntegerField()), 0),
        unknown=Coalesce(Sum("total", filter=Q(men__isnull=True)), 0),
        rows=Count("pk"),
    )
    centres = list(qs.order_by("site__code").values_list("site__code", "date", "total"))
    return Figure(
        key="mobility.mrrc_occupancy",
        value=row["individuals"] if row["rows"] else None,
        as_of=on,
        definition=str(
            _("Migrants present in the centres: each centre's latest report on or before the date.")
        ),
        parts={
            "women": row["n_women"],
            "men": row["n_men"],
            "children": row["n_children"],
            "not_broken_down": row["unknown"],
            "centres": centres,
        },
        records=qs,
        url=_url("mobility:mrrc", on=on, area=_code(area, "pcode")),
    )


# --- Breakdowns and series -------------------------------------------------------------------

BREAKDOWNS = {
    "point": _("flow monitoring point"),
    "direction": _("direction"),
    "sex_age": _("sex and age"),
    "nationality": _("nationality"),
    "transport": _("mode of transport"),
    "reason": _("reason for travel"),
}


def flow_breakdown(
    *, scope, start: dt.date, end: dt.date, by: str, area: AdminArea | None = None
) -> list[BreakdownRow]:
    """Individuals observed between two dates (inclusive), split by `by` (a BREAKDOWNS key);
    the rows add up to `flow_cumulative`'s value. Largest first, except sex/age and direction
    (fixed order). Each row links to the records it counts."""
    if by not in BREAKDOWNS:
        raise ValueError(f"unknown breakdown {by!r}")
    qs = flow_counts(scope=scope, start=start, end=end, area=area)
    common = {"start": start, "end": end, "area": _code(area, "pcode")}
    not_recorded = str(_("not recorded"))
    rows: list[BreakdownRow] = []
    if by == "point":
        sites = {s.pk: s for s in Site.objects.filter(pk__in=qs.values("site"))}
        for site_id, total in qs.values_list("site").annotate(n=Sum("total")).order_by():
            site = sites[site_id]
            rows.append(
                BreakdownRow(
                    site.code, site.name, total, _url("mobility:flows", site=site.code, **common)
                )
            )
    elif by == "direction":
        found = dict(qs.values_list("direction").annotate(n=Sum("total")).order_by())
        for code, label in Direction.choices:
            if code in found:
                rows.append(
                    BreakdownRow(
                        code,
                        str(label),
                        found[code],
                        _url("mobility:flows", direction=code, **common),
                    )
                )
        return rows
    elif by == "sex_age":
        sums = qs.aggregate(
            n_men=Coalesce(Sum("men"), 0),
            n_women=Coalesce(Sum("women"), 0),
            n_boys=Coalesce(Sum("boys"), 0),
            n_girls=Coalesce(Sum("girls"), 0),
            n_unknown=Coalesce(Sum("total", filter=Q(men__isnull=True)), 0),
        )
        sums = {k.removeprefix("n_"): v for k, v in sums.items()}
        labels = {
            "men": _("men"),
            "women": _("women"),
            "boys": _("boys"),
            "girls": _("girls"),
            "unknown": _("sex and age not recorded"),
        }
        url = _url("mobility:flows", **common)
        return [
            BreakdownRow(k, str(labels[k]), v, url) for k, v in sums.items() if v or k != "unknown"
        ]
    elif by == "nationality":
        french = (get_language() or "fr").startswith("fr")
        counts = defaultdict(int)
        for main, per_country, total in qs.values_list(
            "nationality", "nationality_counts", "total"
        ):
            for code, n in (per_country or {main: total}).items():
                counts[code] += n
        for code, total in counts.items():
            label = country_name(code, french=french) if code else not_recorded
            rows.append(
                BreakdownRow(
                    code or "-",
                    label,
                    total,
                    _url("mobility:flows", nationality=code or "-", **common),
                )
            )
    elif by == "transport":
        choices = dict(Transport.choices)
        for code, total in qs.values_list(by).annotate(n=Sum("total")).order_by():
            label = str(choices.get(code, code)) if code else not_recorded
            rows.append(
                BreakdownRow(
                    code or "-", label, total, _url("mobility:flows", **{by: code or "-"}, **common)
                )
            )
    else:  # reason
        counts: dict[str, int] = defaultdict(int)
        for main, per_reason, total in qs.values_list("reason", "reason_counts", "total"):
            for code, n in (per_reason or {main: total}).items():
                counts[code] += n
        labels = dict(Reason.choices)
        for code, total in counts.items():
            label = str(labels.get(code, code)) if code else not_recorded
            rows.append(
                BreakdownRow(
                    code or "-", label, total, _url("mobility:flows", reason=code or "-", **common)
                )
            )
    rows.sort(key=lambda r: (-r.value, r.label))
    return rows


def flow_daily_series(
    *, scope, start: dt.date, end: dt.date, area: AdminArea | None = None
) -> list[dict]:
    """Individuals observed per day and direction, for charts: [{date, direction, total}],
    by date then direction; days without any count are absent (not zero)."""
    qs = flow_counts(scope=scope, start=start, end=end, area=area)
    rows = (
        qs.values_list("observation_date", "direction")
        .annotate(n=Sum("total"))
        .order_by("observation_date", "direction")
    )
    return [{"date": day, "direction": direction, "total": n} for day, direction, n in rows]


@dataclass(frozen=True)
class PointRow:
    site: Site
    total: int
    incoming: int
    outgoing: int
    internal: int
    days_observed: int
    average_per_day: int | None
    url: str
    direction_urls: dict = field(default_factory=dict)


def flow_by_point(
    *, scope, start: dt.date, end: dt.date, area: AdminArea | None = None
) -> list[PointRow]:
    """Per flow monitoring point between two dates: individuals by direction, days with at least
    one count at that point, and the average per such day (rounded half up). By site code."""
    qs = flow_counts(scope=scope, start=start, end=end, area=area)
    sums = (
        qs.values("site")
        .annotate(
            individuals=Sum("total"),
            incoming=Coalesce(Sum("total", filter=Q(direction=Direction.INCOMING)), 0),
            outgoing=Coalesce(Sum("total", filter=Q(direction=Direction.OUTGOING)), 0),
            internal=Coalesce(Sum("total", filter=Q(direction=Direction.INTERNAL)), 0),
            days=Count("observation_date", distinct=True),
        )
        .order_by()
    )
    by_site = {row["site"]: row for row in sums}
    sites = Site.objects.filter(pk__in=by_site).order_by("code")
    common = {"start": start, "end": end}
    return [
        PointRow(
            site=s,
            total=by_site[s.pk]["individuals"],
            incoming=by_site[s.pk]["incoming"],
            outgoing=by_site[s.pk]["outgoing"],
            internal=by_site[s.pk]["internal"],
            days_observed=by_site[s.pk]["days"],
            average_per_day=round_half_up(
                _ratio(by_site[s.pk]["individuals"], by_site[s.pk]["days"])
            ),
            url=_url("mobility:flows", site=s.code, **common),
            direction_urls={
                d: _url("mobility:flows", site=s.code, direction=d, **common)
                for d in Direction.values
            },
        )
        for s in sites
    ]


@dataclass(frozen=True)
class RegionRow:
    area: AdminArea
    total: int
    households: int
    url: str


def idps_by_region(
    *, scope, as_of: dt.date | None = None, area: AdminArea | None = None
) -> list[RegionRow]:
    """Current IDPs (as in `idps_current`) per region (adm1), largest first."""
    as_of = as_of or dt.date.today()
    qs = displacement_records(scope=scope, current_on=as_of, area=area)
    sums = (
        qs.values("area__parent")
        .annotate(individuals=Sum("total"), households=Coalesce(Sum("households"), Value(0)))
        .order_by()
    )
    by_region = {row["area__parent"]: row for row in sums}
    regions = {a.pk: a for a in AdminArea.objects.filter(pk__in=by_region)}
    rows = [
        RegionRow(
            area=regions[pk],
            total=row["individuals"],
            households=row["households"],
            url=_url("mobility:displacement", current=1, as_of=as_of, area=regions[pk].pcode),
        )
        for pk, row in by_region.items()
    ]
    rows.sort(key=lambda r: (-r.total, r.area.pcode))
    return rows


def areas_for_filter(scope) -> QuerySet:
    """Mali's country and regions the user may choose on the mobility page (within scope)."""
    return restrict_to_scope(
        AdminArea.objects.filter(country_iso3="MLI", level__lte=AdminArea.Level.ADM1), scope
    ).order_by("path")


def situation_overview(
    *, scope, as_of: dt.date, area: AdminArea | None = None
) -> dict[str, Figure | None]:
    """The plan's "migrants in vulnerable situation" figures as of a date, by name:

    - `flow_monthly_average`: the last complete month before `as_of` (on 15 May 2020: April
      2020), with its change on the month before (`parts["change_percent"]`);
    - `flow_until_border_closure`: 1 June 2016 to the day before the closure (None without a
      closure date, or when the closure is after `as_of`);
    - `stranded_after_border_closure`: the first week from the closure (same conditions);
    - `idps_current`: each cercle's latest round reported on or before `as_of`;
    - `mrrc_occupancy`: each centre's latest report on or before `as_of`.
    """
    last_month = as_of.replace(day=1) - dt.timedelta(days=1)
    closure = border_closure_date()
    closed = closure is not None and closure <= as_of
    return {
        "flow_monthly_average": flow_monthly_average(scope=scope, month=last_month, area=area),
        "flow_until_border_closure": (
            flow_until_border_closure(scope=scope, area=area) if closed else None
        ),
        "stranded_after_border_closure": (
            stranded_after_border_closure(scope=scope, area=area) if closed else None
        ),
        "idps_current": idps_current(scope=scope, as_of=as_of, area=area),
        "mrrc_occupancy": mrrc_occupancy(scope=scope, on=as_of, area=area),
    }
