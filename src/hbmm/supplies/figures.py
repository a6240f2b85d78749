"""The named figures of supplies, each a `hbmm.presentation.figures.Figure` built from the
supplies selectors, with its definition, as-of date and drill-down (the records it counts).
The supplies page, the situation overview and the situation report show these same objects.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, ngettext_lazy

from hbmm.accounts.scope import Scope
from hbmm.presentation.figures import FACT, Drilldown, Figure, format_date, format_number
from hbmm.supplies import selectors
from hbmm.supplies.models import Movement


def follow_up_week(as_of: dt.date) -> dt.date:
    """Week W of the gap follow-up on `as_of`: two weeks before the last ISO week complete on
    that day (so that W+2's checklists are in). Returns W's Monday."""
    last_sunday = as_of - dt.timedelta(days=(as_of.weekday() + 1) % 7)
    return last_sunday - dt.timedelta(days=6 + 14)


def _week_label(monday: dt.date) -> str:
    year, week, _day = monday.isocalendar()
    return _("week %(week)d of %(year)d") % {"week": week, "year": year}


def points_without_dispatch(*, scope: Scope, as_of: dt.date) -> Figure:
    """Points of entry whose latest checklist reports a gap supplies answer (no PPE, no
    thermometer, no handwashing station, no isolation space) and to which nothing of it was
    dispatched since, among the points with such a gap."""
    loop = selectors.capacity_loop(scope=scope, as_of=as_of)
    waiting = [p for p in loop if p.unanswered]
    return Figure(
        disclosure=FACT,
        key="supplies.gap_no_dispatch",
        label=_("Points with a gap and nothing dispatched since"),
        value=len(waiting),
        denominator=len(loop),
        unit=ngettext_lazy("point", "points"),
        as_of=as_of,
        definition=_(
            "Points of entry whose latest capacity checklist (in the 8 weeks up to %(date)s) "
            "answered “no” for PPE stock, thermometers, a handwashing station or an isolation "
            "space, and to which no supplies of that category were dispatched on or after the "
            "checklist's date; out of the points with such a gap."
        )
        % {"date": format_date(as_of)},
        drilldown=Drilldown("supplies.gaps", {"as_of": as_of.isoformat(), "waiting": "on"}),
        parts={"points": [p.site.code for p in waiting]},
    )


@dataclass(frozen=True)
class FollowUpFigures:
    received: Figure
    closed: Figure
    data: selectors.GapFollowUp


def gap_follow_up(*, scope: Scope, week_of: dt.date, gap: str = "ppe_stock") -> FollowUpFigures:
    """ "Of the n points that reported no PPE stock in week W, m received PPE by week W+1 and
    k reported the gap closed in week W+2": m of n and k of n."""
    data = selectors.gap_follow_up(scope=scope, week_of=week_of, gap=gap)
    start = data.week_start
    names = {"w": _week_label(start), "w1": _week_label(start + dt.timedelta(days=7))}
    names["w2"] = _week_label(start + dt.timedelta(days=14))
    n = len(data.reported)
    points = ngettext("%(n)s point", "%(n)s points", n) % {"n": format_number(n)}
    reported = Drilldown(
        "health.capacity",
        {
            "item": gap,
            "answer": "no",
            "start": start.isoformat(),
            "end": (start + dt.timedelta(days=6)).isoformat(),
        },
    )
    received = Figure(
        disclosure=FACT,
        key="supplies.gap_received",
        label=_("Points without PPE in %(w)s that received PPE by %(w1)s") % names,
        value=len(data.received) if n else None,
        denominator=n,
        unit=ngettext_lazy("point", "points"),
        as_of=start + dt.timedelta(days=13),
        definition=_(
            "Of the points of entry whose latest checklist of %(w)s answered “no” for the PPE "
            "stock (%(points)s), those where a transfer of PPE was received after that "
            "checklist and by the end of %(w1)s."
        )
        % {**names, "points": points},
        drilldown=reported,
        parts={
            "points": data.received,
            "week": names["w"],
            "week_1": names["w1"],
            "week_2": names["w2"],
        },
    )
    k_count, again_count = len(data.closed_after_receipt), len(data.assessed_again)
    closed = Figure(
        disclosure=FACT,
        key="supplies.gap_closed",
        label=_("Of those points, PPE gap reported closed in %(w2)s") % names,
        value=len(data.closed) if n else None,
        denominator=n,
        unit=ngettext_lazy("point", "points"),
        as_of=start + dt.timedelta(days=20),
        note=_("%(received)s; %(again)s in %(w2)s")
        % {
            **names,
            "received": ngettext(
                "%(k)s of them had received PPE", "%(k)s of them had received PPE", k_count
            )
            % {"k": format_number(k_count)},
            "again": ngettext("%(n)s assessed again", "%(n)s assessed again", again_count)
            % {"n": format_number(again_count)},
        },
        definition=_(
            "Of the same points (%(points)s), those whose latest checklist of %(w2)s answered "
            "“yes” for the PPE stock. A point not assessed in %(w2)s is not counted as closed."
        )
        % {**names, "points": points},
        drilldown=reported,
        parts={"points": data.closed},
    )
    return FollowUpFigures(received=received, closed=closed, data=data)


def stockout_warnings(*, scope: Scope, as_of: dt.date) -> Figure:
    threshold = selectors.stockout_threshold_days()
    rows = selectors.stockout_warnings(scope=scope, as_of=as_of)
    return Figure(
        disclosure=FACT,
        key="supplies.stockout",
        label=_("Stocks under %(days)d days of use") % {"days": threshold},
        value=len(rows),
        unit=ngettext_lazy("stock", "stocks"),
        as_of=as_of,
        definition=_(
            "Holders and items whose stock on hand on %(date)s, divided by the average daily "
            "use (distributions and losses) of the 4 weeks up to that day, lasts fewer than "
            "%(days)d days. Items not used over those 4 weeks are not counted."
        )
        % {"date": format_date(as_of), "days": threshold},
        drilldown=Drilldown("supplies.stock", {"as_of": as_of.isoformat()}),
        parts={"rows": [(r.holder.code, r.item.code, r.days_left) for r in rows]},
    )


def distributed(*, scope: Scope, as_of: dt.date) -> Figure:
    start = as_of - dt.timedelta(days=selectors.CONSUMPTION_DAYS - 1)
    qs = selectors.movements(scope=scope, start=start, end=as_of, kind=Movement.Kind.DISTRIBUTION)
    units, people = 0, 0
    for quantity, men, women, boys, girls in qs.values_list(
        "quantity", "men", "women", "boys", "girls"
    ):
        units -= quantity
        people += sum(c or 0 for c in (men, women, boys, girls))
    return Figure(
        disclosure=FACT,
        key="supplies.distributed",
        label=_("Units distributed over 4 weeks"),
        value=units,
        as_of=as_of,
        note=ngettext(
            "%(people)s person reached (where counted)",
            "%(people)s people reached (where counted)",
            people,
        )
        % {"people": format_number(people)},
        definition=_(
            "Units of every item handed out to people from %(start)s to %(end)s, all holders; "
            "the people reached are the sum of the counts by sex and age given with the "
            "distributions."
        )
        % {"start": format_date(start), "end": format_date(as_of)},
        drilldown=Drilldown(
            "supplies.movements",
            {"kind": "distribution", "start": start.isoformat(), "end": as_of.isoformat()},
        ),
    )


def in_transit(*, scope: Scope, as_of: dt.date) -> Figure:
    count = (
        selectors.transfers(scope=scope, end=as_of)
        # In transit on `as_of`: not received, or received after it.
        .filter(Q(received_on__isnull=True) | Q(received_on__gt=as_of))
        .count()
    )
    return Figure(
        disclosure=FACT,
        key="supplies.in_transit",
        label=_("Transfers in transit"),
        value=count,
        unit=ngettext_lazy("transfer", "transfers"),
        as_of=as_of,
        definition=_(
            "Transfers dispatched on or before %(date)s whose receipt had not been confirmed "
            "on that day."
        )
        % {"date": format_date(as_of)},
        drilldown=Drilldown(
            "supplies.transfers", {"status": "in_transit", "end": as_of.isoformat()}
        ),
    )


@dataclass(frozen=True)
class SuppliesSection:
    gap_no_dispatch: Figure
    follow_up: FollowUpFigures
    stockout: Figure
    distributed: Figure
    in_transit: Figure

    @property
    def figures(self) -> list[Figure]:
        return [
            self.gap_no_dispatch,
            self.follow_up.received,
            self.follow_up.closed,
            self.stockout,
            self.distributed,
            self.in_transit,
        ]


def supplies_section(*, scope: Scope, as_of: dt.date) -> SuppliesSection:
    return SuppliesSection(
        gap_no_dispatch=points_without_dispatch(scope=scope, as_of=as_of),
        follow_up=gap_follow_up(scope=scope, week_of=follow_up_week(as_of)),
        stockout=stockout_warnings(scope=scope, as_of=as_of),
        distributed=distributed(scope=scope, as_of=as_of),
        in_transit=in_transit(scope=scope, as_of=as_of),
    )
