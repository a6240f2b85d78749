"""Who has not reported: each site kind's reporting schedule per form (data:
`reports/data/reporting_schedules.json`), then, per site, form and period, whether a report
was expected, received, and received on time.

- A site is expected to report a period when it has one of the schedule's kinds, is in the
  reader's scope and was active during the period; periods not over yet are not expected.
- A report is received when a record of the form is observed in the period (the domains'
  selectors give the site, the date observed and when it was received); it is on time when
  it was received before the end of the `due_days`th day after the period.
- Daily periods are days; weekly periods are ISO weeks (Monday to Sunday).
"""

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.db.models import Q
from django.utils.translation import get_language

from hbmm.accounts.scope import Scope, sites_in_scope
from hbmm.health.poe import selectors as poe_selectors
from hbmm.mobility import selectors as mobility_selectors
from hbmm.periods import midnight
from hbmm.places.models import Site

SCHEDULES_FILE = Path(__file__).resolve().parents[1] / "data" / "reporting_schedules.json"
FREQUENCIES = ("daily", "weekly")

Received = list[tuple[int, dt.date, dt.datetime | None]]


def _mobility(form: str) -> Callable[..., Received]:
    def read(*, scope: Scope, start: dt.date, end: dt.date) -> Received:
        return mobility_selectors.reports_received(scope=scope, form=form, start=start, end=end)

    return read


# form id -> the selector of its reports: (site id, date observed, received at).
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

    def deadline(self, period_end: dt.date) -> dt.datetime:
        """A report of the period is on time when received before this moment (UTC)."""
        return midnight(period_end + dt.timedelta(days=1 + self.due_days))


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


@dataclass(frozen=True)
class PeriodStatus:
    start: dt.date
    end: dt.date
    received_at: dt.datetime | None
    received: bool
    on_time: bool


@dataclass(frozen=True)
class SiteReporting:
    """One site's reporting of one form over the periods asked."""

    site: Site
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


def site_reporting(
    *, scope: Scope, schedule: Schedule, start: dt.date, end: dt.date, today: dt.date
) -> list[SiteReporting]:
    """Each site's reporting of `schedule`'s form, over the periods from `start` to `end`
    that were over before `today` (two queries: the sites, the reports). Sites expected for no
    period are left out; sorted by site code."""
    periods = [p for p in schedule.periods(start, end) if p[1] < today]
    if not periods:
        return []
    first, last = periods[0][0], periods[-1][1]
    sites = list(
        sites_in_scope(scope)
        .filter(kinds__code__in=schedule.site_kinds)
        .filter(Q(active_from__isnull=True) | Q(active_from__lte=last))
        .filter(Q(active_to__isnull=True) | Q(active_to__gte=first))
        .select_related("area")
        .distinct()
        .order_by("code")
    )
    reports: dict[int, dict[dt.date, dt.datetime | None]] = {}
    for site_id, day, received_at in SOURCES[schedule.form](scope=scope, start=first, end=last):
        reports.setdefault(site_id, {})[day] = received_at
    deadlines = {p_end: schedule.deadline(p_end) for _s, p_end in periods}  # once, not per site
    result = []
    for site in sites:
        own = reports.get(site.pk, {})
        statuses = []
        for p_start, p_end in periods:
            if (site.active_from and site.active_from > p_end) or (
                site.active_to and site.active_to < p_start
            ):
                continue
            times = [t for day, t in own.items() if p_start <= day <= p_end]
            known = [t for t in times if t is not None]
            received_at = min(known) if known else None
            statuses.append(
                PeriodStatus(
                    start=p_start,
                    end=p_end,
                    received_at=received_at,
                    received=bool(times),
                    # A record with no reception time was entered by hand: not late.
                    on_time=bool(times) and (received_at is None or received_at < deadlines[p_end]),
                )
            )
        if statuses:
            result.append(SiteReporting(site=site, schedule=schedule, periods=tuple(statuses)))
    return result


def last_week_on(as_of: dt.date) -> dt.date:
    """The Monday of the last ISO week over on `as_of` (its own when it is a Sunday)."""
    sunday = as_of - dt.timedelta(days=(as_of.weekday() + 1) % 7)
    return sunday - dt.timedelta(days=6)
