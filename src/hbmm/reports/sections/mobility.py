"""Migrants in vulnerable situation: flow monitoring trend, cumulative flows since the start of
flow monitoring, stranded migrants after the border closure, IDPs and MRRC occupancy — the
plan's sentences generated from the mobility app's figures — and the daily flow chart."""

import calendar
from datetime import date, timedelta

import altair as alt
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hbmm.mobility.models import Direction
from hbmm.mobility.selectors import (
    PLAN_FLOW_START,
    border_closure_date,
    displacement_records,
    flow_counts,
    flow_cumulative,
    flow_daily_series,
    flow_monthly_average,
    idps_current,
    mrrc_occupancy,
    mrrc_records,
    stranded_in_period,
)
from hbmm.reports.charts import PALETTE, ROWS, chart_spec
from hbmm.reports.figures import (
    Drilldown,
    Figure,
    format_date,
    format_month,
    format_number,
    format_percent,
)
from hbmm.reports.registry import Chart, Context, Section, SectionResult, register

PERMISSION = "mobility.view_flowcount"
IDP_PERMISSION = "mobility.view_displacementfigure"
MRRC_PERMISSION = "mobility.view_mrrcoccupancy"
STRANDED_PERMISSION = "mobility.view_strandedmigrants"
CHART_MONTHS = 4  # the daily flow chart shows this many months up to the as-of date


def latest(scope) -> date | None:
    days = [
        flow_counts(scope=scope).aggregate(d=Max("observation_date"))["d"],
        mrrc_records(scope=scope).aggregate(d=Max("date"))["d"],
        displacement_records(scope=scope).aggregate(d=Max("round__reporting_date"))["d"],
    ]
    days = [d for d in days if d is not None]
    return max(days) if days else None


def trend_month(as_of: date) -> date:
    """The month the flow trend is about: the last complete month on or before as_of."""
    last_day = calendar.monthrange(as_of.year, as_of.month)[1]
    if as_of.day == last_day:
        return as_of.replace(day=1)
    return (as_of.replace(day=1) - timedelta(days=1)).replace(day=1)


def _flows(start: date, end: date, direction: str = "") -> Drilldown:
    params = {"start": start.isoformat(), "end": end.isoformat()}
    if direction:
        params["direction"] = direction
    return Drilldown("mobility.flows", params)


def _trend_sentence(average, month: date) -> str:
    parts = average.parts
    values = {
        "avg": format_number(average.value),
        "month": format_month(month),
        "previous": format_month(parts["previous_month"]),
    }
    change = parts["change_percent"]
    if change is None:
        return _("%(avg)s individuals were observed daily at the FMPs in %(month)s.") % values
    values["pct"] = format_percent(abs(change))
    if change < 0:
        return (
            _(
                "%(avg)s individuals were observed daily at the FMPs in %(month)s, a decrease "
                "of %(pct)s from %(previous)s."
            )
            % values
        )
    if change > 0:
        return (
            _(
                "%(avg)s individuals were observed daily at the FMPs in %(month)s, an increase "
                "of %(pct)s from %(previous)s."
            )
            % values
        )
    return (
        _("%(avg)s individuals were observed daily at the FMPs in %(month)s, as in %(previous)s.")
        % values
    )


