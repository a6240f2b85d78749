"""The named figures of traveller screening, each a `hbmm.presentation.figures.Figure` built from
`hbmm.health.screening.selectors`: travellers screened in a period, with symptoms, suspect, the
suspects' steps (isolated, referred, sampled, positive) and the median delays. The screening
dashboard, the situation overview and report, and the API show these same objects."""

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, ngettext_lazy

from hbmm.accounts.scope import Scope
from hbmm.health.screening import selectors
from hbmm.health.screening.models import FollowUpOutcome
from hbmm.presentation.figures import Drilldown, Figure, format_date

STEPS = ("isolated", "referred", "sampled", "positive")


@dataclass(frozen=True)
class ScreeningPeriod:
    """The screening figures of a period, and the totals they are made of."""

    figures: list[Figure]
    totals: dict  # selectors.screening_summary

    @property
    def has_data(self) -> bool:
        return bool(self.totals["screened"])


def screening_period(
    *, scope: Scope, start: dt.date | None, end: dt.date | None, last_days: int | None = None
) -> ScreeningPeriod:
    """Screenings at the points of entry by date of screening, `start` to `end` inclusive (all
    dates when both are None); `last_days=7` titles the first figure "last 7 days"."""
    totals = selectors.screening_summary(scope=scope, start=start, end=end)
    dates = {k: v.isoformat() for k, v in (("start", start), ("end", end)) if v}
    drill = Drilldown("health.screenings", dates)
    suspects = Drilldown("health.screenings", {**dates, "suspect": "1"})
    if start and end:
        counted = _(
            "Screenings at the points of entry in the selected scope from %(start)s to %(end)s "
            "(date of screening)."
        ) % {"start": format_date(start), "end": format_date(end)}
    else:
        counted = _(
            "Screenings at the points of entry in the selected scope, all dates (date of "
            "screening)."
        )
    screened, suspect = totals["screened"], totals["suspect"]
    label = _("Travellers screened, last 7 days") if last_days == 7 else _("Travellers screened")
    figures = [
        Figure(
            key="screening.screened",
            label=label,
            value=screened,
            as_of=end,
            definition=counted,
            drilldown=drill,
            parts={"points": totals["points"]},
        ),
        Figure(
            key="screening.symptoms",
            label=_("With symptoms"),
            value=totals["with_symptoms"],
            denominator=screened,
            unit=ngettext_lazy("screened", "screened"),
            as_of=end,
            definition=counted + " " + _("Travellers reporting at least one symptom."),
            drilldown=drill,
        ),
        Figure(
            key="screening.suspect",
            label=_("Suspect cases"),
            value=suspect,
            denominator=screened,
            unit=ngettext_lazy("screened", "screened"),
            as_of=end,
            definition=counted
            + " "
            + _("Travellers classified suspect (case definition, or the agent's override)."),
            drilldown=suspects,
        ),
    ]
    step_labels = {
        "isolated": _("Suspects isolated"),
        "referred": _("Suspects referred"),
        "sampled": _("Suspects sampled"),
        "positive": _("Suspects tested positive"),
    }
    for key in STEPS:
        figures.append(
            Figure(
                key=f"screening.{key}",
                label=step_labels[key],
                value=totals[key],
                denominator=suspect,
                unit=ngettext_lazy("suspect", "suspects"),
                as_of=end,
                definition=counted
                + " "
                + _("Suspect cases screened in the period that reached this step (at any date)."),
                drilldown=suspects,
            )
        )
    for key, label, count in (
        (
            "median_hours_to_notification",
            _("Median hours, screening to notification"),
            "notified_count",
        ),
        ("median_hours_to_referral", _("Median hours, screening to referral"), "referred_count"),
    ):
        if totals[key] is not None:
            figures.append(
                Figure(
                    key=f"screening.{key}",
                    label=label,
                    value=totals[key],
                    decimals=1,
                    unit=ngettext_lazy("hour", "hours"),
                    as_of=end,
                    definition=counted
                    + " "
                    + _("Median over the %(n)s suspects that reached the step.")
                    % {"n": totals[count]},
                    drilldown=suspects,
                )
            )
    return ScreeningPeriod(figures=figures, totals=totals)


# --- 14-day follow-up ------------------------------------------------------------------------


@dataclass(frozen=True)
class FollowUpPeriod:
    """The follow-up figures of the travellers who entered in a period, and their totals."""

    figures: list[Figure]
    totals: dict  # selectors.followup_summary

    @property
    def has_data(self) -> bool:
        return bool(self.totals["followed"] or self.totals["under_follow_up"])


