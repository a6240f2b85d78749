"""The named figures of community feedback, each a `hbmm.presentation.figures.Figure` built from
`hbmm.feedback.selectors`, with its definition and its drill-down into the feedback log
(`feedback.log`): entries received over a period, rumours, answered within the target, waiting
for an answer, the topics of the week's rumours, and the RCCE reach of a month (people reached
by awareness sessions, from the 4W reports) beside the feedback received in its weeks."""

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, ngettext_lazy

from hbmm.accounts.scope import Scope
from hbmm.feedback import selectors
from hbmm.feedback.models import Feedback
from hbmm.presentation.figures import (
    Drilldown,
    Figure,
    format_date,
    format_month,
    format_number,
    plural_count,
)


def log(start: dt.date, end: dt.date, **filters) -> Drilldown:
    """The feedback log's entries received from `start` to `end`, filtered."""
    return Drilldown(
        "feedback.log", {"start": start.isoformat(), "end": end.isoformat(), **filters}
    )


@dataclass(frozen=True)
class FeedbackPeriod:
    """The feedback figures of one period (entries received from `start` to `end`)."""

    summary: selectors.FeedbackSummary
    received: Figure
    rumours: Figure
    answered: Figure
    pending: Figure

    @property
    def has_data(self) -> bool:
        return self.summary.total > 0

    @property
    def figures(self) -> tuple[Figure, ...]:
        return (self.received, self.rumours, self.answered, self.pending)


def feedback_period(*, scope: Scope, start: dt.date, end: dt.date) -> FeedbackPeriod:
    summary = selectors.feedback_summary(scope=scope, start=start, end=end)
    total = summary.total
    dates = {"start": format_date(start), "end": format_date(end)}
    pending = summary.by_status.get(Feedback.Status.OPEN, 0) + summary.by_status.get(
        Feedback.Status.REFERRED, 0
    )
    return FeedbackPeriod(
        summary=summary,
        received=Figure(
            key="feedback.received",
            label=_("Community feedback received"),
            value=total if total else None,
            unit=ngettext_lazy("entry", "entries"),
            as_of=end,
            definition=_(
                "Rumours, questions, suggestions, complaints and praise logged from the hotline, "
                "community focal points, awareness sessions and social media, received from "
                "%(start)s to %(end)s."
            )
            % dates,
            drilldown=log(start, end),
            parts={"by_channel": summary.by_channel, "uncoded": summary.uncoded},
        ),
        rumours=Figure(
            key="feedback.rumours",
            label=_("Rumours"),
            value=summary.by_kind[Feedback.Kind.RUMOUR] if total else None,
            denominator=total,
            unit=ngettext_lazy("entry", "entries"),
            as_of=end,
            definition=_(
                "Entries received from %(start)s to %(end)s coded as rumours, out of all the "
                "entries received (not coded yet: %(uncoded)s)."
            )
            % {**dates, "uncoded": format_number(summary.uncoded)},
            drilldown=log(start, end, kind=Feedback.Kind.RUMOUR),
            parts=dict(summary.by_kind),
        ),
        answered=Figure(
            key="feedback.answered_in_time",
            label=_("Answered within %(hours)s hours") % {"hours": summary.target_hours},
            value=summary.answered_within_target if total else None,
            denominator=total,
            unit=ngettext_lazy("entry", "entries"),
            as_of=end,
            definition=(
                _(
                    "Entries received from %(start)s to %(end)s whose answer was recorded "
                    "within %(hours)s hours of their reception, out of all the entries "
                    "received; %(answered)s were answered by the end of %(end)s (median "
                    "%(median)s hours)."
                )
                if summary.answered
                else _(
                    "Entries received from %(start)s to %(end)s whose answer was recorded "
                    "within %(hours)s hours of their reception, out of all the entries "
                    "received; none was answered by the end of %(end)s."
                )
            )
            % {
                **dates,
                "hours": summary.target_hours,
                "answered": format_number(summary.answered),
                "median": format_number(summary.median_hours_to_answer, decimals=1),
            },
            drilldown=log(start, end),
            parts={"answered": summary.answered, "median_hours": summary.median_hours_to_answer},
        ),
        pending=Figure(
            key="feedback.pending",
            label=_("Waiting for an answer"),
            value=pending if total else None,
            denominator=total,
            unit=ngettext_lazy("entry", "entries"),
            as_of=end,
            definition=_(
                "Entries received from %(start)s to %(end)s that were open or referred at the "
                "end of %(end)s (no answer recorded, not closed)."
            )
            % dates,
            drilldown=log(start, end, status="pending"),
        ),
    )