def build(ctx: Context) -> SectionResult:
    user, scope, area, as_of = ctx.user, ctx.scope, ctx.area, ctx.as_of
    figures, sentences, charts = [], [], []
    month = trend_month(as_of)
    average = flow_monthly_average(scope=scope, month=month, area=area)
    if average.value is not None:
        first = month
        last = average.as_of
        change = average.parts["change_percent"]
        figures.append(
            Figure(
                key="mobility.flow_average",
                label=_("Individuals observed per day at the FMPs, %(month)s")
                % {"month": format_month(month)},
                value=average.value,
                as_of=last,
                note=(
                    _("%(change)s on %(previous)s")
                    % {
                        "change": ("+" if change > 0 else "") + format_percent(change),
                        "previous": format_month(average.parts["previous_month"]),
                    }
                    if change is not None
                    else ""
                ),
                definition=_(
                    "Individuals counted at the flow monitoring points in %(month)s, all "
                    "directions, divided by the days of the month with at least one count "
                    "(%(total)s individuals over %(days)s days), rounded half up. The change "
                    "compares with the same average of the previous month."
                )
                % {
                    "month": format_month(month),
                    "total": format_number(average.parts["total"]),
                    "days": average.parts["days_observed"],
                },
                drilldown=_flows(first, last),
            )
        )
        sentences.append(_trend_sentence(average, month))
    closure = border_closure_date()
    until_closure = closure is not None and closure <= as_of
    end = closure - timedelta(days=1) if until_closure else as_of
    cumulative = flow_cumulative(scope=scope, start=PLAN_FLOW_START, end=end, area=area)
    if cumulative.value is not None:
        parts = cumulative.parts
        definition = _(
            "Individuals counted at the flow monitoring points from %(start)s to %(end)s "
            "(inclusive); the average is per day with at least one count (%(days)s days)."
        ) % {
            "start": format_date(PLAN_FLOW_START),
            "end": format_date(end),
            "days": format_number(parts["days_observed"]),
        }
        figures += [
            Figure(
                key="mobility.flow_cumulative",
                label=_("Individuals observed since %(start)s")
                % {"start": format_month(PLAN_FLOW_START)},
                value=cumulative.value,
                as_of=end,
                definition=definition,
                drilldown=_flows(PLAN_FLOW_START, end),
            ),
            Figure(
                key="mobility.flow_incoming",
                label=_("of whom incoming"),
                value=parts["incoming"],
                as_of=end,
                definition=definition,
                drilldown=_flows(PLAN_FLOW_START, end, Direction.INCOMING),
            ),
            Figure(
                key="mobility.flow_outgoing",
                label=_("of whom outgoing"),
                value=parts["outgoing"],
                as_of=end,
                definition=definition,
                drilldown=_flows(PLAN_FLOW_START, end, Direction.OUTGOING),
            ),
            Figure(
                key="mobility.flow_per_day",
                label=_("Average per day of observation since %(start)s")
                % {"start": format_month(PLAN_FLOW_START)},
                value=parts["average_per_day"],
                as_of=end,
                definition=definition,
                drilldown=_flows(PLAN_FLOW_START, end),
            ),
        ]
        values = {
            "start": format_month(PLAN_FLOW_START),
            "closure": format_date(closure) if closure else "",
            "end": format_date(end),
            "total": format_number(cumulative.value),
            "incoming": format_number(parts["incoming"]),
            "outgoing": format_number(parts["outgoing"]),
            "avg": format_number(parts["average_per_day"]),
        }
        if until_closure:
            sentence = _(
                "From %(start)s until the closure of the land borders on %(closure)s, "
                "%(total)s migrants (%(incoming)s incoming and %(outgoing)s outgoing) were "
                "observed at the FMPs, an average of %(avg)s migrants per day."
            )
        else:
            sentence = _(
                "From %(start)s to %(end)s, %(total)s migrants (%(incoming)s incoming and "
                "%(outgoing)s outgoing) were observed at the FMPs, an average of %(avg)s "
                "migrants per day."
            )
        sentences.append(sentence % values)
    if (
        until_closure
        and closure + timedelta(days=6) <= as_of
        and user.has_perm(STRANDED_PERMISSION)
    ):
        week_end = closure + timedelta(days=6)
        stranded = stranded_in_period(scope=scope, start=closure, end=week_end, area=area)
        if stranded.value is not None:
            figures.append(
                Figure(
                    key="mobility.stranded_first_week",
                    label=_("Stranded migrants, first week of the border closure"),
                    value=stranded.value,
                    as_of=week_end,
                    definition=_(
                        "Stranded migrants counted at the sites from %(start)s to %(end)s, the "
                        "first seven days of the land border closure (%(groups)s reports)."
                    )
                    % {
                        "start": format_date(closure),
                        "end": format_date(week_end),
                        "groups": stranded.parts["groups"],
                    },
                    drilldown=Drilldown(
                        "mobility.stranded",
                        {"start": closure.isoformat(), "end": week_end.isoformat()},
                    ),
                )
            )
            sentences.append(
                _(
                    "Within the first week of the closure of the borders, %(n)s stranded "
                    "migrants were accounted for at the FMPs."
                )
                % {"n": format_number(stranded.value)}
            )
    if user.has_perm(IDP_PERMISSION):
        idps = idps_current(scope=scope, as_of=as_of, area=area)
        if idps.value is not None:
            rounds = idps.parts["rounds"]
            number = max(rounds, key=lambda n: rounds[n])
            figures.append(
                Figure(
                    key="mobility.idps",
                    label=_("Internally displaced persons (IDPs)"),
                    value=idps.value,
                    as_of=idps.as_of,
                    definition=_(
                        "For each cercle, the IDP individuals of its latest displacement round "
                        "reported on or before the as-of date (%(areas)s areas; latest round: "
                        "%(round)s of %(date)s)."
                    )
                    % {
                        "areas": idps.parts["areas"],
                        "round": number,
                        "date": format_date(rounds[number]),
                    },
                    drilldown=Drilldown("mobility.displacement", {"as_of": as_of.isoformat()}),
                )
            )
            sentences.append(
                _("Internally Displaced Persons (IDPs): %(n)s (round %(round)s, %(date)s).")
                % {
                    "n": format_number(idps.value),
                    "round": number,
                    "date": format_month(rounds[number]),
                }
            )
    if user.has_perm(MRRC_PERMISSION):
        mrrc = mrrc_occupancy(scope=scope, on=as_of, area=area)
        if mrrc.value is not None:
            parts = mrrc.parts
            mrrc_definition = _(
                "Migrants present in the migrant resource and response centres: each centre's "
                "latest report on or before the as-of date and at most 31 days old "
                "(%(centres)s centres); children are girls and boys."
            ) % {"centres": len(parts["centres"])}
            drill = Drilldown("mobility.mrrc", {"as_of": as_of.isoformat()})
            figures += [
                Figure(
                    key="mobility.mrrc",
                    label=_("Migrants in MRRCs"),
                    value=mrrc.value,
                    as_of=as_of,
                    definition=mrrc_definition,
                    drilldown=drill,
                ),
                Figure(
                    key="mobility.mrrc_women",
                    label=_("of whom women"),
                    value=parts["women"],
                    as_of=as_of,
                    definition=mrrc_definition,
                    drilldown=drill,
                ),
                Figure(
                    key="mobility.mrrc_children",
                    label=_("of whom children"),
                    value=parts["children"],
                    as_of=as_of,
                    definition=mrrc_definition,
                    drilldown=drill,
                ),
            ]
            sentences.append(
                _(
                    "Migrants in Migrant Resource and Response Centres (MRRC): %(n)s (among which "
                    "%(women)s women and %(children)s children)."
                )
                % {
                    "n": format_number(mrrc.value),
                    "women": format_number(parts["women"]),
                    "children": format_number(parts["children"]),
                }
            )
    if not figures:
        return SectionResult.empty(
            _("No mobility data has been recorded on or before %(date)s.")
            % {"date": format_date(as_of)}
        )
    chart = daily_flow_chart(scope, as_of, area)
    if chart is not None:
        charts.append(chart)
    return SectionResult(figures=figures, sentences=sentences, charts=charts)


