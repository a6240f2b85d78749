"""Reads of the mobility app: its records and the numbers its figures are made of.

Every read goes through `hbmm.accounts.scope.restrict_to_scope` here, once: a reader sees the
records of the flow monitoring points, centres and areas under their scope (`scope=`, a
`Scope`, narrowed to a region by the caller when a page or report is about one region), and
the numbers are computed from those records only. These functions return records (querysets)
and numbers (small frozen dataclasses); the named figures, with their labels, definitions and
drill-downs, are built from them in `hbmm.mobility.figures`.

Rounding: averages and percentages are kept exact (Decimal); `round_half_up` (0.5 -> 1,
-6.5 -> -7) is what the figures show.

Size: over 500 lines because the five record reads (where scope is applied) and the
numbers computed from them change together (a new filter on a record is a new parameter of its
numbers); split, each half would import the other.
"""

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Count,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from hbmm.accounts.scope import Scope, restrict_to_scope
from hbmm.mobility.models import (
    Direction,
    DisplacementFigure,
    FlowCount,
    MobilityEvent,
    MobilitySettings,
    MrrcOccupancy,
    Reason,
    StrandedMigrants,
    Transport,
    default_border_closure_date,
)
from hbmm.mobility.summary_models import FlowMonthSummary
from hbmm.periods import in_period, utc_day
from hbmm.places.countries import country_name
from hbmm.places.models import AdminArea, Site

PLAN_FLOW_START = dt.date(2016, 6, 1)  # first day of IOM's flow monitoring in Mali (the plan)


def round_half_up(value: Decimal | None) -> int | None:
    if value is None:
        return None
    return int(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _ratio(numerator, denominator) -> Decimal | None:
    if not denominator:
        return None
    return Decimal(numerator) / Decimal(denominator)


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


def latest_data_date(*, scope: Scope) -> dt.date | None:
    """The newest observation, MRRC report or displacement round the reader may see."""
    # One statement (a union of the three maxima), not three round trips.
    newest = _newest(flow_counts(scope=scope), "observation_date").union(
        _newest(mrrc_records(scope=scope), "date"),
        _newest(displacement_records(scope=scope), "round__reporting_date"),
        all=True,
    )
    days = [d for d in newest if d is not None]
    return max(days) if days else None


def _newest(records: QuerySet, field: str) -> QuerySet:
    """The newest `field` of `records` as a one-row, one-column queryset (to be united)."""
    return (
        records.order_by()
        .annotate(_all=Value(1))
        .values("_all")
        .annotate(newest=Max(field))
        .values_list("newest", flat=True)
    )


def latest_flow_date(*, scope: Scope, on_or_before: dt.date | None = None) -> dt.date | None:
    """The newest observation date of the flow counts in scope (on or before a date)."""
    return flow_counts(scope=scope, end=on_or_before).aggregate(d=Max("observation_date"))["d"]


def flow_counts_include_demo(*, scope: Scope, start: dt.date, end: dt.date) -> bool:
    """Whether demonstration data is among the flow counts of the period (the page says so)."""
    return flow_counts(scope=scope, start=start, end=end).filter(submission__is_demo=True).exists()


def events_of_period(*, scope: Scope, start: dt.date, end: dt.date, limit: int = 50) -> list:
    """The first `limit` events of the period, oldest first, with their area and site."""
    return list(
        mobility_events(scope=scope, start=start, end=end)
        .select_related("area", "site")
        .order_by("event_date", "pk")[:limit]
    )


# --- Records (scoped) ------------------------------------------------------------------------


def flow_counts(
    *,
    scope: Scope,
    start: dt.date | None = None,
    end: dt.date | None = None,
    site: Site | None = None,
    direction: str | None = None,
    nationality: str | None = None,
    transport: str | None = None,
    reason: str | None = None,
) -> QuerySet:
    """Flow counts in the reader's scope, filtered; `start`/`end` are inclusive observation dates.

    `reason` matches the main reason or a reason counted in `reason_counts`; the empty
    string for `nationality`/`transport`/`reason` is "-" (not recorded)."""
    qs = in_period(
        restrict_to_scope(FlowCount.objects.all(), scope), "observation_date", start, end
    )
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
    scope: Scope,
    start: dt.date | None = None,
    end: dt.date | None = None,
    site: Site | None = None,
) -> QuerySet:
    qs = in_period(restrict_to_scope(StrandedMigrants.objects.all(), scope), "date", start, end)
    if site is not None:
        qs = qs.filter(site=site)
    return qs


