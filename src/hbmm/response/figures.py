"""The response figures (`hbmm.presentation.figures.Figure`): progress of each indicator
against its target, and the plan's funding (requirement, funded, gap, coverage) in total and
per pillar. Built from `hbmm.response.selectors`; each figure has its definition and its
drill-down (the 4W rows it sums, the contributions it adds up, or for a computed indicator the
HBMM records it counts)."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hbmm.accounts.scope import Scope
from hbmm.presentation.figures import COUNT, FACT, Drilldown, Figure, format_date, format_number
from hbmm.response import selectors
from hbmm.response.models import Indicator, Plan

# The records a computed indicator counts: a table and its filters (besides start and end).
COMPUTED_DRILLDOWNS = {
    # each point's latest checklist of the period, one row per point
    "poe.points_assessed": ("health.capacity", {"item": "handwashing"}),
    "poe.handwashing_points": ("health.capacity", {"item": "handwashing", "answer": "yes"}),
    "screening.travellers_screened": ("health.screenings", {}),
    # per site, the stranded migrants assisted (protection aggregates, no case listed)
    "protection.stranded_assisted": ("response.stranded_assisted", {}),
}


def _int(value: Decimal | None) -> int | float | Decimal | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else value


def _indicator_definition(p: selectors.IndicatorProgress, plan: Plan) -> str:
    indicator = p.indicator
    if indicator.source == Indicator.Source.COMPUTED:
        what = _("Computed from HBMM's own records (%(figure)s) from %(start)s to %(end)s.") % {
            "figure": indicator.computed_figure,
            "start": format_date(p.start),
            "end": format_date(p.end),
        }
    else:
        what = ngettext(
            "Sum of the completed activity reports (4W) of the plan's months up to the date: "
            "%(rows)s row, from %(partners)s organisation(s) in %(areas)s area(s).",
            "Sum of the completed activity reports (4W) of the plan's months up to the date: "
            "%(rows)s rows, from %(partners)s organisation(s) in %(areas)s area(s).",
            p.rows,
        ) % {
            "rows": format_number(p.rows),
            "partners": format_number(p.partners),
            "areas": format_number(p.areas),
        }
    if p.target is None:
        return what + " " + _("No target set.")
    return (
        what
        + " "
        + _("Target: %(value)s (version %(version)s of the target).")
        % {"value": format_number(p.target.value), "version": p.target.version}
    )


# Computed indicators whose value counts people (the others count points of entry).
PEOPLE_COMPUTED = {"screening.travellers_screened", "protection.stranded_assisted"}


def indicator_disclosure(indicator: Indicator) -> str:
    """COUNT (suppressed when small in public outputs) for an indicator that counts people: one
    disaggregated by sex or age, or computed from people's records; FACT for the rest (kits,
    meetings, points, percentages)."""
    if indicator.kind != Indicator.Kind.COUNT:
        return FACT
    if indicator.source == Indicator.Source.COMPUTED:
        return COUNT if indicator.computed_figure in PEOPLE_COMPUTED else FACT
    return COUNT if indicator.disaggregation != Indicator.Disaggregation.NONE else FACT


def indicator_figure(p: selectors.IndicatorProgress, *, plan: Plan, as_of: dt.date) -> Figure:
    indicator = p.indicator
    if indicator.source == Indicator.Source.COMPUTED:
        table, params = COMPUTED_DRILLDOWNS.get(indicator.computed_figure, (None, {}))
        drilldown = (
            Drilldown(table, {**params, "start": p.start.isoformat(), "end": p.end.isoformat()})
            if table and p.start and p.end
            else None
        )
    else:
        drilldown = Drilldown(
            "response.reports",
            {"indicator": indicator.code, "end": as_of.strftime("%Y-%m"), "status": "completed"},
        )
    return Figure(
        disclosure=indicator_disclosure(indicator),
        key=f"response.indicator.{indicator.code}",
        label=indicator.name,
        value=_int(p.achieved) if p.achieved is not None else None,
        denominator=int(p.target.value) if p.target is not None else None,
        against_target=True,
        unit=indicator.unit,
        as_of=as_of,
        definition=_indicator_definition(p, plan),
        drilldown=drilldown,
        note=(
            _("computed from HBMM records")
            if indicator.source == Indicator.Source.COMPUTED
            else _("reported by partners (4W)")
        ),
        parts={
            "pillar": indicator.activity.pillar.code,
            "source": indicator.source,
            "target_version": p.target.version if p.target else None,
            "rows": p.rows,
        },
    )


def indicator_figures(
    *, plan: Plan, scope: Scope, organisations: frozenset[int] | None, as_of: dt.date
) -> list[Figure]:
    progress = selectors.indicator_progress(
        plan=plan, scope=scope, organisations=organisations, as_of=as_of
    )
    return [indicator_figure(p, plan=plan, as_of=as_of) for p in progress]


@dataclass(frozen=True)
class FundingFigures:
    requirement: Figure
    funded: Figure
    gap: Figure
    pillars: list[Figure]
    funding: selectors.Funding


def funding_figures(*, plan: Plan, as_of: dt.date) -> FundingFigures:
    funding = selectors.plan_funding(plan=plan, as_of=as_of)
    currency = plan.currency
    contributions = Drilldown("response.contributions", {"as_of": as_of.isoformat()})
    requirement = Figure(
        disclosure=FACT,
        key="response.requirement",
        label=_("Funding requirement"),
        value=_int(funding.requirement),
        unit=currency,
        as_of=plan.start,
        definition=_(
            "The plan's indicative funding requirement, the sum of its %(n)s pillars' "
            "requirements (the plan's table)."
        )
        % {"n": len(funding.pillars)},
        drilldown=Drilldown("response.funding", {"as_of": as_of.isoformat()}),
    )
    funded = Figure(
        disclosure=FACT,
        key="response.funded",
        label=_("Funded"),
        value=_int(funding.funded),
        denominator=int(funding.requirement),
        unit=currency,
        as_of=as_of,
        definition=_(
            "Contributions committed or paid, signed on or before the date, converted to "
            "%(currency)s at each contribution's rate; pledges are not counted."
        )
        % {"currency": currency}
        + " "
        + ngettext(
            "%(n)s contribution counted.", "%(n)s contributions counted.", funding.contributions
        )
        % {"n": format_number(funding.contributions)},
        drilldown=contributions,
    )
    gap = Figure(
        disclosure=FACT,
        key="response.gap",
        label=_("Funding gap"),
        value=_int(funding.gap),
        denominator=int(funding.requirement),
        unit=currency,
        as_of=as_of,
        definition=_("The requirement less the funding (never below zero)."),
        drilldown=Drilldown("response.funding", {"as_of": as_of.isoformat()}),
    )
    pillars = [
        Figure(
            disclosure=FACT,
            key=f"response.funded.{p.pillar.code}",
            label=p.pillar.name,
            value=_int(p.funded),
            denominator=int(p.requirement),
            unit=currency,
            as_of=as_of,
            definition=_(
                "Contributions earmarked to this pillar (committed or paid) against its "
                "requirement."
            ),
            drilldown=Drilldown(
                "response.contributions",
                {"as_of": as_of.isoformat(), "pillar": p.pillar.code},
            ),
        )
        for p in funding.pillars
    ]
    return FundingFigures(requirement, funded, gap, pillars, funding)


@dataclass(frozen=True)
class SpendingFigures:
    total: Figure
    pillars: list[Figure]


def spending_figures(*, plan: Plan, as_of: dt.date) -> SpendingFigures:
    """Spent against budget: per pillar, the expenditure from the plan's start to the month of
    `as_of` against the pillar's requirement, and in total. Each drills down to the lines it
    sums."""
    spending = selectors.plan_spending(plan=plan, as_of=as_of)
    currency = plan.currency
    end = as_of.strftime("%Y-%m")
    pillars = [
        Figure(
            key=f"response.spent.{p.pillar.code}",
            label=p.pillar.name,
            value=_int(p.spent),
            denominator=int(p.requirement),
            unit=currency,
            as_of=as_of,
            definition=ngettext(
                "Expenditure on this pillar from the plan's start to the month of the date "
                "(%(lines)s line of the finance export, corrections included) against its "
                "requirement.",
                "Expenditure on this pillar from the plan's start to the month of the date "
                "(%(lines)s lines of the finance export, corrections included) against its "
                "requirement.",
                p.lines,
            )
            % {"lines": format_number(p.lines)},
            drilldown=Drilldown("response.expenditures", {"end": end, "pillar": p.pillar.code}),
        )
        for p in spending
    ]
    spent = sum((p.spent for p in spending), Decimal(0))
    requirement = sum((p.requirement for p in spending), Decimal(0))
    total = Figure(
        key="response.spent",
        label=_("Spent"),
        value=_int(spent),
        denominator=int(requirement),
        unit=currency,
        as_of=as_of,
        definition=_(
            "Expenditure on every pillar from the plan's start to the month of the date, from "
            "the finance system's export, against the plan's requirement."
        ),
        drilldown=Drilldown("response.expenditures", {"end": end}),
    )
    return SpendingFigures(total, pillars)
