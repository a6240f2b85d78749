"""Migrants in vulnerable situation: flow monitoring trend, cumulative flows since the start of
flow monitoring, stranded migrants after the border closure, IDPs and MRRC occupancy — the
plan's sentences written from the mobility figures (`hbmm.mobility.figures`) — and the daily
flow chart."""

from datetime import date, timedelta

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from hbmm.mobility import figures as mobility
from hbmm.mobility.charts import flow_daily_chart
from hbmm.mobility.selectors import (
    PLAN_FLOW_START,
    border_closure_date,
    flow_daily_series,
    latest_data_date,
)
from hbmm.presentation.figures import (
    Figure,
    format_date,
    format_month,
    format_number,
    format_percent,
    plural_count,
)
from hbmm.reports.registry import Context, Section, SectionResult, register

PERMISSION = "mobility.view_flowcount"
IDP_PERMISSION = "mobility.view_displacementfigure"
MRRC_PERMISSION = "mobility.view_mrrcoccupancy"
STRANDED_PERMISSION = "mobility.view_strandedmigrants"
CHART_MONTHS = 4  # the daily flow chart shows this many months up to the as-of date


def _trend_sentence(average: Figure) -> str:
    parts = average.parts
    values = {
        "avg": format_number(average.value),
        "month": format_month(average.as_of),
        "previous": format_month(parts["previous_month"]),
    }
    change = parts["change_percent"]
    values["observed"] = ngettext(
        "%(avg)s individual was observed daily at the FMPs in %(month)s",
        "%(avg)s individuals were observed daily at the FMPs in %(month)s",
        plural_count(average.value),
    ) % {"avg": values["avg"], "month": values["month"]}
    if change is None:
        return _("%(observed)s.") % values
    values["pct"] = format_percent(abs(change))
    if change < 0:
        return _("%(observed)s, a decrease of %(pct)s from %(previous)s.") % values
    if change > 0:
        return _("%(observed)s, an increase of %(pct)s from %(previous)s.") % values
    return _("%(observed)s, as in %(previous)s.") % values


def _flow_sentence(flows: mobility.FlowPeriod, *, closure: date | None, end: date) -> str:
    values = {
        "start": format_month(PLAN_FLOW_START),
        "closure": format_date(closure) if closure else "",
        "end": format_date(end),
        "observed": ngettext(
            "%(total)s migrant (%(incoming)s incoming and %(outgoing)s outgoing) was observed",
            "%(total)s migrants (%(incoming)s incoming and %(outgoing)s outgoing) were observed",
            plural_count(flows.total.value),
        )
        % {
            "total": format_number(flows.total.value),
            "incoming": format_number(flows.incoming.value),
            "outgoing": format_number(flows.outgoing.value),
        },
        "avg": ngettext(
            "%(n)s migrant per day", "%(n)s migrants per day", plural_count(flows.per_day.value)
        )
        % {"n": format_number(flows.per_day.value)},
    }
    if closure is not None:
        sentence = _(
            "From %(start)s until the closure of the land borders on %(closure)s, "
            "%(observed)s at the FMPs, an average of %(avg)s."
        )
    else:
        sentence = _("From %(start)s to %(end)s, %(observed)s at the FMPs, an average of %(avg)s.")
    return sentence % values


RETURNEE_ORIGINS_SHOWN = 3  # the sitrep names the main countries returnees came back from


def _returnees_sentence(returnees: mobility.Returnees) -> str:
    total = returnees.total
    values = {
        "n": format_number(total.value),
        "round": total.parts["latest_round"],
        "date": format_month(total.as_of) if total.as_of else "",
        "idp": format_number(returnees.idp.value),
        "abroad": format_number(returnees.abroad.value),
    }
    if not returnees.idp.has_data:
        return (
            ngettext(
                "Returnees: %(n)s person (round %(round)s, %(date)s).",
                "Returnees: %(n)s people (round %(round)s, %(date)s).",
                plural_count(total.value),
            )
            % values
        )
    sentence = (
        ngettext(
            "Returnees: %(n)s person (round %(round)s, %(date)s), of whom IDP returnees: "
            "%(idp)s; returnees from abroad: %(abroad)s.",
            "Returnees: %(n)s people (round %(round)s, %(date)s), of whom IDP returnees: "
            "%(idp)s; returnees from abroad: %(abroad)s.",
            plural_count(total.value),
        )
        % values
    )
    origins = returnees.abroad_origins[:RETURNEE_ORIGINS_SHOWN]
    if origins:
        sentence += " " + _("Main countries of origin of returnees from abroad: %(list)s.") % {
            "list": ", ".join(
                _("%(place)s (%(n)s)") % {"place": f.parts["place"], "n": format_number(f.value)}
                for f in origins
            )
        }
    return sentence


