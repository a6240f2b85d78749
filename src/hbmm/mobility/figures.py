"""The named figures of mobility tracking: each a `hbmm.presentation.figures.Figure` built from the
mobility selectors, with its label, definition, as-of date and drill-down (the records it
counts, in the mobility tables). The mobility page, the situation overview and report, and the
API show these same objects.

A figure with no data has the value None ("no data", never 0). Averages are per day with at
least one count (a day nobody counted is not a day with nobody) and rounded half up; the exact
numbers are in the figure's `parts`.

Size: just over 500 lines: one builder per mobility figure of the plan's first page (flows,
displacement, MRRCs, stranded migrants, returnees) sharing the rounding and drill-down helpers;
the returnee figures (`returnees_current` and its helpers) are the seam to cut next.
"""

import calendar
import datetime as dt
from dataclasses import dataclass

from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from hbmm.accounts.scope import Scope
from hbmm.mobility import selectors
from hbmm.mobility.models import Direction
from hbmm.mobility.selectors import PLAN_FLOW_START, round_half_up
from hbmm.places.countries import country_name
from hbmm.places.models import AdminArea, Site
from hbmm.presentation.figures import (
    Drilldown,
    Figure,
    format_date,
    format_month,
    format_number,
    format_percent,
)

STRANDED_WINDOW_DAYS = 7  # "within the first week of the closure"