def mrrc_records(
    *,
    scope: Scope,
    on: dt.date | None = None,
    site: Site | None = None,
    max_age_days: int = 31,
) -> QuerySet:
    """MRRC occupancy reports; with `on`, each centre's latest report dated on or before `on`
    and not older than `max_age_days` days (a centre without such a report is not counted)."""
    qs = restrict_to_scope(MrrcOccupancy.objects.all(), scope)
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


RETURNEE_FILTERS = {
    "any": Q(returnees__gt=0),
    "idp": Q(idp_returnees__gt=0),
    "abroad": Q(returnees_abroad__gt=0),
}


def displacement_records(
    *,
    scope: Scope,
    round_number: int | None = None,
    current_on: dt.date | None = None,
    returnees: str | None = None,
    origin: str | None = None,
) -> QuerySet:
    """IDP figures; with `current_on`, only each area's rows of its latest round reported on or
    before that date (the current figures). `returnees`: only rows counting returnees (`any`),
    IDP returnees (`idp`) or returnees from abroad (`abroad`); `origin`: only rows counting
    returnees from that area (P-code) or country (ISO3)."""
    qs = restrict_to_scope(DisplacementFigure.objects.all(), scope)
    if round_number is not None:
        qs = qs.filter(round__number=round_number)
    if returnees:
        qs = qs.filter(RETURNEE_FILTERS[returnees])
    if origin:
        code = origin.strip().upper()
        qs = qs.filter(
            Q(idp_returnee_origins__has_key=code) | Q(abroad_returnee_origins__has_key=code)
        )
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
    scope: Scope,
    start: dt.date | None = None,
    end: dt.date | None = None,
    event_type: str | None = None,
) -> QuerySet:
    qs = in_period(restrict_to_scope(MobilityEvent.objects.all(), scope), "event_date", start, end)
    if event_type:
        qs = qs.filter(event_type=event_type)
    return qs


# --- Numbers ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FlowTotals:
    """Individuals counted at the flow monitoring points between two dates (inclusive)."""

    start: dt.date
    end: dt.date
    individuals: int  # all directions: incoming + outgoing + internal
    incoming: int
    outgoing: int
    internal: int
    days_observed: int  # days with at least one count at any point in scope
    counts: int  # flow count records
    points: int = 0  # flow monitoring points with at least one count (a silent one is not 0)

    @property
    def average_per_day(self) -> Decimal | None:
        """Individuals per day with at least one count (exact); None without such a day."""
        return _ratio(self.individuals, self.days_observed)

    @property
    def days_in_period(self) -> int:
        return (self.end - self.start).days + 1


def _whole_months(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date] | None:
    """The first and last day of the whole calendar months inside [start, end], or None."""
    first = start if start.day == 1 else month_bounds(start)[1] + dt.timedelta(days=1)
    last = end if end == month_bounds(end)[1] else end.replace(day=1) - dt.timedelta(days=1)
    return (first, last) if first <= last else None


