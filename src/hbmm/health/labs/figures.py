"""The named figures of the laboratory network, each a `hbmm.presentation.figures.Figure` built
from `hbmm.health.labs.selectors`: turnaround from sampling to shipment, to reception, to
result and to communication of the result (median and 90th percentile, in hours, overall, by
laboratory and by ISO week of sampling), samples waiting more than 48 hours for a result, and
positivity by week and by point of entry.

Definitions, the same on every page:
- a sample counts in the period of the day it was taken (`start` to `end`, inclusive), and
  only as HBMM knew it at the end of `end` (a step recorded at a later time is not yet
  reached: the figures of a past date stay what they were);
- an interval is measured over the samples that reached its step; the median is the middle
  value (the mean of the two middle ones for an even count); the 90th percentile is the
  nearest-rank one: the smallest time that 90% of the samples did not exceed;
- waiting more than 48 hours: taken more than 48 hours before the end of `end`, no result;
- positivity: positive results out of the samples with a result (positive, negative or
  inconclusive; a rejected sample has no result)."""

import datetime as dt
import math
from dataclasses import dataclass
from statistics import median

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from hbmm.accounts.scope import Scope
from hbmm.health.labs import selectors
from hbmm.health.labs.models import SampleResult
from hbmm.periods import midnight
from hbmm.presentation.figures import Figure, format_date

WAIT_LIMIT = dt.timedelta(hours=48)
INTERVALS = {
    "shipment": ("shipped_at", gettext_lazy("sampling to shipment")),
    "reception": ("received_at", gettext_lazy("sampling to reception")),
    "result": ("tested_at", gettext_lazy("sampling to result")),
    "communication": ("communicated_at", gettext_lazy("sampling to communication")),
}
RESULTS = (SampleResult.POSITIVE, SampleResult.NEGATIVE, SampleResult.INCONCLUSIVE)


def p90(values: list[float]) -> float | None:
    """The nearest-rank 90th percentile: the ceil(0.9 n)-th smallest value."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[math.ceil(0.9 * len(ordered)) - 1], 1)


def middle(values: list[float]) -> float | None:
    return round(median(values), 1) if values else None


def _known(row: dict, field: str, now: dt.datetime) -> dt.datetime | None:
    """The step's time if it was recorded by `now` (the as-known end of the period)."""
    value = row[field]
    return value if value is not None and value <= now else None


def _hours(row: dict, field: str, now: dt.datetime) -> float | None:
    at = _known(row, field, now)
    return None if at is None else (at - row["taken_at"]).total_seconds() / 3600


def turnaround(rows: list[dict], now: dt.datetime) -> dict:
    """For each interval: median and 90th percentile hours, and the count they are over."""
    result = {}
    for key, (field, _label) in INTERVALS.items():
        values = [h for h in (_hours(row, field, now) for row in rows) if h is not None]
        result[key] = {"median": middle(values), "p90": p90(values), "n": len(values)}
    return result


def _result_of(row: dict, now: dt.datetime) -> str:
    return row["result"] if _known(row, "tested_at", now) else ""


def positivity(rows: list[dict], now: dt.datetime) -> dict:
    results = [_result_of(row, now) for row in rows]
    tested = sum(1 for r in results if r in RESULTS)
    positive = sum(1 for r in results if r == SampleResult.POSITIVE)
    return {"positive": positive, "tested": tested, "samples": len(rows)}


def _week(row: dict) -> str:
    year, week, _day = row["taken_at"].isocalendar()
    return f"{year}-W{week:02d}"


def _grouped(rows: list[dict], key) -> dict[str, list[dict]]:
    groups: dict[str, list[dict]] = {}
    for row in rows:
        groups.setdefault(key(row), []).append(row)
    return dict(sorted(groups.items()))


@dataclass(frozen=True)
class LabPeriod:
    """The laboratory figures of a period, and the tables by lab, week and point."""

    figures: list[Figure]
    by_lab: list[dict]
    by_week: list[dict]
    positivity_by_week: list[dict]
    positivity_by_point: list[dict]
    samples: int

    @property
    def has_data(self) -> bool:
        return bool(self.samples)


