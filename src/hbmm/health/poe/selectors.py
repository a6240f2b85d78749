"""Reads of the points of entry: capacity figures, gaps and trends, and the operational status
as of a date.

Scope (applied here, through `hbmm.accounts.scope.restrict_to_scope`): assessments and statuses
follow the reader's scope over the point's site and area.

Shares are returned as `Share` objects that know their numerator, their denominator, which
answers they count and which points they cover ("6 of 15 points (40 %)").
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Max, Min, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hbmm.accounts.scope import restrict_to_scope
from hbmm.health.poe.models import (
    CAPACITY_ITEM_FIELDS,
    CAPACITY_ITEMS,
    Answer,
    CapacityAssessment,
    PoeStatus,
    PointType,
    point_type_of,
)
from hbmm.periods import in_period, utc_day
from hbmm.places.models import AdminArea, Site
from hbmm.places.selectors import SITE_POINT_FIELDS, SitePoint

POE_TYPES = tuple(PointType.values)
ITEM_LABELS = dict(CAPACITY_ITEMS)
POINT_TYPE_PLURALS = {
    PointType.BCP: gettext_lazy("border crossing points"),
    PointType.ITP: gettext_lazy("internal transit points"),
    PointType.CORDON: gettext_lazy("sanitary cordons"),
}


def _percent(n: int, total: int) -> Decimal | None:
    if not total:
        return None
    return (Decimal(100 * n) / total).quantize(Decimal("1"), ROUND_HALF_UP)


@dataclass
class Share:
    """n of N (p %): `n` points answered "no", `total` answered yes or no; points where the
    item was not assessed are counted apart, never as "no"."""

    n: int
    total: int
    not_assessed: int = 0

    @property
    def pct(self) -> Decimal | None:
        return _percent(self.n, self.total)

    def __str__(self) -> str:
        if not self.total:
            return _("no answer")
        return _("%(n)d of %(total)d (%(pct)s %%)") % {
            "n": self.n,
            "total": self.total,
            "pct": self.pct,
        }


@dataclass
class ItemFigure:
    """Points without an item, among the points that answered for it."""

    item: str
    kinds: tuple[str, ...]
    share: Share
    without: list[str]  # codes of the points that answered "no"
    answered: list[str]  # codes of the points that answered yes or no
    not_assessed: list[str]  # codes of the points where the item was not assessed

    @property
    def label(self) -> str:
        return str(ITEM_LABELS[self.item])

    @property
    def kinds_label(self) -> str:
        """The point types counted, e.g. "border crossing points + internal transit points"."""
        return " + ".join(str(POINT_TYPE_PLURALS[k]) for k in self.kinds)


def region_of(area: AdminArea) -> AdminArea:
    """The region (adm1) of an area of level 1 to 3."""
    while area.level > 1 and area.parent_id:
        area = area.parent
    return area


def capacity_assessments(*, scope, start: dt.date | None = None, end: dt.date | None = None):
    """The capacity assessments in the reader's scope, in [start, end] (dates included)."""
    qs = in_period(
        restrict_to_scope(CapacityAssessment.objects.all(), scope), "assessed_on", start, end
    )
    return qs.select_related("site", "site__area__parent__parent", "submission")


def capacity_latest(
    *, scope, round_start: dt.date, round_end: dt.date, kinds: tuple[str, ...] = POE_TYPES
) -> list[CapacityAssessment]:
    """The latest assessment of each point (of the given types) in the round [start, end]."""
    latest: dict[int, CapacityAssessment] = {}
    qs = capacity_assessments(scope=scope, start=round_start, end=round_end).filter(
        point_type__in=kinds
    )
    for record in qs.order_by("site_id", "-assessed_on"):
        latest.setdefault(record.site_id, record)
    return sorted(latest.values(), key=lambda r: r.site.code)


def item_figure(assessments, item: str, *, kinds: tuple[str, ...] = POE_TYPES) -> ItemFigure:
    answers = {a.site.code: getattr(a, item) for a in assessments if a.point_type in kinds}
    without = sorted(c for c, v in answers.items() if v == Answer.NO)
    answered = sorted(c for c, v in answers.items() if v in (Answer.YES, Answer.NO))
    missing = sorted(c for c, v in answers.items() if v == Answer.NOT_ASSESSED)
    return ItemFigure(
        item=item,
        kinds=tuple(kinds),
        share=Share(len(without), len(answered), len(missing)),
        without=without,
        answered=answered,
        not_assessed=missing,
    )


