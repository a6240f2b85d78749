"""The named figures of community feedback, each a `hbmm.presentation.figures.Figure` built from
`hbmm.feedback.selectors`, with its definition and its drill-down into the feedback log
(`feedback.log`): entries received over a period, rumours, answered within the target, waiting
for an answer, and the topics of the week's rumours."""

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext_lazy

from hbmm.accounts.scope import Scope
from hbmm.feedback import selectors
from hbmm.feedback.models import Feedback
from hbmm.presentation.figures import Drilldown, Figure, format_date, format_number


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