def flow_totals(
    *, scope: Scope, start: dt.date, end: dt.date, count_points: bool = True
) -> FlowTotals:
    """The flows of [start, end]: whole months from the month summary (`FlowMonthSummary`, kept
    equal to the records by `hbmm.mobility.summaries`), the days before and after them from the
    records, so that a period of years costs about what its edges cost. The drill-down of the
    figures still lists the records. `count_points=False`: `points` left 0 (a query saved)."""
    months = _whole_months(start, end)
    cut = scope.known_on is not None or scope.changed_after is not None
    if months is None or cut:  # a time cut: the summary holds the present, the records know when
        row = flow_counts(scope=scope, start=start, end=end).aggregate(
            individuals=Coalesce(Sum("total"), 0),
            incoming=Coalesce(Sum("total", filter=Q(direction=Direction.INCOMING)), 0),
            outgoing=Coalesce(Sum("total", filter=Q(direction=Direction.OUTGOING)), 0),
            internal=Coalesce(Sum("total", filter=Q(direction=Direction.INTERNAL)), 0),
            days_observed=Count("observation_date", distinct=True),
            counts=Count("pk"),
            points=Count("site", distinct=True),
        )
        return FlowTotals(start=start, end=end, **row)
    summary = restrict_to_scope(
        FlowMonthSummary.objects.filter(month__gte=months[0], month__lte=months[1]), scope
    )
    # One query for the sums and the days (grouped by month and day mask: few groups, as the
    # points of a deployment mostly report on the same days), one for the points when the
    # period is more than one whole month.
    keys = ("individuals", "incoming", "outgoing", "internal", "counts")
    row = dict.fromkeys(keys, 0)
    union: dict[dt.date, int] = defaultdict(int)  # month -> days with a count at any point
    groups = (
        summary.order_by()
        .values_list("month", "days_mask")
        .annotate(
            Sum("individuals"),
            Sum("incoming"),
            Sum("outgoing"),
            Sum("internal"),
            Sum("records"),
            Count("pk"),
        )
    )
    site_months = 0  # summary rows: one per point and month
    for month, mask, *sums, rows in groups:
        union[month] |= mask
        site_months += rows
        for key, value in zip(keys, sums, strict=True):
            row[key] += value
    days_observed = sum(mask.bit_count() for mask in union.values())
    points = summary.order_by().values_list("site_id").distinct()
    if start < months[0] or end > months[1]:
        # Two index ranges (one range with the months excluded would read the years between).
        edges = restrict_to_scope(
            FlowCount.objects.filter(
                Q(observation_date__gte=start, observation_date__lt=months[0])
                | Q(observation_date__gt=months[1], observation_date__lte=end)
            ),
            scope,
        )
        edge = edges.aggregate(
            individuals=Coalesce(Sum("total"), 0),
            incoming=Coalesce(Sum("total", filter=Q(direction=Direction.INCOMING)), 0),
            outgoing=Coalesce(Sum("total", filter=Q(direction=Direction.OUTGOING)), 0),
            internal=Coalesce(Sum("total", filter=Q(direction=Direction.INTERNAL)), 0),
            days_observed=Count("observation_date", distinct=True),
            counts=Count("pk"),
        )
        row = {key: row[key] + edge[key] for key in row}
        days_observed += edge["days_observed"]
        points = points.union(edges.order_by().values_list("site_id"))  # UNION: distinct
    if not count_points:
        n_points = 0
    elif months[0].replace(day=1) == months[1].replace(day=1) and not points.query.combinator:
        n_points = site_months  # one whole month: its rows are its points (no query)
    else:
        n_points = len({site_id for (site_id,) in points})
    return FlowTotals(start=start, end=end, days_observed=days_observed, points=n_points, **row)


@dataclass(frozen=True)
class FlowMonth:
    """A month's flows against the month before (each averaged over its observed days)."""

    month: FlowTotals
    previous: FlowTotals

    @property
    def change_percent(self) -> Decimal | None:
        """(average - previous average) / previous average x 100, exact; None when either
        month has no observed day."""
        average, before = self.month.average_per_day, self.previous.average_per_day
        if average is None or not before:
            return None
        return (average - before) * 100 / before


def flow_month(*, scope: Scope, month: dt.date) -> FlowMonth:
    """The flows of the month holding `month`, and of the month before."""
    first, last = month_bounds(month)
    previous_first, previous_last = month_bounds(first - dt.timedelta(days=1))
    return FlowMonth(
        month=flow_totals(scope=scope, start=first, end=last),
        previous=flow_totals(scope=scope, start=previous_first, end=previous_last),
    )


@dataclass(frozen=True)
class StrandedTotals:
    start: dt.date
    end: dt.date
    individuals: int  # sum of the stranded migrant counts
    groups: int  # records
    sites: int


def stranded_totals(*, scope: Scope, start: dt.date, end: dt.date) -> StrandedTotals:
    """Stranded migrants counted at the sites in scope, dated from `start` to `end`."""
    row = stranded_records(scope=scope, start=start, end=end).aggregate(
        individuals=Coalesce(Sum("count"), 0),
        groups=Count("pk"),
        sites=Count("site", distinct=True),
    )
    return StrandedTotals(start=start, end=end, **row)


@dataclass(frozen=True)
class IdpTotals:
    individuals: int
    households: int  # rows without households count 0
    rows: int
    areas: int
    rounds: dict  # {round number: reporting date} of the rows counted

    @property
    def latest_round(self) -> tuple[int, dt.date] | None:
        if not self.rounds:
            return None
        number = max(self.rounds, key=lambda n: self.rounds[n])
        return number, self.rounds[number]