def followup_period(*, scope: Scope, start: dt.date | None, end: dt.date | None) -> FollowUpPeriod:
    """Travellers under 14-day follow-up on `end` (today when None); of the follow-ups of the
    travellers screened from `start` to `end` (the date of entry): the share followed all 14
    days (of those closed), lost to follow-up and symptomatic during follow-up (of all)."""
    totals = selectors.followup_summary(scope=scope, start=start, end=end)
    dates = {k: v.isoformat() for k, v in (("start", start), ("end", end)) if v}
    if start and end:
        cohort = _(
            "Travellers screened at the points of entry in the selected scope from %(start)s to "
            "%(end)s (date of entry) whose 14-day follow-up started."
        ) % {"start": format_date(start), "end": format_date(end)}
    else:
        cohort = _(
            "Travellers screened at the points of entry in the selected scope, all dates, whose "
            "14-day follow-up started."
        )
    day = totals["under_follow_up_on"]
    followed, closed = totals["followed"], totals["closed"]
    travellers = ngettext_lazy("traveller", "travellers")
    figures = [
        Figure(
            key="followup.under_follow_up",
            label=_("Travellers under follow-up"),
            value=totals["under_follow_up"],
            unit=travellers,
            as_of=day,
            definition=_(
                "Travellers in the selected scope whose 14-day follow-up was under way on "
                "%(day)s: screened before that day, 14 days not over, not closed."
            )
            % {"day": format_date(day)},
            drilldown=Drilldown("health.followups", {"open_on": day.isoformat()}),
        ),
        Figure(
            key="followup.completed",
            label=_("Followed all 14 days"),
            value=totals[FollowUpOutcome.COMPLETED],
            denominator=closed,
            unit=ngettext_lazy("closed follow-up", "closed follow-ups"),
            as_of=end,
            definition=cohort
            + " "
            + _("Follow-ups completed at day 14, of the follow-ups closed (with an outcome)."),
            drilldown=Drilldown(
                "health.followups", {**dates, "outcome": FollowUpOutcome.COMPLETED}
            ),
        ),
        Figure(
            key="followup.lost",
            label=_("Lost to follow-up"),
            value=totals[FollowUpOutcome.LOST],
            denominator=followed,
            unit=ngettext_lazy("follow-up", "follow-ups"),
            as_of=end,
            definition=cohort
            + " "
            + ngettext(
                "Travellers not reached at %(n)s visit in a row.",
                "Travellers not reached at %(n)s visits in a row.",
                selectors.missed_limit(),
            )
            % {"n": selectors.missed_limit()},
            drilldown=Drilldown("health.followups", {**dates, "outcome": FollowUpOutcome.LOST}),
        ),
        Figure(
            key="followup.symptomatic",
            label=_("Symptomatic during follow-up"),
            value=totals[FollowUpOutcome.SYMPTOMATIC],
            denominator=followed,
            unit=ngettext_lazy("follow-up", "follow-ups"),
            as_of=end,
            definition=cohort
            + " "
            + _("Travellers with symptoms or a fever at a visit (they became suspect cases)."),
            drilldown=Drilldown(
                "health.followups", {**dates, "outcome": FollowUpOutcome.SYMPTOMATIC}
            ),
        ),
    ]
    return FollowUpPeriod(figures=figures, totals=totals)


def followup_breakdown(
    *, scope: Scope, start: dt.date | None, end: dt.date | None, by: str
) -> list[dict]:
    """The follow-up figures by point of entry or ISO week of entry: each row with its key,
    its label, its counts and its Figures (followed all 14 days, lost, symptomatic) drilling
    down to its records."""
    dates = {k: v.isoformat() for k, v in (("start", start), ("end", end)) if v}
    rows = []
    for row in selectors.followup_figures(scope=scope, start=start, end=end, by=by):
        if by == "week":
            year, week = (int(part) for part in row["key"].split("-W"))
            week_start = dt.date.fromisocalendar(year, week, 1)
            params = {
                "start": week_start.isoformat(),
                "end": (week_start + dt.timedelta(6)).isoformat(),
            }
            label = row["key"]
        else:
            params = {**dates, "site": row["key"]}
            label = f"{row['name']} ({row['key']})"
        cells = []
        for outcome, denominator in (
            (FollowUpOutcome.COMPLETED, row["closed"]),
            (FollowUpOutcome.LOST, row["followed"]),
            (FollowUpOutcome.SYMPTOMATIC, row["followed"]),
        ):
            cells.append(
                Figure(
                    key=f"followup.{outcome}",
                    label=FollowUpOutcome(outcome).label,
                    value=row[outcome],
                    denominator=denominator,
                    drilldown=Drilldown("health.followups", {**params, "outcome": outcome}),
                )
            )
        rows.append(
            {
                "key": row["key"],
                "label": label,
                "followed": row["followed"],
                "open": row["followed"] - row["closed"],
                "drilldown": Drilldown("health.followups", params),
                "cells": cells,
            }
        )
    return rows