def top_rumours(
    *, scope: Scope, start: dt.date, end: dt.date, limit: int = 5, rumours: int | None = None
) -> list[Figure]:
    """One figure per topic of the rumours received from `start` to `end` (coded by the end of
    `end`), most frequent first: n of the period's rumours (`rumours`, when the caller has
    counted them already)."""
    ranked = selectors.top_rumours(scope=scope, start=start, end=end, limit=limit)
    if not ranked:
        return []
    if rumours is None:
        summary = selectors.feedback_summary(scope=scope, start=start, end=end)
        rumours = summary.by_kind[Feedback.Kind.RUMOUR]
    labels = dict(Feedback.Topic.choices)
    return [
        Figure(
            key=f"feedback.rumours.{topic}",
            label=str(labels.get(topic, topic)),
            value=n,
            denominator=rumours,
            unit=ngettext_lazy("rumour", "rumours"),
            as_of=end,
            definition=_(
                "Rumours received from %(start)s to %(end)s coded with the topic "
                "“%(topic)s”, out of all the rumours received then."
            )
            % {
                "start": format_date(start),
                "end": format_date(end),
                "topic": labels.get(topic, topic),
            },
            drilldown=log(start, end, kind=Feedback.Kind.RUMOUR, topic=topic),
        )
        for topic, n in ranked
    ]


def rcce_reach(
    *, scope: Scope, organisations: frozenset[int] | None, month: dt.date, end: dt.date
) -> Figure:
    """People reached by awareness sessions in `month` (the partners' completed 4W rows,
    `selectors.reach_beside_feedback`), beside the feedback entries received in the ISO weeks
    of that month up to `end`, and their rate per 1,000 people reached. None when no 4W row
    reports sessions that month. Drills down to the month's 4W rows."""
    first = month.replace(day=1)
    rows = selectors.reach_beside_feedback(
        scope=scope, organisations=organisations, start=first, end=end
    )
    rows = [r for r in rows if r.month == first]
    reported = [r.reached for r in rows if r.reached is not None]
    reached = sum(reported) if reported else None
    feedback = sum(r.feedback for r in rows)
    rate = None
    if reached:
        rate = (Decimal(feedback) * 1000 / reached).quantize(Decimal("0.1"), ROUND_HALF_UP)
    values = {
        "month": format_month(first),
        "feedback": format_number(feedback),
        "rate": format_number(rate, decimals=1),
    }
    definition = (
        ngettext(
            "People reached by awareness sessions in %(month)s, from the partners' completed "
            "4W reports (risk communication, channel: awareness session), beside the "
            "%(feedback)s community feedback entry received in the ISO weeks of %(month)s "
            "(%(rate)s per 1,000 people reached).",
            "People reached by awareness sessions in %(month)s, from the partners' completed "
            "4W reports (risk communication, channel: awareness session), beside the "
            "%(feedback)s community feedback entries received in the ISO weeks of %(month)s "
            "(%(rate)s per 1,000 people reached).",
            plural_count(feedback),
        )
        if reached
        else ngettext(
            "No 4W report gives people reached by awareness sessions in %(month)s; "
            "%(feedback)s community feedback entry was received in its ISO weeks.",
            "No 4W report gives people reached by awareness sessions in %(month)s; "
            "%(feedback)s community feedback entries were received in its ISO weeks.",
            plural_count(feedback),
        )
    ) % values
    return Figure(
        key="feedback.rcce_reach",
        label=_("People reached by awareness sessions (4W)"),
        value=reached,
        unit=ngettext_lazy("person", "people"),
        as_of=end,
        definition=definition,
        drilldown=Drilldown(
            "response.reports",
            {
                "start": first.strftime("%Y-%m"),
                "end": first.strftime("%Y-%m"),
                "status": "completed",
            },
        ),
        parts={
            "feedback": feedback,
            "per_thousand": rate,
            "by_region": {r.region: (r.reached, r.feedback) for r in rows},
        },
    )
