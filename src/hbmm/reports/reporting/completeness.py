"""Who has not reported: each site kind's reporting schedule per form (data:
`reports/data/reporting_schedules.json`), then, per site, form and period, whether a report
was expected, received, and received on time.

- A site is expected to report a period when it has one of the schedule's kinds, is in the
  reader's scope and was active during the period; periods not over yet are not expected.
- A report is received when a record of the form is observed in the period (the domains'
  selectors give the site, the date observed and the UTC day it was first received); it is on
  time when it was received by the end of the `due_days`th day after the period (UTC).
- Daily periods are days; weekly periods are ISO weeks (Monday to Sunday).
"""

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import NamedTuple

from django.db.models import Q
from django.utils.translation import get_language

from hbmm.accounts.scope import Scope, sites_in_scope
from hbmm.health.poe import selectors as poe_selectors
from hbmm.mobility import selectors as mobility_selectors
from hbmm.places.selectors import SITE_POINT_FIELDS, SitePoint

SCHEDULES_FILE = Path(__file__).resolve().parents[1] / "data" / "reporting_schedules.json"
FREQUENCIES = ("daily", "weekly")

Received = list[tuple[int, dt.date, dt.date | None]]


def _mobility(form: str) -> Callable[..., Received]:
    def read(*, scope: Scope, start: dt.date, end: dt.date) -> Received:
        return mobility_selectors.reports_received(scope=scope, form=form, start=start, end=end)

    return read


# form id -> the selector of its reports: (site id, date observed, UTC day first received).
SOURCES: dict[str, Callable[..., Received]] = {
    "flow_count": _mobility("flow_count"),
    "mrrc_occupancy": _mobility("mrrc_occupancy"),
    "poe_capacity": poe_selectors.capacity_reports_received,
}


class ScheduleError(ValueError):
    """The schedules file is wrong; the message names the schedule and the field."""