@dataclass
class CapacityRound:
    round_start: dt.date
    round_end: dt.date
    assessments: list[CapacityAssessment]
    items: list[ItemFigure]  # all point types
    by_type: dict[str, list[ItemFigure]]
    by_region: list[tuple[AdminArea, list[ItemFigure]]]
    points_by_type: dict[str, int]
    health_staff_total: int
    screening_hours_average: Decimal | None

    @property
    def counts(self) -> str:
        return _(
            "Counts the latest assessment of each point between %(start)s and %(end)s "
            "(%(n)d points); a share counts the points that answered yes or no, points where "
            "the item was not assessed are left out of it."
        ) % {"start": self.round_start, "end": self.round_end, "n": len(self.assessments)}


def capacity_figures(*, scope, round_start: dt.date, round_end: dt.date) -> CapacityRound:
    """Every item's "points without it" for a round, overall, by point type and by region."""
    assessments = capacity_latest(scope=scope, round_start=round_start, round_end=round_end)
    by_region: dict[int, tuple[AdminArea, list]] = {}
    for a in assessments:
        region = region_of(a.site.area)
        by_region.setdefault(region.pk, (region, []))[1].append(a)
    hours = [
        a.screening_hours_per_day for a in assessments if a.screening_hours_per_day is not None
    ]
    return CapacityRound(
        round_start=round_start,
        round_end=round_end,
        assessments=assessments,
        items=[item_figure(assessments, i) for i in CAPACITY_ITEM_FIELDS],
        by_type={
            t: [item_figure(assessments, i, kinds=(t,)) for i in CAPACITY_ITEM_FIELDS]
            for t in POE_TYPES
        },
        by_region=[
            (region, [item_figure(records, i) for i in CAPACITY_ITEM_FIELDS])
            for region, records in sorted(by_region.values(), key=lambda r: r[0].pcode)
        ],
        points_by_type={t: sum(1 for a in assessments if a.point_type == t) for t in POE_TYPES},
        health_staff_total=sum(a.health_staff_present or 0 for a in assessments),
        screening_hours_average=(
            (sum(hours) / len(hours)).quantize(Decimal("0.1"), ROUND_HALF_UP) if hours else None
        ),
    )


# The rapid assessment's key figures as the plan states them: (item, point types, statement).
PLAN_FIGURES = [
    (
        "surveillance_system",
        ("bcp", "itp"),
        gettext_lazy(
            "of the border and transit points evaluated do not have a sanitary surveillance "
            "system on site"
        ),
    ),
    (
        "traveller_awareness",
        ("bcp", "itp"),
        gettext_lazy(
            "of the border and transit points assessed do not have an awareness system in "
            "place for travellers (posters, flyers, awareness volunteer)"
        ),
    ),
    (
        "community_awareness",
        ("cordon",),
        gettext_lazy(
            "of the communal points assessed (sanitary cordons) do not have community "
            "awareness mechanisms (posters, flyers, community awareness agents)"
        ),
    ),
    (
        "isolation_space",
        POE_TYPES,
        gettext_lazy(
            "of the points evaluated do not have a dedicated space to isolate suspect cases"
        ),
    ),
]


@dataclass
class Gap:
    site: Site
    point_type: str
    region: AdminArea
    item: str
    assessed_on: dt.date
    assessment_id: int

    @property
    def item_label(self) -> str:
        return str(ITEM_LABELS[self.item])

    @property
    def point_type_label(self) -> str:
        return str(PointType(self.point_type).label)


GAP_ORDERS = {
    "site": lambda g: (g.site.code, CAPACITY_ITEM_FIELDS.index(g.item)),
    "item": lambda g: (CAPACITY_ITEM_FIELDS.index(g.item), g.site.code),
    "type": lambda g: (POE_TYPES.index(g.point_type), g.site.code, g.item),
    "region": lambda g: (g.region.pcode, g.site.code, CAPACITY_ITEM_FIELDS.index(g.item)),
    "date": lambda g: (g.assessed_on, g.site.code, CAPACITY_ITEM_FIELDS.index(g.item)),
}