def idp_totals(*, scope: Scope, as_of: dt.date) -> IdpTotals:
    """Current IDPs: for each area in scope, the rows of its latest displacement round
    reported on or before `as_of`."""
    rows = list(
        displacement_records(scope=scope, current_on=as_of).values_list(
            "area_id", "total", "households", "round__number", "round__reporting_date"
        )
    )  # one read, summed here (the overview's query budget)
    return IdpTotals(
        individuals=sum(r[1] for r in rows),
        households=sum(r[2] or 0 for r in rows),
        rows=len(rows),
        areas=len({r[0] for r in rows}),
        rounds=dict(sorted({r[3]: r[4] for r in rows}.items())),
    )


@dataclass(frozen=True)
class ReturneeTotals:
    """Current returnees (each area's latest round, as `idp_totals`), of whom IDP returnees and
    returnees from abroad, and the individuals per origin (P-code of an area; ISO3 of a
    country)."""

    returnees: int
    idp_returnees: int
    returnees_abroad: int
    not_broken_down: int  # returnees of rows that do not say which kind
    areas: int  # areas with returnees
    rounds: dict  # {round number: reporting date} of the rows counted
    idp_origins: dict  # {P-code: individuals}, largest first
    abroad_origins: dict  # {ISO3: individuals}, largest first

    @property
    def latest_round(self) -> tuple[int, dt.date] | None:
        if not self.rounds:
            return None
        number = max(self.rounds, key=lambda n: self.rounds[n])
        return number, self.rounds[number]


def _largest_first(counts: dict) -> dict:
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def returnee_totals(*, scope: Scope, as_of: dt.date) -> ReturneeTotals:
    """Returnees as of `as_of`: for each area in scope, the rows of its latest displacement round
    reported on or before it that count returnees."""
    every = displacement_records(scope=scope).filter(round__reporting_date__lte=as_of)
    found = list(  # one read: each area's latest round is picked here, as displacement_records does
        every.values_list(
            "returnees",
            "idp_returnees",
            "returnees_abroad",
            "idp_returnee_origins",
            "abroad_returnee_origins",
            "area_id",
            "round__number",
            "round__reporting_date",
        )
    )
    latest: dict[int, tuple] = {}
    for *_values, area_id, number, day in found:
        if area_id not in latest or (day, number) > latest[area_id]:
            latest[area_id] = (day, number)
    rows = [r for r in found if r[0] is not None and latest[r[5]] == (r[7], r[6])]
    total = idp = abroad = not_broken_down = 0
    idp_origins: dict[str, int] = {}
    abroad_origins: dict[str, int] = {}
    areas, rounds = set(), {}
    for n, n_idp, n_abroad, from_areas, from_abroad, area_id, number, day in rows:
        total += n
        if n_idp is None:
            not_broken_down += n
        else:
            idp += n_idp
            abroad += n_abroad
        for origins, counts in ((idp_origins, from_areas), (abroad_origins, from_abroad)):
            for code, k in (counts or {}).items():
                origins[code] = origins.get(code, 0) + k
        if n:
            areas.add(area_id)
        rounds[number] = day
    return ReturneeTotals(
        returnees=total,
        idp_returnees=idp,
        returnees_abroad=abroad,
        not_broken_down=not_broken_down,
        areas=len(areas),
        rounds=dict(sorted(rounds.items())),
        idp_origins=_largest_first(idp_origins),
        abroad_origins=_largest_first(abroad_origins),
    )


@dataclass(frozen=True)
class MrrcTotals:
    individuals: int
    women: int
    men: int
    children: int  # boys + girls
    not_broken_down: int  # migrants in reports without sex and age
    reports: int
    centres: list  # [(site code, report date, present)]


def mrrc_totals(*, scope: Scope, on: dt.date, max_age_days: int = 31) -> MrrcTotals:
    """Migrants present in the centres in scope: each centre's latest report dated on or
    before `on` and at most `max_age_days` days old."""
    qs = mrrc_records(scope=scope, on=on, max_age_days=max_age_days)
    row = qs.aggregate(  # named n_*: an aggregate may not take a field's name
        n_individuals=Coalesce(Sum("total"), 0),
        n_women=Coalesce(Sum("women"), 0),
        n_men=Coalesce(Sum("men"), 0),
        n_children=Coalesce(Sum(F("boys") + F("girls"), output_field=IntegerField()), 0),
        n_not_broken_down=Coalesce(Sum("total", filter=Q(men__isnull=True)), 0),
        n_reports=Count("pk"),
    )
    centres = list(qs.order_by("site__code").values_list("site__code", "date", "total"))
    return MrrcTotals(centres=centres, **{k.removeprefix("n_"): v for k, v in row.items()})


# --- Breakdowns and series -------------------------------------------------------------------