def lab_period(*, scope: Scope, start: dt.date | None, end: dt.date) -> LabPeriod:
    """Samples taken from `start` (all earlier dates when None) to `end` inclusive, as known at
    the end of `end`."""
    now = midnight(end + dt.timedelta(days=1))
    rows = [
        row
        for row in selectors.sample_rows(scope=scope, taken_before=now)
        if start is None or row["taken_at"] >= midnight(start)
    ]
    if start is not None:
        counted = _(
            "Samples taken from %(start)s to %(end)s (date of sampling), in the selected scope, "
            "as recorded by the end of %(end)s."
        ) % {"start": format_date(start), "end": format_date(end)}
    else:
        counted = _(
            "Samples taken up to %(end)s (date of sampling), in the selected scope, as recorded "
            "by the end of %(end)s."
        ) % {"end": format_date(end)}
    times = turnaround(rows, now)
    figures = [
        Figure(
            key="labs.samples",
            label=_("Samples taken"),
            value=len(rows),
            unit=ngettext_lazy("sample", "samples"),
            as_of=end,
            definition=counted,
        )
    ]
    for key, (_field, label) in INTERVALS.items():
        values = times[key]
        if values["n"] == 0:
            continue
        over = _("Over the %(n)s samples that reached the step.") % {"n": values["n"]}
        figures += [
            Figure(
                key=f"labs.median_hours_to_{key}",
                label=_("Median hours, %(interval)s") % {"interval": label},
                value=values["median"],
                decimals=1,
                unit=ngettext_lazy("hour", "hours"),
                as_of=end,
                definition=f"{counted} {over} "
                + _("The median: half of the samples took less time."),
                parts={"n": values["n"]},
                disclosure="fact",
            ),
            Figure(
                key=f"labs.p90_hours_to_{key}",
                label=_("90th percentile hours, %(interval)s") % {"interval": label},
                value=values["p90"],
                decimals=1,
                unit=ngettext_lazy("hour", "hours"),
                as_of=end,
                definition=f"{counted} {over} "
                + _(
                    "The nearest-rank 90th percentile: nine samples in ten took no longer "
                    "than this."
                ),
                parts={"n": values["n"]},
                disclosure="fact",
            ),
        ]
    waiting = [row for row in rows if not _known(row, "tested_at", now)]
    late = [row for row in waiting if row["taken_at"] < now - WAIT_LIMIT]
    figures.append(
        Figure(
            key="labs.waiting_48h",
            label=_("Samples waiting more than 48 hours for a result"),
            value=len(late),
            denominator=len(waiting),
            unit=ngettext_lazy("sample waiting", "samples waiting"),
            as_of=end,
            definition=counted
            + " "
            + _(
                "Samples without a result at the end of the day, taken more than 48 hours "
                "before; out of all the samples without a result."
            ),
        )
    )
    share = positivity(rows, now)
    figures.append(
        Figure(
            key="labs.positivity",
            label=_("Positive samples"),
            value=share["positive"],
            denominator=share["tested"],
            unit=ngettext_lazy("sample with a result", "samples with a result"),
            as_of=end,
            percent_decimals=1,
            definition=counted
            + " "
            + _(
                "Positive results out of the samples with a result (positive, negative or "
                "inconclusive; rejected samples have none)."
            ),
        )
    )
    by_lab = [
        {"key": code, "samples": len(group), **turnaround(group, now)}
        for code, group in _grouped(rows, lambda r: r["lab__code"] or "").items()
    ]
    by_week = [
        {"key": week, "samples": len(group), **turnaround(group, now)}
        for week, group in _grouped(rows, _week).items()
    ]
    positivity_by_week = [
        {"key": week, **positivity(group, now)} for week, group in _grouped(rows, _week).items()
    ]
    positivity_by_point = [
        {"key": code, **positivity(group, now)}
        for code, group in _grouped(rows, lambda r: r["point__code"]).items()
    ]
    for table in (positivity_by_week, positivity_by_point):
        for row in table:
            row["share"] = (
                round(100 * row["positive"] / row["tested"], 1) if row["tested"] else None
            )
    return LabPeriod(
        figures=figures,
        by_lab=by_lab,
        by_week=by_week,
        positivity_by_week=positivity_by_week,
        positivity_by_point=positivity_by_point,
        samples=len(rows),
    )