def capacity_gaps(
    *, scope, round_start: dt.date, round_end: dt.date, order: str = "site", item: str = ""
) -> list[Gap]:
    """Which point lacks what: one row per point and item answered "no" in the point's latest
    assessment of the round. `order`: site, item, type, region or date (prefix "-" reverses)."""
    reverse = order.startswith("-")
    key = GAP_ORDERS.get(order.lstrip("-"), GAP_ORDERS["site"])
    gaps = [
        Gap(a.site, a.point_type, region_of(a.site.area), name, a.assessed_on, a.pk)
        for a in capacity_latest(scope=scope, round_start=round_start, round_end=round_end)
        for name in CAPACITY_ITEM_FIELDS
        if getattr(a, name) == Answer.NO and (not item or name == item)
    ]
    return sorted(gaps, key=key, reverse=reverse)


def iso_week_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


def capacity_weeks(*, scope) -> list[tuple[dt.date, dt.date]]:
    """The ISO weeks (Monday, Sunday) with at least one assessment, oldest first."""
    days = capacity_assessments(scope=scope).values_list("assessed_on", flat=True).distinct()
    return sorted({iso_week_bounds(d) for d in days})


@dataclass
class ItemChange:
    item: str
    current: ItemFigure
    previous: ItemFigure | None

    @property
    def label(self) -> str:
        return str(ITEM_LABELS[self.item])

    @property
    def change_points(self) -> Decimal | None:
        """Change of the share without the item, in percentage points (negative: better)."""
        if self.previous is None or self.current.share.pct is None:
            return None
        if self.previous.share.pct is None:
            return None
        return self.current.share.pct - self.previous.share.pct

    @property
    def change_count(self) -> int:
        """The change's size in whole points: the number "point(s)" agrees with."""
        return abs(int(self.change_points or 0))

    @property
    def change_n(self) -> int | None:
        return None if self.previous is None else self.current.share.n - self.previous.share.n


def capacity_change(
    *, scope, week_of: dt.date, kinds: tuple[str, ...] = POE_TYPES
) -> list[ItemChange]:
    """Week-over-week change of every item: the ISO week of `week_of` against the week before."""
    start, end = iso_week_bounds(week_of)
    current = capacity_latest(scope=scope, round_start=start, round_end=end, kinds=kinds)
    previous = capacity_latest(
        scope=scope,
        round_start=start - dt.timedelta(days=7),
        round_end=end - dt.timedelta(days=7),
        kinds=kinds,
    )
    return [
        ItemChange(
            item,
            item_figure(current, item, kinds=kinds),
            item_figure(previous, item, kinds=kinds) if previous else None,
        )
        for item in CAPACITY_ITEM_FIELDS
    ]


def capacity_trend(
    *, scope, kinds: tuple[str, ...] = POE_TYPES
) -> list[tuple[dt.date, dt.date, list[ItemFigure]]]:
    """Every item's share of points without it, week by week (ISO weeks with assessments)."""
    records = list(capacity_assessments(scope=scope).filter(point_type__in=kinds))
    weeks: dict[tuple, dict[int, CapacityAssessment]] = defaultdict(dict)
    for record in sorted(records, key=lambda r: r.assessed_on, reverse=True):
        weeks[iso_week_bounds(record.assessed_on)].setdefault(record.site_id, record)
    return [
        (
            start,
            end,
            [
                item_figure(list(weeks[(start, end)].values()), i, kinds=kinds)
                for i in CAPACITY_ITEM_FIELDS
            ],
        )
        for start, end in sorted(weeks)
    ]


# --- Point-of-entry operational status ------------------------------------------------------


@dataclass
class StatusRow:
    site: SitePoint
    point_type: str | None
    status: PoeStatus | None  # None: no status recorded on or before the day ("unknown")

    @property
    def status_code(self) -> str:
        return self.status.status if self.status else "unknown"

    @property
    def point_type_label(self) -> str:
        return str(PointType(self.point_type).label) if self.point_type else ""


def poe_sites(*, scope, kinds: tuple[str, ...] = POE_TYPES, day: dt.date | None = None) -> QuerySet:
    sites = restrict_to_scope(Site.objects.of_kind(*kinds), scope)
    if day:
        sites = sites.active_on(day)
    return sites.select_related("area__parent").prefetch_related("kinds")


