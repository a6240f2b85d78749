"""The named figures of the points of entry, each a `hbmm.presentation.figures.Figure` built from
`hbmm.health.poe.selectors`: the plan's four key figures of a capacity round ("6 of 15 points
(40%) without a sanitary surveillance system"), every checklist item in a week with its change
on the week before, and the points by operational status on a date. The capacity and status
pages, the situation overview and report, and the API show these same objects.

A share counts the points that answered yes or no; a point where the item was not assessed is
left out of it, never counted as "no".
"""

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, ngettext_lazy

from hbmm.accounts.scope import Scope
from hbmm.health.poe import selectors
from hbmm.health.poe.selectors import CAPACITY_ITEM_FIELDS, PLAN_FIGURES, POE_TYPES, item_figure
from hbmm.presentation.figures import (
    FACT,
    Drilldown,
    Figure,
    format_date,
    format_number,
    plural_count,
)

STATUS_CODES = ("fully_operational", "partially_operational", "fully_closed", "unknown")


def status_labels() -> dict[str, str]:
    return {
        "fully_operational": _("Fully operational"),
        "partially_operational": _("Partially operational"),
        "fully_closed": _("Fully closed"),
        "unknown": _("Status unknown"),
    }


def capacity_records(item: str, kinds, start: dt.date, end: dt.date, **filters) -> Drilldown:
    """Each point's latest assessment in the round, with its answer to `item` (every item when
    `item` is empty)."""
    params = {"kinds": ",".join(kinds), "start": start.isoformat(), "end": end.isoformat()}
    return Drilldown("health.capacity", {**({"item": item} if item else {}), **params, **filters})


@dataclass(frozen=True)
class RoundFigures:
    """A capacity round: its numbers (`data`, a selectors.CapacityRound) and the plan's four
    key figures, each with the item, point types and statement of the plan in its parts."""

    data: selectors.CapacityRound
    plan: list[Figure]


def round_figures(
    *, scope: Scope, start: dt.date, end: dt.date, rapid_assessment: bool = False
) -> RoundFigures:
    """The plan's key figures for the latest assessment of each point in [start, end]; labelled
    as the rapid assessment's when the round is the first one."""
    data = selectors.capacity_figures(scope=scope, round_start=start, round_end=end)
    plan = []
    for item, kinds, statement in PLAN_FIGURES:
        f = item_figure(data.assessments, item, kinds=kinds)
        label = (
            _("Without %(item)s (rapid assessment)") if rapid_assessment else _("Without %(item)s")
        ) % {"item": f.label}
        plan.append(
            Figure(
                disclosure=FACT,
                key=f"poe.baseline.{item}",
                label=label,
                value=f.share.n,
                denominator=f.share.total,
                unit=ngettext_lazy("point", "points"),
                as_of=end,
                definition=_(
                    "%(kinds)s assessed between %(start)s and %(end)s (latest assessment of each "
                    "point): %(n)s answered “no” out of %(total)s that answered yes or no; "
                    "%(na)s not assessed for this item, left out."
                )
                % {
                    "kinds": f.kinds_label,
                    "start": format_date(start),
                    "end": format_date(end),
                    "n": f.share.n,
                    "total": f.share.total,
                    "na": f.share.not_assessed,
                },
                drilldown=capacity_records(item, kinds, start, end),
                parts={
                    "item": item,
                    "kinds": tuple(kinds),
                    "statement": str(statement),
                    "not_assessed": f.share.not_assessed,
                },
            )
        )
    return RoundFigures(data=data, plan=plan)


@dataclass(frozen=True)
class WeekFigures:
    """Every checklist item in a week, with its change on the week before."""

    start: dt.date
    end: dt.date
    figures: list[Figure]
    items: list  # the week's selectors.ItemFigure, in checklist order
    assessed: int  # points assessed in the week
    improved: int  # items whose share of points without them went down
    worsened: int


def week_figures(*, scope: Scope, start: dt.date, end: dt.date) -> WeekFigures:
    """Points of entry (all types) without each item in their latest assessment of the week;
    the note gives the change in percentage points against the week before."""
    current = selectors.capacity_latest(scope=scope, round_start=start, round_end=end)
    previous = selectors.capacity_latest(
        scope=scope, round_start=start - dt.timedelta(days=7), round_end=end - dt.timedelta(days=7)
    )
    figures, items = [], []
    improved = worsened = 0
    for item in CAPACITY_ITEM_FIELDS:
        now = item_figure(current, item)
        before = item_figure(previous, item) if previous else None
        note = ""
        if before is not None and now.share.pct is not None and before.share.pct is not None:
            change = now.share.pct - before.share.pct
            improved += change < 0
            worsened += change > 0
            note = (
                ngettext(
                    "%(change)s percentage point on the week before",
                    "%(change)s percentage points on the week before",
                    plural_count(change),
                )
                % {"change": ("+" if change > 0 else "") + format_number(change)}
                if change
                else _("unchanged on the week before")
            )
        items.append(now)
        figures.append(
            Figure(
                disclosure=FACT,
                key=f"poe.week.{item}",
                label=_("Without %(item)s") % {"item": now.label},
                value=now.share.n,
                denominator=now.share.total,
                unit=ngettext_lazy("point", "points"),
                as_of=end,
                note=note,
                definition=_(
                    "Points of entry (all types) in their latest assessment of the week "
                    "%(start)s – %(end)s: points that answered “no” out of those that "
                    "answered yes or no (%(na)s not assessed, left out). The change is in "
                    "percentage points against the week before."
                )
                % {
                    "start": format_date(start),
                    "end": format_date(end),
                    "na": now.share.not_assessed,
                },
                drilldown=capacity_records(item, POE_TYPES, start, end),
            )
        )
    return WeekFigures(
        start=start,
        end=end,
        figures=figures,
        items=items,
        assessed=len(current),
        improved=improved,
        worsened=worsened,
    )


@dataclass(frozen=True)
class StatusFigures:
    """The points of entry by operational status on a date: one figure per status, out of all
    the points, and each point's row (selectors.StatusRow) for maps and lists."""

    figures: list[Figure]
    rows: list
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return len(self.rows)


def status_figures(*, scope: Scope, as_of: dt.date) -> StatusFigures:
    rows = selectors.poe_status_as_of(scope=scope, day=as_of)
    counts = {code: 0 for code in STATUS_CODES}
    for row in rows:
        counts[row.status_code] += 1
    labels = status_labels()
    figures = [
        Figure(
            disclosure=FACT,
            key=f"poe.status.{code}",
            label=labels[code],
            value=n,
            denominator=len(rows),
            unit=ngettext_lazy("point", "points"),
            as_of=as_of,
            definition=_(
                "Points of entry (border crossing points, internal transit points, "
                "sanitary cordons) active on the as-of date, by the operational status "
                "in force on that date (latest status effective on or before it; none "
                "recorded: unknown)."
            ),
            drilldown=Drilldown("health.status", {"as_of": as_of.isoformat(), "status": code}),
        )
        for code, n in counts.items()
    ]
    return StatusFigures(figures=figures, rows=rows, counts=counts)