def build(ctx: Context) -> SectionResult:
    user, scope, as_of = ctx.user, ctx.scope, ctx.as_of
    figures, sentences = [], []
    average = mobility.flow_daily_average(scope=scope, month=mobility.trend_month(as_of))
    if average.has_data:
        figures.append(average)
        sentences.append(_trend_sentence(average))
    closure = border_closure_date()
    if closure is not None and closure > as_of:
        closure = None  # not closed yet on that date
    end = closure - timedelta(days=1) if closure else as_of
    flows = mobility.flow_since_plan_start(scope=scope, end=end)
    if flows.has_data:
        figures += [flows.total, flows.incoming, flows.outgoing, flows.per_day]
        sentences.append(_flow_sentence(flows, closure=closure, end=end))
    if (
        closure is not None
        and closure + timedelta(days=mobility.STRANDED_WINDOW_DAYS - 1) <= as_of
        and user.has_perm(STRANDED_PERMISSION)
    ):
        stranded = mobility.stranded_first_week_of_closure(scope=scope, closure=closure)
        if stranded.has_data:
            figures.append(stranded)
            sentences.append(
                ngettext(
                    "Within the first week of the closure of the borders, %(n)s stranded "
                    "migrant was accounted for at the FMPs.",
                    "Within the first week of the closure of the borders, %(n)s stranded "
                    "migrants were accounted for at the FMPs.",
                    plural_count(stranded.value),
                )
                % {"n": format_number(stranded.value)}
            )
    if user.has_perm(IDP_PERMISSION):
        idps = mobility.idps_current(scope=scope, as_of=as_of)
        if idps.has_data:
            figures.append(idps)
            sentences.append(
                _("Internally Displaced Persons (IDPs): %(n)s (round %(round)s, %(date)s).")
                % {
                    "n": format_number(idps.value),
                    "round": idps.parts["latest_round"],
                    "date": format_month(idps.as_of),
                }
            )
        # the sentence names countries only: no read of the areas' names
        returnees = mobility.returnees_current(scope=scope, as_of=as_of, area_names=False)
        if returnees.total.has_data:
            figures += [f for f in returnees.figures[:3] if f.has_data]
            sentences.append(_returnees_sentence(returnees))
    if user.has_perm(MRRC_PERMISSION):
        mrrc = mobility.mrrc_present(scope=scope, as_of=as_of)
        if mrrc.total.has_data:
            figures += [mrrc.total, mrrc.women, mrrc.children]
            sentences.append(
                _(
                    "Migrants in Migrant Resource and Response Centres (MRRC): %(n)s (among which "
                    "%(women)s women and %(children)s children)."
                )
                % {
                    "n": format_number(mrrc.total.value),
                    "women": format_number(mrrc.women.value),
                    "children": format_number(mrrc.children.value),
                }
            )
    if not figures:
        return SectionResult.empty(
            _("No mobility data has been recorded on or before %(date)s.")
            % {"date": format_date(as_of)}
        )
    start = as_of.replace(day=1)
    for _month in range(CHART_MONTHS - 1):
        start = (start - timedelta(days=1)).replace(day=1)
    series = flow_daily_series(scope=scope, start=start, end=as_of)
    charts = [flow_daily_chart(series, start=start, end=as_of)] if series else []
    return SectionResult(figures=figures, sentences=sentences, charts=charts)


register(
    Section(
        key="mobility",
        title=gettext_lazy("Migrants in vulnerable situation"),
        build=build,
        order=20,
        permission=PERMISSION,
        latest=lambda scope: latest_data_date(scope=scope),
        front=True,  # the plan's first page: beside the COVID-19 box
    )
)
