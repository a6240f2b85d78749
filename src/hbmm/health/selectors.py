"""Reads of the health app: the epidemiological series and figures, the point-of-entry
capacity figures, gaps and trends, and the operational status as of a date.

Every function takes the reading `user` and applies their scope here, through
`hbmm.accounts.scope.restrict_to_scope`:
- epidemiological values: national and foreign-country series are published aggregates and
  visible to anyone allowed to read the series; regional values follow the user's area scope;
- capacity assessments and statuses follow the user's scope over the point's site and area.

Shares are returned as `Share` objects that know their numerator, their denominator, which
answers they count and which points they cover ("6 of 15 points (40 %)").
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hbmm.accounts.scope import restrict_to_scope
from hbmm.health.models import (
    CAPACITY_ITEM_FIELDS,
    CAPACITY_ITEMS,
    Answer,
    CapacityAssessment,
    EpiMetric,
    EpiSource,
    EpiValue,
    PoeStatus,
    PointType,
)
from hbmm.places.models import AdminArea, Site

# --- Epidemiological series -----------------------------------------------------------------

SOURCE_PREFERENCE = [EpiSource.MINISTRY, EpiSource.COUNTRIES_AGGREGATED, EpiSource.JHU_CSSE]


def epi_values(*, user) -> QuerySet:
    """Every epidemiological value the user may read."""
    regional = restrict_to_scope(EpiValue.objects.filter(area__level__gte=1), user)
    return EpiValue.objects.filter(Q(area__level=0) | Q(pk__in=regional.values("pk")))


def epi_national_area() -> AdminArea:
    return AdminArea.objects.get(pcode=settings.HBMM_COUNTRY_ISO3)


def epi_sources(*, user, area: AdminArea | None = None) -> list[str]:
    """The sources that report on `area` (the country by default), preferred first."""
    area = area or epi_national_area()
    present = set(epi_values(user=user).filter(area=area).values_list("source", flat=True))
    return [s for s in SOURCE_PREFERENCE if s in present]


def epi_default_source(*, user, area: AdminArea | None = None, as_of: dt.date | None = None):
    """The source with the most recent report on or before `as_of` (ties: the preferred one)."""
    area = area or epi_national_area()
    values = epi_values(user=user).filter(area=area)
    if as_of:
        values = values.filter(day__lte=as_of)
    latest: dict[str, dt.date] = {}
    for source, day in values.values_list("source", "day").order_by("source", "-day"):
        latest.setdefault(source, day)
    if not latest:
        return None
    return max(latest, key=lambda s: (latest[s], -SOURCE_PREFERENCE.index(s)))


@dataclass
class EpiDay:
    day: dt.date
    confirmed: int | None = None
    recovered: int | None = None
    deaths: int | None = None
    tests: int | None = None
    new_cases: int | None = None  # confirmed minus the previous report's confirmed
    average_7d: Decimal | None = None  # (confirmed - confirmed 7 days before) / 7
    corrections: list[str] = field(default_factory=list)  # metrics lower than the day before

    @property
    def active(self) -> int | None:
        if None in (self.confirmed, self.recovered, self.deaths):
            return None
        return self.confirmed - self.recovered - self.deaths


@dataclass
class Correction:
    day: dt.date
    metric: str
    value: int
    previous: int
    previous_day: dt.date

    @property
    def metric_label(self) -> str:
        return str(EpiMetric(self.metric).label)


@dataclass
class EpiSeries:
    area: AdminArea
    source: str | None
    days: list[EpiDay]
    corrections: list[Correction]

    @property
    def source_label(self) -> str:
        return str(EpiSource(self.source).label) if self.source else ""


def epi_series(
    *,
    user,
    area: AdminArea | None = None,
    source: str | None = None,
    end: dt.date | None = None,
) -> EpiSeries:
    """The daily series of one area (the country by default) from one source (by default the
    one with the latest report), up to `end`: values as reported, with new cases, the 7-day
    average of new cases, active cases, and every decrease of a cumulative value flagged."""
    area = area or epi_national_area()
    source = source or epi_default_source(user=user, area=area, as_of=end)
    values = epi_values(user=user).filter(area=area, source=source)
    if end:
        values = values.filter(day__lte=end)
    by_day: dict[dt.date, EpiDay] = {}
    for day, metric, value in values.order_by("day").values_list("day", "metric", "value"):
        setattr(by_day.setdefault(day, EpiDay(day=day)), metric, value)
    days = [by_day[d] for d in sorted(by_day)]
    corrections: list[Correction] = []
    last: dict[str, tuple[dt.date, int]] = {}
    for entry in days:
        for metric in EpiMetric.values:
            value = getattr(entry, metric)
            if value is None:
                continue
            if metric in last and value < last[metric][1]:
                entry.corrections.append(metric)
                corrections.append(
                    Correction(entry.day, metric, value, last[metric][1], last[metric][0])
                )
            if metric == EpiMetric.CONFIRMED and EpiMetric.CONFIRMED in last:
                entry.new_cases = value - last[metric][1]
            last[metric] = (entry.day, value)
        week_before = by_day.get(entry.day - dt.timedelta(days=7))
        if entry.confirmed is not None and week_before and week_before.confirmed is not None:
            entry.average_7d = (Decimal(entry.confirmed - week_before.confirmed) / 7).quantize(
                Decimal("0.1"), ROUND_HALF_UP
            )
    return EpiSeries(area=area, source=source, days=days, corrections=corrections)


@dataclass
class EpiFigure:
    metric: str
    value: int | None
    reported_on: dt.date | None  # the report the value comes from (on or before as_of)

    @property
    def label(self) -> str:
        return str(EpiMetric(self.metric).label)


@dataclass
class EpiFigures:
    """The situation on `as_of`: each cumulative figure from the latest report on or before
    that date, from one source, for one area."""

    as_of: dt.date
    area: AdminArea
    source: str | None
    confirmed: EpiFigure
    recovered: EpiFigure
    deaths: EpiFigure
    tests: EpiFigure
    new_cases: int | None
    average_7d: Decimal | None
    corrections: list[Correction]  # every correction in the series up to as_of

    @property
    def active(self) -> int | None:
        if None in (self.confirmed.value, self.recovered.value, self.deaths.value):
            return None
        return self.confirmed.value - self.recovered.value - self.deaths.value

    @property
    def source_label(self) -> str:
        return str(EpiSource(self.source).label) if self.source else ""

    @property
    def counts(self) -> str:
        return _(
            "Cumulative values reported for %(area)s by %(source)s, latest report on or "
            "before %(day)s."
        ) % {"area": self.area.name, "source": self.source_label, "day": self.as_of}


def epi_figures(
    *, user, as_of: dt.date, area: AdminArea | None = None, source: str | None = None
) -> EpiFigures:
    """The epidemiological situation as of a date (the plan's "806 confirmed, 455 recovered,
    46 deaths as of 15 May 2020"), for the country by default."""
    series = epi_series(user=user, area=area, source=source, end=as_of)
    figures = {}
    for metric in EpiMetric.values:
        reported = [d for d in series.days if getattr(d, metric) is not None]
        last = reported[-1] if reported else None
        figures[metric] = EpiFigure(
            metric, getattr(last, metric) if last else None, last.day if last else None
        )
    today = series.days[-1] if series.days and series.days[-1].day == as_of else None
    return EpiFigures(
        as_of=as_of,
        area=series.area,
        source=series.source,
        new_cases=today.new_cases if today else None,
        average_7d=today.average_7d if today else None,
        corrections=series.corrections,
        **figures,
    )


def epi_neighbours(*, user, as_of: dt.date) -> list[EpiFigures]:
    """The figures of the neighbouring countries that have a series, for cross-border context."""
    areas = AdminArea.objects.filter(level=0).exclude(pcode=settings.HBMM_COUNTRY_ISO3)
    present = set(epi_values(user=user).filter(area__in=areas).values_list("area", flat=True))
    return [
        epi_figures(user=user, as_of=as_of, area=a)
        for a in areas.filter(pk__in=present).order_by("pcode")
    ]


def epi_regions(*, user) -> list[AdminArea]:
    """Regions that have a reported series the user may read."""
    ids = epi_values(user=user).filter(area__level__gte=1).values("area")
    return list(AdminArea.objects.filter(pk__in=ids).order_by("pcode"))


# --- Point-of-entry capacity ----------------------------------------------------------------

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


def _region(area: AdminArea) -> AdminArea:
    """The region (adm1) of an area of level 1 to 3."""
    while area.level > 1 and area.parent_id:
        area = area.parent
    return area


def capacity_assessments(*, user, start: dt.date | None = None, end: dt.date | None = None):
    """The capacity assessments the user may read, in [start, end] (dates included)."""
    qs = restrict_to_scope(CapacityAssessment.objects.all(), user)
    if start:
        qs = qs.filter(assessed_on__gte=start)
    if end:
        qs = qs.filter(assessed_on__lte=end)
    return qs.select_related("site", "site__area__parent__parent", "submission")


def capacity_latest(
    *, user, round_start: dt.date, round_end: dt.date, kinds: tuple[str, ...] = POE_TYPES
) -> list[CapacityAssessment]:
    """The latest assessment of each point (of the given types) in the round [start, end]."""
    latest: dict[int, CapacityAssessment] = {}
    qs = capacity_assessments(user=user, start=round_start, end=round_end).filter(
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


def capacity_figures(*, user, round_start: dt.date, round_end: dt.date) -> CapacityRound:
    """Every item's "points without it" for a round, overall, by point type and by region."""
    assessments = capacity_latest(user=user, round_start=round_start, round_end=round_end)
    by_region: dict[int, tuple[AdminArea, list]] = {}
    for a in assessments:
        region = _region(a.site.area)
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
class PlanFigure:
    figure: ItemFigure
    statement: str
    round_start: dt.date
    round_end: dt.date

    @property
    def counts(self) -> str:
        """Which points and which answers the percentage counts."""
        f = self.figure
        return _(
            "%(kinds)s assessed between %(start)s and %(end)s (latest assessment of each "
            'point): %(n)d answered "no" out of %(total)d that answered yes or no; '
            "%(na)d not assessed for this item, left out."
        ) % {
            "kinds": f.kinds_label,
            "start": self.round_start,
            "end": self.round_end,
            "n": f.share.n,
            "total": f.share.total,
            "na": f.share.not_assessed,
        }


def capacity_plan_figures(*, user, round_start: dt.date, round_end: dt.date) -> list[PlanFigure]:
    """The four key figures of the plan's rapid assessment, for any round."""
    assessments = capacity_latest(user=user, round_start=round_start, round_end=round_end)
    return [
        PlanFigure(item_figure(assessments, item, kinds=kinds), str(text), round_start, round_end)
        for item, kinds, text in PLAN_FIGURES
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
    *, user, round_start: dt.date, round_end: dt.date, order: str = "site", item: str = ""
) -> list[Gap]:
    """Which point lacks what: one row per point and item answered "no" in the point's latest
    assessment of the round. `order`: site, item, type, region or date (prefix "-" reverses)."""
    reverse = order.startswith("-")
    key = GAP_ORDERS.get(order.lstrip("-"), GAP_ORDERS["site"])
    gaps = [
        Gap(a.site, a.point_type, _region(a.site.area), name, a.assessed_on, a.pk)
        for a in capacity_latest(user=user, round_start=round_start, round_end=round_end)
        for name in CAPACITY_ITEM_FIELDS
        if getattr(a, name) == Answer.NO and (not item or name == item)
    ]
    return sorted(gaps, key=key, reverse=reverse)


def iso_week_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


def capacity_weeks(*, user) -> list[tuple[dt.date, dt.date]]:
    """The ISO weeks (Monday, Sunday) with at least one assessment, oldest first."""
    days = capacity_assessments(user=user).values_list("assessed_on", flat=True).distinct()
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
    def change_n(self) -> int | None:
        return None if self.previous is None else self.current.share.n - self.previous.share.n


def capacity_change(
    *, user, week_of: dt.date, kinds: tuple[str, ...] = POE_TYPES
) -> list[ItemChange]:
    """Week-over-week change of every item: the ISO week of `week_of` against the week before."""
    start, end = iso_week_bounds(week_of)
    current = capacity_latest(user=user, round_start=start, round_end=end, kinds=kinds)
    previous = capacity_latest(
        user=user,
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
    *, user, kinds: tuple[str, ...] = POE_TYPES
) -> list[tuple[dt.date, dt.date, list[ItemFigure]]]:
    """Every item's share of points without it, week by week (ISO weeks with assessments)."""
    records = list(capacity_assessments(user=user).filter(point_type__in=kinds))
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
    site: Site
    point_type: str | None
    status: PoeStatus | None  # None: no status recorded on or before the day ("unknown")

    @property
    def status_code(self) -> str:
        return self.status.status if self.status else "unknown"


def poe_sites(*, user, kinds: tuple[str, ...] = POE_TYPES, day: dt.date | None = None) -> QuerySet:
    sites = restrict_to_scope(Site.objects.of_kind(*kinds), user)
    if day:
        sites = sites.active_on(day)
    return sites.select_related("area__parent").prefetch_related("kinds")


def poe_status_as_of(*, user, day: dt.date, kinds: tuple[str, ...] = POE_TYPES) -> list[StatusRow]:
    """The status of every point of entry the user may see, as it stood on `day`: each point's
    latest status effective on or before that day (none recorded: unknown)."""
    from hbmm.health.services import site_point_type

    latest = PoeStatus.objects.filter(site=OuterRef("pk"), effective_from__lte=day).order_by(
        "-effective_from"
    )
    sites = list(
        poe_sites(user=user, kinds=kinds, day=day).annotate(
            status_id=Subquery(latest.values("pk")[:1])
        )
    )
    statuses = PoeStatus.objects.in_bulk([s.status_id for s in sites if s.status_id])
    return [
        StatusRow(site, site_point_type(site), statuses.get(site.status_id))
        for site in sorted(sites, key=lambda s: s.code)
    ]


def poe_status_summary(*, user, day: dt.date) -> dict[str, int]:
    """How many points of entry are in each status on `day` (for the situation overview)."""
    counts = {code: 0 for code in ("fully_operational", "partially_operational", "fully_closed")}
    counts["unknown"] = 0
    for row in poe_status_as_of(user=user, day=day):
        counts[row.status_code] += 1
    return counts


def poe_status_history(*, user, site: Site) -> list[PoeStatus]:
    """Every status of one point (newest first); the caller has found `site` in scope."""
    return list(
        restrict_to_scope(PoeStatus.objects.filter(site=site), user)
        .select_related("submission")
        .order_by("-effective_from")
    )


def poe_status_geojson(*, user, day: dt.date) -> dict:
    """A GeoJSON FeatureCollection of the points of entry with their status on `day`, for a
    map layer. Points without coordinates are included with a null geometry."""
    features = []
    for row in poe_status_as_of(user=user, day=day):
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
                    "admin_pcode": site.area.pcode,
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