def poe_status_as_of(*, scope, day: dt.date, kinds: tuple[str, ...] = POE_TYPES) -> list[StatusRow]:
    """The status of every point of entry in the reader's scope, as it stood on `day`: each point's
    latest status effective on or before that day (none recorded: unknown)."""
    latest = PoeStatus.objects.filter(site=OuterRef("pk"), effective_from__lte=day).order_by(
        "-effective_from"
    )
    # Flat rows, the kinds in one read below: 1,000 points in 10 ms, not 1 s.
    sites = poe_sites(scope=scope, kinds=kinds, day=day).prefetch_related(None).select_related(None)
    rows = list(
        sites.annotate(status_id=Subquery(latest.values("pk")[:1]))
        .order_by("code")
        .values(*SITE_POINT_FIELDS, "status_id")
    )
    codes: dict[int, set[str]] = defaultdict(set)
    pairs = Site.kinds.through.objects.filter(site__in=sites.order_by().values("pk"))
    for site_id, code in pairs.values_list("site_id", "sitekind__code"):
        codes[site_id].add(code)
    statuses = PoeStatus.objects.in_bulk([row["status_id"] for row in rows if row["status_id"]])
    return [
        StatusRow(
            SitePoint.of(row), point_type_of(codes[row["pk"]]), statuses.get(row["status_id"])
        )
        for row in rows
    ]


def poe_status_history(*, scope, site: Site) -> list[PoeStatus]:
    """Every status of one point (newest first); the caller has found `site` in scope."""
    return list(
        restrict_to_scope(PoeStatus.objects.filter(site=site), scope)
        .select_related("submission")
        .order_by("-effective_from")
    )


def poe_status_geojson(*, scope, day: dt.date) -> dict:
    """A GeoJSON FeatureCollection of the points of entry with their status on `day`, for a
    map layer. Points without coordinates are included with a null geometry."""
    features = []
    for row in poe_status_as_of(scope=scope, day=day):
        site, status = row.site, row.status
        geometry = None
        if site.latitude is not None:
            geometry = {
                "type": "Point",
                "coordinates": [float(site.longitude), float(site.latitude)],
            }
        features.append(
            {
                "type": "Feature",
                "id": site.code,
                "geometry": geometry,
                "properties": {
                    "code": site.code,
                    "name": site.name,
                    "point_type": row.point_type,
                    "admin_pcode": site.area_pcode,
                    "status": row.status_code,
                    "status_label": str(status.get_status_display() if status else _("unknown")),
                    "effective_from": status.effective_from.isoformat() if status else None,
                    "restriction": status.restriction if status else "",
                    "populations_affected": status.populations_affected if status else [],
                    "health_measures": status.health_measures if status else [],
                    "daily_inflow": status.daily_inflow if status else None,
                    "daily_outflow": status.daily_outflow if status else None,
                },
            }
        )
    return {"type": "FeatureCollection", "as_of": day.isoformat(), "features": features}


def capacity_rounds(*, scope, as_of: dt.date):
    """(baseline week, latest complete week) on or before `as_of`, each (start, end) or None.

    The baseline is the first ISO week with assessments (the rapid assessment); its end is cut
    at `as_of`. The latest week is the last ISO week that ended on or before `as_of`.
    """
    weeks = [w for w in capacity_weeks(scope=scope) if w[0] <= as_of]
    if not weeks:
        return None, None
    baseline = (weeks[0][0], min(weeks[0][1], as_of))
    complete = [w for w in weeks if w[1] <= as_of]
    return baseline, (complete[-1] if complete else None)


def latest_assessment_date(*, scope) -> dt.date | None:
    return capacity_assessments(scope=scope).aggregate(day=Max("assessed_on"))["day"]


def capacity_reports_received(
    *, scope, start: dt.date, end: dt.date
) -> list[tuple[int, dt.date, dt.date | None]]:
    """(point id, date assessed, UTC day first received) of the capacity checklists from
    `start` to `end` in scope, one per point and day: for reporting completeness. Received: the
    submission's reception time, else when the checklist was recorded."""
    return list(
        restrict_to_scope(CapacityAssessment.objects.all(), scope)
        .filter(assessed_on__gte=start, assessed_on__lte=end)
        .order_by()
        .values("site_id", "assessed_on")
        .annotate(received=Min(utc_day(Coalesce("submission__received_at", "recorded_at"))))
        .values_list("site_id", "assessed_on", "received")
    )