@dataclass(frozen=True)
class BreakdownRow:
    key: str  # the code counted ("-": not recorded), the value of the table filter
    label: str
    value: int


BREAKDOWNS = {
    "point": _("flow monitoring point"),
    "direction": _("direction"),
    "sex_age": _("sex and age"),
    "nationality": _("nationality"),
    "transport": _("mode of transport"),
    "reason": _("reason for travel"),
}
SEX_AGE_LABELS = {
    "men": _("men"),
    "women": _("women"),
    "boys": _("boys"),
    "girls": _("girls"),
    "unknown": _("sex and age not recorded"),
}


def flow_breakdown(*, scope: Scope, start: dt.date, end: dt.date, by: str) -> list[BreakdownRow]:
    """Individuals observed between two dates (inclusive), split by `by` (a BREAKDOWNS key);
    the rows add up to `flow_totals(...).individuals`. Largest first, except sex/age and
    direction (fixed order). A row's key is the code it counts ("-": not recorded)."""
    if by not in BREAKDOWNS:
        raise ValueError(f"unknown breakdown {by!r}")
    qs = flow_counts(scope=scope, start=start, end=end)
    not_recorded = str(_("not recorded"))
    if by == "direction":
        found = dict(qs.values_list("direction").annotate(n=Sum("total")).order_by())
        return [
            BreakdownRow(code, str(label), found[code])
            for code, label in Direction.choices
            if code in found
        ]
    if by == "sex_age":
        sums = qs.aggregate(
            n_men=Coalesce(Sum("men"), 0),
            n_women=Coalesce(Sum("women"), 0),
            n_boys=Coalesce(Sum("boys"), 0),
            n_girls=Coalesce(Sum("girls"), 0),
            n_unknown=Coalesce(Sum("total", filter=Q(men__isnull=True)), 0),
        )
        sums = {k.removeprefix("n_"): v for k, v in sums.items()}
        return [
            BreakdownRow(k, str(SEX_AGE_LABELS[k]), v)
            for k, v in sums.items()
            if v or k != "unknown"
        ]
    rows: list[BreakdownRow] = []
    if by == "point":
        sites = {s.pk: s for s in Site.objects.filter(pk__in=qs.values("site"))}
        for site_id, total in qs.values_list("site").annotate(n=Sum("total")).order_by():
            rows.append(BreakdownRow(sites[site_id].code, sites[site_id].name, total))
    elif by == "transport":
        choices = dict(Transport.choices)
        for code, total in qs.values_list(by).annotate(n=Sum("total")).order_by():
            label = str(choices.get(code, code)) if code else not_recorded
            rows.append(BreakdownRow(code or "-", label, total))
    else:  # nationality, reason: a record counts its breakdown, else its main value
        french = (get_language() or "fr").startswith("fr")
        main_field, counts_field = (
            ("nationality", "nationality_counts")
            if by == "nationality"
            else ("reason", "reason_counts")
        )
        counts: dict[str, int] = defaultdict(int)
        for main, per_code, total in qs.values_list(main_field, counts_field, "total"):
            for code, n in (per_code or {main: total}).items():
                counts[code] += n
        reasons = dict(Reason.choices)
        for code, total in counts.items():
            if not code:
                label = not_recorded
            elif by == "nationality":
                label = country_name(code, french=french)
            else:
                label = str(reasons.get(code, code))
            rows.append(BreakdownRow(code or "-", label, total))
    rows.sort(key=lambda r: (-r.value, r.label))
    return rows


def flow_daily_series(*, scope: Scope, start: dt.date, end: dt.date) -> list[dict]:
    """Individuals observed per day and direction, for charts: [{date, direction, total}],
    by date then direction; days without any count are absent (not zero)."""
    rows = (
        flow_counts(scope=scope, start=start, end=end)
        .values_list("observation_date", "direction")
        .annotate(n=Sum("total"))
        .order_by("observation_date", "direction")
    )
    return [{"date": day, "direction": direction, "total": n} for day, direction, n in rows]


@dataclass(frozen=True)
class PointTotals:
    site: Site
    total: int
    incoming: int
    outgoing: int
    internal: int
    days_observed: int  # days with at least one count at this point

    @property
    def average_per_day(self) -> Decimal | None:
        return _ratio(self.total, self.days_observed)


