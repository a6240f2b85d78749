"""The named figures of traveller screening, each a `hbmm.presentation.figures.Figure` built from
`hbmm.health.screening.selectors`: travellers screened in a period, with symptoms, suspect, the
suspects' steps (isolated, referred, sampled, positive) and the median delays. The screening
dashboard, the situation overview and report, and the API show these same objects."""

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext_lazy

from hbmm.accounts.scope import Scope
from hbmm.health.screening import selectors
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