@dataclass(frozen=True)
class Schedule:
    form: str
    label_fr: str
    label_en: str
    site_kinds: tuple[str, ...]
    frequency: str
    due_days: int
    permission: str
    supervisor_roles: tuple[str, ...]

    @property
    def label(self) -> str:
        return self.label_en if (get_language() or "fr").startswith("en") else self.label_fr

    def periods(self, start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
        """The periods from `start` to `end`: days, or the ISO weeks holding those days."""
        if self.frequency == "daily":
            return [
                (start + dt.timedelta(n), start + dt.timedelta(n))
                for n in range((end - start).days + 1)
            ]
        monday = start - dt.timedelta(days=start.weekday())
        weeks = []
        while monday <= end:
            weeks.append((monday, monday + dt.timedelta(days=6)))
            monday += dt.timedelta(days=7)
        return weeks

    def due_on(self, period_end: dt.date) -> dt.date:
        """A report of the period is on time when received on this day (UTC) or before."""
        return period_end + dt.timedelta(days=self.due_days)


def schedules_parse(data: dict) -> list[Schedule]:
    """The schedules of a file's content, each checked (a ScheduleError names what is wrong)."""
    result = []
    for index, row in enumerate(data.get("schedules", []), start=1):
        where = f"schedule {index} ({row.get('form', '?')})"
        if row.get("form") not in SOURCES:
            raise ScheduleError(f"{where}: form must be one of {', '.join(sorted(SOURCES))}")
        if row.get("frequency") not in FREQUENCIES:
            raise ScheduleError(f"{where}: frequency must be daily or weekly")
        due = row.get("due_days")
        if not isinstance(due, int) or isinstance(due, bool) or not 0 <= due <= 31:
            raise ScheduleError(f"{where}: due_days must be a whole number of days, 0 to 31")
        kinds = row.get("site_kinds")
        if not kinds or not all(isinstance(k, str) for k in kinds):
            raise ScheduleError(f"{where}: site_kinds must list site kind codes")
        result.append(
            Schedule(
                form=row["form"],
                label_fr=row["label_fr"],
                label_en=row["label_en"],
                site_kinds=tuple(kinds),
                frequency=row["frequency"],
                due_days=due,
                permission=row["permission"],
                supervisor_roles=tuple(row.get("supervisor_roles", ())),
            )
        )
    forms = [s.form for s in result]
    if len(set(forms)) != len(forms):
        raise ScheduleError("each form has one schedule")
    return result


@cache
def schedules() -> tuple[Schedule, ...]:
    """The shipped schedules, read once per process."""
    return tuple(schedules_parse(json.loads(SCHEDULES_FILE.read_text(encoding="utf-8"))))


def schedule_get(form: str) -> Schedule | None:
    return next((s for s in schedules() if s.form == form), None)


class PeriodStatus(NamedTuple):
    """One period a site was expected to report (a row: a week of 1,000 daily points makes
    7,000 of them for the table page)."""

    start: dt.date
    end: dt.date
    received_on: dt.date | None  # UTC day the first report was received (None: entered by hand)
    received: bool
    on_time: bool


class SiteCounts(NamedTuple):
    """One site's reporting of one form over the periods asked, as counts (the figures and
    the map: no period built)."""

    site: SitePoint
    schedule: Schedule
    expected: int
    received: int
    on_time: int

    @property
    def complete(self) -> bool:
        return self.received == self.expected

    @property
    def late(self) -> int:
        return self.received - self.on_time


@dataclass(frozen=True)
class SiteReporting:
    """One site's reporting of one form over the periods asked."""

    site: SitePoint
    schedule: Schedule
    periods: tuple[PeriodStatus, ...]  # the periods it was expected to report

    @property
    def expected(self) -> int:
        return len(self.periods)

    @property
    def received(self) -> int:
        return sum(p.received for p in self.periods)

    @property
    def on_time(self) -> int:
        return sum(p.on_time for p in self.periods)

    @property
    def complete(self) -> bool:
        return self.received == self.expected

    @property
    def missing(self) -> list[PeriodStatus]:
        return [p for p in self.periods if not p.received]

    @property
    def late(self) -> list[PeriodStatus]:
        return [p for p in self.periods if p.received and not p.on_time]


@dataclass(frozen=True)
class _Expected:
    """What the counts and the periods are made from: the periods over, the sites expected in
    them, and per site the periods it reported, each with the day it was first received."""

    periods: list[tuple[dt.date, dt.date]]
    sites: list[SitePoint]  # read flat: 1,000 points as Site and area instances cost 0.1 s
    # site id -> (active from, active to), for the sites with either
    windows: dict[int, tuple[dt.date | None, dt.date | None]]
    # site id -> index of a period it reported -> the UTC day of its first known reception
    # (None: every report of the period was entered by hand)
    reported: dict[int, dict[int, dt.date | None]]

    def active(self, site: SitePoint) -> range | list[int]:
        """The indices of the periods `site` was active in (all of them, mostly)."""
        if site.pk not in self.windows:
            return range(len(self.periods))
        active_from, active_to = self.windows[site.pk]
        return [
            i
            for i, (p_start, p_end) in enumerate(self.periods)
            if not (active_from and active_from > p_end) and not (active_to and active_to < p_start)
        ]


def _on_time(received_on: dt.date | None, due_on: dt.date) -> bool:
    # A report with no reception time was entered by hand: not late.
    return received_on is None or received_on <= due_on


def _expected(
    *, scope: Scope, schedule: Schedule, start: dt.date, end: dt.date, today: dt.date
) -> _Expected | None:
    """The periods from `start` to `end` over before `today`, the sites expected in them and
    their reports (two flat queries: the sites, the reports). None: no period is over, or no
    site is expected."""
    periods = [p for p in schedule.periods(start, end) if p[1] < today]
    if not periods:
        return None
    first, last = periods[0][0], periods[-1][1]
    rows = (
        sites_in_scope(scope)
        .filter(kinds__code__in=schedule.site_kinds)
        .filter(Q(active_from__isnull=True) | Q(active_from__lte=last))
        .filter(Q(active_to__isnull=True) | Q(active_to__gte=first))
        .distinct()
        .order_by("code")
        .values(*SITE_POINT_FIELDS, "active_from", "active_to")
    )
    sites, windows = [], {}
    for row in rows:
        sites.append(SitePoint.of(row))
        if row["active_from"] or row["active_to"]:
            windows[row["pk"]] = (row["active_from"], row["active_to"])
    if not sites:
        return None  # nobody expected: the reports are not read
    index = {
        p_start + dt.timedelta(n): i
        for i, (p_start, p_end) in enumerate(periods)
        for n in range((p_end - p_start).days + 1)
    }
    reported: dict[int, dict[int, dt.date | None]] = {}
    for site_id, day, received_on in SOURCES[schedule.form](scope=scope, start=first, end=last):
        own = reported.setdefault(site_id, {})
        i = index[day]
        if i not in own:
            own[i] = received_on
            continue
        known = own[i]
        if received_on is not None and (known is None or received_on < known):
            own[i] = received_on  # the first known reception of the period
    return _Expected(periods=periods, sites=sites, windows=windows, reported=reported)


def site_counts(
    *, scope: Scope, schedule: Schedule, start: dt.date, end: dt.date, today: dt.date
) -> list[SiteCounts]:
    """As `site_reporting`, counted: each site's expected, received and on-time periods."""
    found = _expected(scope=scope, schedule=schedule, start=start, end=end, today=today)
    if found is None:
        return []
    due = [schedule.due_on(p_end) for _s, p_end in found.periods]
    result = []
    for site in found.sites:
        active = found.active(site)
        if not active:
            continue
        own = found.reported.get(site.pk, {})
        received = on_time = 0
        for i in active:
            if i in own:
                received += 1
                on_time += _on_time(own[i], due[i])
        result.append(SiteCounts(site, schedule, len(active), received, on_time))
    return result


def site_reporting(
    *, scope: Scope, schedule: Schedule, start: dt.date, end: dt.date, today: dt.date
) -> list[SiteReporting]:
    """Each site's reporting of `schedule`'s form, over the periods from `start` to `end`
    that were over before `today` (two queries: the sites, the reports). Sites expected for no
    period are left out; sorted by site code."""
    found = _expected(scope=scope, schedule=schedule, start=start, end=end, today=today)
    if found is None:
        return []
    due = [schedule.due_on(p_end) for _s, p_end in found.periods]
    result = []
    for site in found.sites:
        own = found.reported.get(site.pk, {})
        statuses = []
        for i in found.active(site):
            p_start, p_end = found.periods[i]
            received = i in own
            received_on = own.get(i)
            on_time = received and _on_time(received_on, due[i])
            statuses.append(PeriodStatus(p_start, p_end, received_on, received, on_time))
        if statuses:
            result.append(SiteReporting(site=site, schedule=schedule, periods=tuple(statuses)))
    return result


def last_week_on(as_of: dt.date) -> dt.date:
    """The Monday of the last ISO week over on `as_of` (its own when it is a Sunday)."""
    sunday = as_of - dt.timedelta(days=(as_of.weekday() + 1) % 7)
    return sunday - dt.timedelta(days=6)
