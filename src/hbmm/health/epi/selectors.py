"""Reads of the epidemiological series: the daily series of an area from one source, the
situation as of a date, the neighbouring countries and the regions that report.

Scope (applied here, through `hbmm.accounts.scope.restrict_to_scope`): national and
foreign-country series are published aggregates, visible to anyone allowed to read the series;
regional values follow the reader's area scope.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Max, Q, QuerySet
from django.utils.translation import gettext as _

from hbmm.accounts.scope import restrict_to_scope
from hbmm.health.epi.models import EpiMetric, EpiSource, EpiValue
from hbmm.places.models import AdminArea

SOURCE_PREFERENCE = [EpiSource.MINISTRY, EpiSource.COUNTRIES_AGGREGATED, EpiSource.JHU_CSSE]


def epi_values(*, scope) -> QuerySet:
    """Every epidemiological value the reader may read."""
    regional = restrict_to_scope(EpiValue.objects.filter(area__level__gte=1), scope)
    return EpiValue.objects.filter(Q(area__level=0) | Q(pk__in=regional.values("pk")))


def epi_national_area() -> AdminArea:
    return AdminArea.objects.get(pcode=settings.HBMM_COUNTRY_ISO3)


def bulletin_areas(*, scope) -> list[AdminArea]:
    """The areas a reader may enter a daily bulletin for: the country, and its regions in
    their scope (the bulletin's checks refuse the country to a regional reader)."""
    regions = restrict_to_scope(
        AdminArea.objects.filter(level=1, country_iso3=settings.HBMM_COUNTRY_ISO3), scope
    )
    return [epi_national_area(), *regions]


def epi_sources(*, scope, area: AdminArea | None = None) -> list[str]:
    """The sources that report on `area` (the country by default), preferred first."""
    area = area or epi_national_area()
    present = set(epi_values(scope=scope).filter(area=area).values_list("source", flat=True))
    return [s for s in SOURCE_PREFERENCE if s in present]


def epi_default_source(*, scope, area: AdminArea | None = None, as_of: dt.date | None = None):
    """The source with the most recent report on or before `as_of` (ties: the preferred one)."""
    area = area or epi_national_area()
    values = epi_values(scope=scope).filter(area=area)
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
    scope,
    area: AdminArea | None = None,
    source: str | None = None,
    end: dt.date | None = None,
) -> EpiSeries:
    """The daily series of one area (the country by default) from one source (by default the
    one with the latest report), up to `end`: values as reported, with new cases, the 7-day
    average of new cases, active cases, and every decrease of a cumulative value flagged."""
    area = area or epi_national_area()
    source = source or epi_default_source(scope=scope, area=area, as_of=end)
    values = epi_values(scope=scope).filter(area=area, source=source)
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
    *, scope, as_of: dt.date, area: AdminArea | None = None, source: str | None = None
) -> EpiFigures:
    """The epidemiological situation as of a date (the plan's "806 confirmed, 455 recovered,
    46 deaths as of 15 May 2020"), for the country by default."""
    series = epi_series(scope=scope, area=area, source=source, end=as_of)
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


def epi_neighbours(*, scope, as_of: dt.date) -> list[EpiFigures]:
    """The figures of the neighbouring countries that have a series, for cross-border context."""
    areas = AdminArea.objects.filter(level=0).exclude(pcode=settings.HBMM_COUNTRY_ISO3)
    present = set(epi_values(scope=scope).filter(area__in=areas).values_list("area", flat=True))
    return [
        epi_figures(scope=scope, as_of=as_of, area=a)
        for a in areas.filter(pk__in=present).order_by("pcode")
    ]


def epi_regions(*, scope) -> list[AdminArea]:
    """Regions that have a reported series the reader may read."""
    ids = epi_values(scope=scope).filter(area__level__gte=1).values("area")
    return list(AdminArea.objects.filter(pk__in=ids).order_by("pcode"))


def epi_series_area(*, scope, area: AdminArea | None) -> AdminArea | None:
    """The area whose series speaks for a reader narrowed to `area`: that area when it has its
    own series the reader may read, else None (the country's)."""
    if area is not None and area in epi_regions(scope=scope):
        return area
    return None


def latest_report_date(*, scope) -> dt.date | None:
    """The newest day any series the reader may read reports."""
    return epi_values(scope=scope).aggregate(day=Max("day"))["day"]