def flow_by_point(*, scope: Scope, start: dt.date, end: dt.date) -> list[PointTotals]:
    """Per flow monitoring point between two dates: individuals by direction and the days with
    at least one count at that point. By site code."""
    sums = (
        flow_counts(scope=scope, start=start, end=end)
        .values("site")
        .annotate(
            individuals=Sum("total"),
            incoming=Coalesce(Sum("total", filter=Q(direction=Direction.INCOMING)), 0),
            outgoing=Coalesce(Sum("total", filter=Q(direction=Direction.OUTGOING)), 0),
            internal=Coalesce(Sum("total", filter=Q(direction=Direction.INTERNAL)), 0),
            days_observed=Count("observation_date", distinct=True),
        )
        .order_by()
    )
    by_site = {row.pop("site"): row for row in sums}
    sites = Site.objects.filter(pk__in=by_site).order_by("code")
    return [
        PointTotals(site=s, total=by_site[s.pk].pop("individuals"), **by_site[s.pk]) for s in sites
    ]


@dataclass(frozen=True)
class RegionTotals:
    area: AdminArea
    total: int
    households: int


def idps_by_region(*, scope: Scope, as_of: dt.date) -> list[RegionTotals]:
    """Current IDPs (as in `idp_totals`) per region (adm1), largest first."""
    sums = (
        displacement_records(scope=scope, current_on=as_of)
        .values("area__parent")
        .annotate(n_total=Sum("total"), n_households=Coalesce(Sum("households"), Value(0)))
        .order_by()
    )
    by_region = {row["area__parent"]: row for row in sums}
    regions = {a.pk: a for a in AdminArea.objects.filter(pk__in=by_region)}
    rows = [
        RegionTotals(area=regions[pk], total=row["n_total"], households=row["n_households"])
        for pk, row in by_region.items()
    ]
    rows.sort(key=lambda r: (-r.total, r.area.pcode))
    return rows


def flow_totals_by_point_month(
    *, scope: Scope, end: dt.date, include_demo: bool = False
) -> list[tuple[str, str, dt.date, int]]:
    """(point code, direction, first day of the month, individuals) of the flow counts
    observed on or before `end`, by point, direction and month (what `hbmm publish` tabulates);
    demonstration data left out unless `include_demo`."""
    qs = flow_counts(scope=scope, end=end)
    if not include_demo:
        qs = qs.exclude(submission__is_demo=True)
    rows = (
        qs.annotate(month=TruncMonth("observation_date"))
        .values_list("site__code", "direction", "month")
        .annotate(individuals=Sum("total"))
        .order_by("site__code", "direction", "month")
    )
    return [(code, direction, _as_date(month), n) for code, direction, month, n in rows]


def idps_by_area_round(
    *, scope: Scope, as_of: dt.date, include_demo: bool = False
) -> list[tuple[str, int, dt.date, int]]:
    """(admin area P-code, round number, reporting date, IDPs) of every displacement round
    reported on or before `as_of`, by area and round (what `hbmm publish` tabulates)."""
    qs = displacement_records(scope=scope).filter(round__reporting_date__lte=as_of)
    if not include_demo:
        qs = qs.exclude(submission__is_demo=True)
    rows = (
        qs.values_list("area__pcode", "round__number", "round__reporting_date")
        .annotate(individuals=Sum("total"))
        .order_by("area__pcode", "round__number")
    )
    return list(rows)


def _as_date(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


# --- Reporting completeness ------------------------------------------------------------------

# The forms whose reports completeness counts: the model and its date of observation.
REPORTED_FORMS: dict[str, tuple[type[FlowCount] | type[MrrcOccupancy], str, str | None]] = {
    "flow_count": (FlowCount, "observation_date", "entered_at"),
    "mrrc_occupancy": (MrrcOccupancy, "date", None),
}


def reports_received(
    *, scope: Scope, form: str, start: dt.date, end: dt.date
) -> list[tuple[int, dt.date, dt.date | None]]:
    """(site id, date observed, UTC day first received) of the `form` reports observed from
    `start` to `end` in scope, one per site and day (a flow count's directions are one
    report). Received: the submission's reception time, else when the record was entered."""
    model, day_field, entered = REPORTED_FORMS[form]
    received = (
        Coalesce("submission__received_at", entered) if entered else F("submission__received_at")
    )
    rows = (
        restrict_to_scope(model._default_manager.all(), scope)
        .filter(**{f"{day_field}__gte": start, f"{day_field}__lte": end})
        .order_by()
        .values("site_id", day_field)
        .annotate(received=Min(utc_day(received)))
        .values_list("site_id", day_field, "received")
    )
    return list(rows)