def trend_month(as_of: dt.date) -> dt.date:
    """The month a daily average is reported for on `as_of`: the last complete month on or
    before it (on 15 May 2020: April 2020; on 31 May 2020: May 2020)."""
    last_day = calendar.monthrange(as_of.year, as_of.month)[1]
    if as_of.day == last_day:
        return as_of.replace(day=1)
    return (as_of.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def flows(start: dt.date | None, end: dt.date, **filters) -> Drilldown:
    """The flow counts of a period (with more filters: direction, site...)."""
    params = {"start": start.isoformat()} if start else {}
    params["end"] = end.isoformat()
    params.update({k: v for k, v in filters.items() if v})
    return Drilldown("mobility.flows", params)


def flow_daily_average(*, scope: Scope, month: dt.date) -> Figure:
    """Individuals observed per day at the flow monitoring points in a month: individuals
    counted in the month (all directions) / days of the month with at least one count, rounded
    half up; its change on the previous month's average, in percent (note)."""
    data = selectors.flow_month(scope=scope, month=month)
    now, before = data.month, data.previous
    change = round_half_up(data.change_percent)
    note = ""
    if change is not None:
        note = _("%(change)s on %(previous)s") % {
            "change": ("+" if change > 0 else "") + format_percent(change),
            "previous": format_month(before.start),
        }
    return Figure(
        key="mobility.flow_average",
        label=_("Individuals observed per day at the FMPs, %(month)s")
        % {"month": format_month(now.start)},
        value=round_half_up(now.average_per_day),
        as_of=now.end,
        note=note,
        definition=_(
            "Individuals counted at the flow monitoring points in %(month)s, all "
            "directions, divided by the days of the month with at least one count "
            "(%(total)s over %(days)s; %(points)s), rounded half up. The "
            "change compares with the same average of the previous month."
        )
        % {
            "month": format_month(now.start),
            "total": ngettext("%(n)s individual", "%(n)s individuals", now.individuals)
            % {"n": format_number(now.individuals)},
            "days": ngettext("%(n)s day", "%(n)s days", now.days_observed)
            % {"n": format_number(now.days_observed)},
            "points": ngettext("%(n)s point reported", "%(n)s points reported", now.points)
            % {"n": now.points},
        },
        drilldown=flows(now.start, now.end),
        parts={
            "total": now.individuals,
            "days_observed": now.days_observed,
            "points_reporting": now.points,
            "days_in_month": now.days_in_period,
            "average": now.average_per_day,
            "previous_month": before.start,
            "previous_average": before.average_per_day,
            "change_percent_exact": data.change_percent,
            "change_percent": change,
        },
    )


@dataclass(frozen=True)
class FlowPeriod:
    """Individuals observed in a period, by direction, and their average per day observed."""

    total: Figure
    incoming: Figure
    outgoing: Figure
    internal: Figure
    per_day: Figure

    @property
    def has_data(self) -> bool:
        return self.total.has_data


def _flow_period(scope: Scope, start: dt.date, end: dt.date, *, label, per_day_label) -> FlowPeriod:
    totals = selectors.flow_totals(scope=scope, start=start, end=end, count_points=False)
    definition = _(
        "Individuals counted at the flow monitoring points from %(start)s to %(end)s "
        "(inclusive); the average is per day with at least one count (%(days)s)."
    ) % {
        "start": format_date(start),
        "end": format_date(end),
        "days": ngettext("%(n)s day", "%(n)s days", totals.days_observed)
        % {"n": format_number(totals.days_observed)},
    }
    parts = {
        "days_observed": totals.days_observed,
        "days_in_period": totals.days_in_period,
        "average_per_day": totals.average_per_day,
    }

    def figure(key, figure_label, value, direction=""):
        return Figure(
            key=key,
            within="mobility.flow_cumulative" if direction else "",
            label=figure_label,
            value=value if totals.counts else None,
            as_of=end,
            definition=definition,
            drilldown=flows(start, end, direction=direction),
            parts=parts,
        )

    return FlowPeriod(
        total=figure("mobility.flow_cumulative", label, totals.individuals),
        incoming=figure(
            "mobility.flow_incoming", _("of whom incoming"), totals.incoming, Direction.INCOMING
        ),
        outgoing=figure(
            "mobility.flow_outgoing", _("of whom outgoing"), totals.outgoing, Direction.OUTGOING
        ),
        internal=figure(
            "mobility.flow_internal", _("of whom internal"), totals.internal, Direction.INTERNAL
        ),
        per_day=figure(
            "mobility.flow_per_day", per_day_label, round_half_up(totals.average_per_day)
        ),
    )


def flow_since_plan_start(*, scope: Scope, end: dt.date) -> FlowPeriod:
    """Individuals observed since flow monitoring began in Mali (June 2016) up to `end`: the
    plan's "since June 2016 until the closure of the land borders"."""
    start = {"start": format_month(PLAN_FLOW_START)}
    return _flow_period(
        scope,
        PLAN_FLOW_START,
        end,
        label=_("Individuals observed since %(start)s") % start,
        per_day_label=_("Average per day of observation since %(start)s") % start,
    )


def flow_in_period(*, scope: Scope, start: dt.date, end: dt.date) -> FlowPeriod:
    """Individuals observed between two dates (inclusive)."""
    return _flow_period(
        scope,
        start,
        end,
        label=_("Individuals observed from %(start)s to %(end)s")
        % {"start": format_date(start), "end": format_date(end)},
        per_day_label=_("Average per day of observation"),
    )


def stranded_in_period(*, scope: Scope, start: dt.date, end: dt.date) -> Figure:
    """Stranded migrants counted at the sites between two dates (inclusive)."""
    totals = selectors.stranded_totals(scope=scope, start=start, end=end)
    return Figure(
        key="mobility.stranded",
        label=_("Stranded migrants counted in the period"),
        value=totals.individuals if totals.groups else None,
        as_of=end,
        definition=_("Stranded migrants counted at the sites between the two dates."),
        drilldown=Drilldown(
            "mobility.stranded", {"start": start.isoformat(), "end": end.isoformat()}
        ),
        parts={"groups": totals.groups, "sites": totals.sites},
    )


def stranded_first_week_of_closure(*, scope: Scope, closure: dt.date) -> Figure:
    """Stranded migrants counted in the first seven days of the land border closure (closure
    day included): the plan's "within the first week of the closure of the borders"."""
    week_end = closure + dt.timedelta(days=STRANDED_WINDOW_DAYS - 1)
    totals = selectors.stranded_totals(scope=scope, start=closure, end=week_end)
    return Figure(
        key="mobility.stranded_first_week",
        label=_("Stranded migrants, first week of the border closure"),
        value=totals.individuals if totals.groups else None,
        as_of=week_end,
        definition=_(
            "Stranded migrants counted at the sites from %(start)s to %(end)s, the "
            "first seven days of the land border closure (%(groups)s reports)."
        )
        % {"start": format_date(closure), "end": format_date(week_end), "groups": totals.groups},
        drilldown=Drilldown(
            "mobility.stranded", {"start": closure.isoformat(), "end": week_end.isoformat()}
        ),
        parts={"groups": totals.groups, "sites": totals.sites},
    )


def idps_current(*, scope: Scope, as_of: dt.date) -> Figure:
    """Internally displaced persons: for each cercle, the IDPs of its latest displacement round
    reported on or before `as_of`. As of the latest reporting date among the rounds counted."""
    totals = selectors.idp_totals(scope=scope, as_of=as_of)
    latest = totals.latest_round
    definition = ""
    if latest is not None:
        definition = _(
            "For each cercle, the IDP individuals of its latest displacement round "
            "reported on or before the as-of date (%(areas)s areas; latest round: "
            "%(round)s of %(date)s)."
        ) % {"areas": totals.areas, "round": latest[0], "date": format_date(latest[1])}
    return Figure(
        key="mobility.idps",
        label=_("Internally displaced persons (IDPs)"),
        value=totals.individuals if totals.rows else None,
        as_of=latest[1] if latest else None,
        definition=definition,
        drilldown=Drilldown("mobility.displacement", {"as_of": as_of.isoformat()}),
        parts={
            "households": totals.households,
            "areas": totals.areas,
            "rounds": totals.rounds,
            "latest_round": latest[0] if latest else None,
        },
    )


@dataclass(frozen=True)
class Returnees:
    """Returnees (each area's latest round, as the IDPs): all, IDP returnees, returnees from
    abroad, and one figure per origin (area of Mali or country), largest first; each linked to
    the displacement rows it counts."""

    total: Figure
    idp: Figure
    abroad: Figure
    idp_origins: list[Figure]
    abroad_origins: list[Figure]

    @property
    def figures(self) -> tuple[Figure, ...]:
        return (self.total, self.idp, self.abroad, *self.idp_origins, *self.abroad_origins)


def returnees_current(*, scope: Scope, as_of: dt.date, area_names: bool = True) -> Returnees:
    """Returnees as DTM's mobility tracking reports them: IDP returnees (former IDPs back in
    their area) and returnees from abroad, with their origins, as of each area's latest round
    reported on or before `as_of`."""
    totals = selectors.returnee_totals(scope=scope, as_of=as_of)
    latest = totals.latest_round
    has_data = latest is not None
    broken_down = has_data and totals.returnees > totals.not_broken_down
    day = latest[1] if latest else None
    params = {"as_of": as_of.isoformat()}

    def drill(**more) -> Drilldown:
        return Drilldown("mobility.displacement", {**params, **more})

    definition = ""
    if latest is not None:
        definition = _(
            "For each cercle, the returnees of its latest displacement round reported on or "
            "before the as-of date (%(areas)s areas with returnees; latest round: %(round)s of "
            "%(date)s): IDP returnees are former IDPs back in their area, returnees from abroad "
            "are nationals back from another country."
        ) % {"areas": totals.areas, "round": latest[0], "date": format_date(day)}
    french = not (get_language() or "fr").startswith("en")
    names = {}  # the IDP returnees' areas of origin by name (without: by P-code)
    if area_names and totals.idp_origins:
        names = {
            a.pcode: a.name for a in AdminArea.objects.filter(pcode__in=list(totals.idp_origins))
        }
    idp_origins = [
        Figure(
            key=f"mobility.idp_returnees_from.{pcode}",
            label=_("IDP returnees from %(place)s") % {"place": names.get(pcode) or pcode},
            value=n,
            as_of=day,
            drilldown=drill(returnees="idp", origin=pcode),
            parts={"place": names.get(pcode) or pcode},
        )
        for pcode, n in totals.idp_origins.items()
    ]
    abroad_origins = [
        Figure(
            key=f"mobility.returnees_abroad_from.{iso3}",
            label=_("Returnees from %(place)s") % {"place": country_name(iso3, french=french)},
            value=n,
            as_of=day,
            drilldown=drill(returnees="abroad", origin=iso3),
            parts={"place": country_name(iso3, french=french)},
        )
        for iso3, n in totals.abroad_origins.items()
    ]
    return Returnees(
        total=Figure(
            key="mobility.returnees",
            label=_("Returnees"),
            value=totals.returnees if has_data else None,
            as_of=day,
            definition=definition,
            drilldown=drill(returnees="any"),
            parts={
                "areas": totals.areas,
                "rounds": totals.rounds,
                "latest_round": latest[0] if latest else None,
                "not_broken_down": totals.not_broken_down,
            },
        ),
        idp=Figure(
            key="mobility.idp_returnees",
            label=_("IDP returnees"),
            value=totals.idp_returnees if broken_down else None,
            as_of=day,
            drilldown=drill(returnees="idp"),
        ),
        abroad=Figure(
            key="mobility.returnees_abroad",
            label=_("Returnees from abroad"),
            value=totals.returnees_abroad if broken_down else None,
            as_of=day,
            drilldown=drill(returnees="abroad"),
        ),
        idp_origins=idp_origins,
        abroad_origins=abroad_origins,
    )


@dataclass(frozen=True)
class MrrcPresent:
    """Migrants present in the migrant resource and response centres, and of whom women and
    children."""

    total: Figure
    women: Figure
    children: Figure


def mrrc_present(*, scope: Scope, as_of: dt.date) -> MrrcPresent:
    """Each centre's latest report on or before `as_of`, at most 31 days old."""
    totals = selectors.mrrc_totals(scope=scope, on=as_of)
    definition = _(
        "Migrants present in the migrant resource and response centres: each centre's "
        "latest report on or before the as-of date and at most 31 days old "
        "(%(centres)s centres); children are girls and boys."
    ) % {"centres": len(totals.centres)}
    drill = Drilldown("mobility.mrrc", {"as_of": as_of.isoformat()})
    parts = {"men": totals.men, "not_broken_down": totals.not_broken_down}

    def figure(key, label, value):
        return Figure(
            key=key,
            within="" if key == "mobility.mrrc" else "mobility.mrrc",
            label=label,
            value=value if totals.reports else None,
            as_of=as_of,
            definition=definition,
            drilldown=drill,
            parts=parts,
        )

    return MrrcPresent(
        total=figure("mobility.mrrc", _("Migrants in MRRCs"), totals.individuals),
        women=figure("mobility.mrrc_women", _("of whom women"), totals.women),
        children=figure("mobility.mrrc_children", _("of whom children"), totals.children),
    )


def flow_breakdown(*, scope: Scope, start: dt.date, end: dt.date, by: str) -> list[Figure]:
    """Individuals observed in a period split by point, direction, sex and age, nationality,
    mode of transport or reason (see selectors.BREAKDOWNS): one figure per category, each with
    the records it counts (the sex and age categories count the whole period's records)."""
    figures = []
    for row in selectors.flow_breakdown(scope=scope, start=start, end=end, by=by):
        filters = {}
        if by in ("direction", "nationality", "transport", "reason"):
            filters[by] = row.key
        elif by == "point":
            filters["site"] = row.key
        figures.append(
            Figure(
                key=f"mobility.flow_by_{by}.{row.key}",
                label=row.label,
                value=row.value,
                as_of=end,
                drilldown=flows(start, end, **filters),
            )
        )
    return figures


@dataclass(frozen=True)
class PointFlows:
    """One flow monitoring point's figures in a period."""

    site: Site
    total: Figure
    incoming: Figure
    outgoing: Figure
    internal: Figure
    days_observed: int
    average_per_day: int | None

    @property
    def figures(self) -> tuple[Figure, ...]:
        return (self.total, self.incoming, self.outgoing, self.internal)


def flow_by_point(*, scope: Scope, start: dt.date, end: dt.date) -> list[PointFlows]:
    """Per flow monitoring point (by code): individuals by direction, each linked to its
    records, days with at least one count there and the average per such day."""

    def figure(point, key, value, direction=""):
        return Figure(
            key=f"mobility.point.{point.site.code}.{key}",
            label=point.site.name,
            value=value,
            as_of=end,
            drilldown=flows(start, end, site=point.site.code, direction=direction),
        )

    return [
        PointFlows(
            site=p.site,
            total=figure(p, "total", p.total),
            incoming=figure(p, "incoming", p.incoming, Direction.INCOMING),
            outgoing=figure(p, "outgoing", p.outgoing, Direction.OUTGOING),
            internal=figure(p, "internal", p.internal, Direction.INTERNAL),
            days_observed=p.days_observed,
            average_per_day=round_half_up(p.average_per_day),
        )
        for p in selectors.flow_by_point(scope=scope, start=start, end=end)
    ]


@dataclass(frozen=True)
class RegionIdps:
    """One region's current IDPs: households and individuals, each linked to its rows."""

    area: AdminArea
    households: Figure
    total: Figure

    @property
    def figures(self) -> tuple[Figure, ...]:
        return (self.households, self.total)


def idps_by_region(*, scope: Scope, as_of: dt.date) -> list[RegionIdps]:
    """Current IDPs (as in `idps_current`) per region, largest first."""
    rows = []
    for r in selectors.idps_by_region(scope=scope, as_of=as_of):
        drill = Drilldown(
            "mobility.displacement", {"as_of": as_of.isoformat(), "area": r.area.pcode}
        )
        rows.append(
            RegionIdps(
                area=r.area,
                households=Figure(
                    key=f"mobility.idp_households.{r.area.pcode}",
                    label=r.area.name,
                    value=r.households,
                    as_of=as_of,
                    drilldown=drill,
                ),
                total=Figure(
                    key=f"mobility.idps.{r.area.pcode}",
                    label=r.area.name,
                    value=r.total,
                    as_of=as_of,
                    drilldown=drill,
                ),
            )
        )
    return rows