def daily_flow_chart(scope, as_of: date, area) -> Chart | None:
    start = as_of.replace(day=1)
    for _month in range(CHART_MONTHS - 1):
        start = (start - timedelta(days=1)).replace(day=1)
    rows = flow_daily_series(scope=scope, start=start, end=as_of, area=area)
    if not rows:
        return None
    labels = dict(Direction.choices)
    values = [
        {"day": r["date"].isoformat(), "direction": str(labels[r["direction"]]), "n": r["total"]}
        for r in rows
    ]
    order = [str(labels[d]) for d in Direction.values]
    chart = (
        alt.Chart(ROWS)
        .mark_line(strokeWidth=1.5)
        .encode(
            x=alt.X("day:T", title=None, axis=alt.Axis(format="%d %b", labelOverlap=True)),
            y=alt.Y("n:Q", title=_("Individuals per day")),
            color=alt.Color(
                "direction:N",
                title=None,
                sort=order,
                scale=alt.Scale(domain=order, range=[PALETTE[0], PALETTE[1], PALETTE[2]]),
            ),
            tooltip=[
                alt.Tooltip("day:T", title=_("Day")),
                alt.Tooltip("direction:N", title=_("Direction")),
                alt.Tooltip("n:Q", title=_("Individuals")),
            ],
        )
    )
    return Chart(
        key="mobility.daily",
        title=_("Daily flows at the FMPs by direction, %(start)s – %(end)s")
        % {"start": format_date(start), "end": format_date(as_of)},
        spec=chart_spec(chart, rows=values),
    )


register(
    Section(
        key="mobility",
        title=gettext_lazy("Migrants in vulnerable situation"),
        build=build,
        order=20,
        permission=PERMISSION,
        latest=latest,
    )
)
