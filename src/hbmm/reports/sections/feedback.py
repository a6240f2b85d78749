"""Community feedback: rumours, questions, suggestions, complaints and praise received in the
7 days up to the as-of date, how many were answered within the target, what waits, and the
topics of the week's rumours, from the feedback figures (`hbmm.feedback.figures`); and, for a
reader of the plan's indicators, the RCCE reach of the as-of date's month (people reached by
awareness sessions, from the 4W reports) beside the feedback received in that month's ISO
weeks. The weekly chart by topic is on the overview page."""

from datetime import timedelta

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from hbmm.feedback.charts import weekly_by_topic_chart
from hbmm.feedback.figures import feedback_period, rcce_reach, top_rumours
from hbmm.feedback.selectors import (
    feedback_weekly,
    latest_feedback_date,
    may_read_reach,
    reach_organisations,
)
from hbmm.presentation.figures import (
    Figure,
    format_date,
    format_month,
    format_number,
    plural_count,
)
from hbmm.reports.registry import Context, Section, SectionResult, register

PERMISSION = "feedback.view_feedback"
WINDOW_DAYS = 7
CHART_WEEKS = 12


def build(ctx: Context) -> SectionResult:
    end = ctx.as_of
    start = end - timedelta(days=WINDOW_DAYS - 1)
    dates = {"start": format_date(start), "end": format_date(end)}
    period = feedback_period(scope=ctx.scope, start=start, end=end)
    if not period.has_data:
        return SectionResult.empty(
            _("No community feedback was received from %(start)s to %(end)s.") % dates
        )
    summary = period.summary
    rumours = top_rumours(
        scope=ctx.scope, start=start, end=end, limit=3, rumours=summary.by_kind["rumour"]
    )
    values = {
        **dates,
        "total": format_number(summary.total),
        "rumours": format_number(summary.by_kind["rumour"]),
        "questions": format_number(summary.by_kind["question"]),
        "complaints": format_number(summary.by_kind["complaint"]),
        "answered": format_number(summary.answered_within_target),
        "hours": summary.target_hours,
        "pending": format_number(period.pending.value),
    }
    sentences = [
        ngettext(
            "From %(start)s to %(end)s, %(total)s community feedback entry was received "
            "(rumours: %(rumours)s, questions: %(questions)s, complaints: %(complaints)s); "
            "answered within %(hours)s hours: %(answered)s; waiting for an answer: "
            "%(pending)s.",
            "From %(start)s to %(end)s, %(total)s community feedback entries were received "
            "(rumours: %(rumours)s, questions: %(questions)s, complaints: %(complaints)s); "
            "answered within %(hours)s hours: %(answered)s; waiting for an answer: "
            "%(pending)s.",
            summary.total,
        )
        % values
    ]
    if rumours:
        sentences.append(
            _("Most frequent rumours: %(topics)s.")
            % {"topics": ", ".join(f"{f.label} ({format_number(f.value)})" for f in rumours)}
        )
    reach = _reach(ctx)
    if reach is not None:
        sentences.append(_reach_sentence(reach, end))
    weeks_start = end - timedelta(weeks=CHART_WEEKS) + timedelta(days=1)
    chart = weekly_by_topic_chart(feedback_weekly(scope=ctx.scope, start=weeks_start, end=end))
    extra = [reach] if reach is not None and reach.has_data else []
    return SectionResult(
        figures=[*period.figures, *rumours, *extra], sentences=sentences, charts=[chart], latest=end
    )


def _reach(ctx: Context) -> Figure | None:
    """The RCCE reach of the as-of date's month, for a reader of the plan's indicators."""
    if not may_read_reach(ctx.user):
        return None
    return rcce_reach(
        scope=ctx.scope,
        organisations=reach_organisations(ctx.user),
        month=ctx.as_of,
        end=ctx.as_of,
    )


def _reach_sentence(reach: Figure, end) -> str:
    values = {
        "month": format_month(end.replace(day=1)),
        "reached": format_number(reach.value),
        "feedback": format_number(reach.parts["feedback"]),
        "rate": format_number(reach.parts["per_thousand"], decimals=1),
    }
    if reach.value is None:
        return (
            ngettext(
                "RCCE reach: no 4W report gives people reached by awareness sessions in %(month)s "
                "(%(feedback)s feedback entry in its weeks).",
                "RCCE reach: no 4W report gives people reached by awareness sessions in %(month)s "
                "(%(feedback)s feedback entries in its weeks).",
                reach.parts["feedback"],
            )
            % values
        )
    reached = ngettext(
        "RCCE reach: %(reached)s person reached by awareness sessions in %(month)s (4W)",
        "RCCE reach: %(reached)s people reached by awareness sessions in %(month)s (4W)",
        plural_count(reach.value),
    )
    beside = ngettext(
        ", beside %(feedback)s feedback entry in its weeks (%(rate)s per 1,000 people reached).",
        ", beside %(feedback)s feedback entries in its weeks (%(rate)s per 1,000 people reached).",
        reach.parts["feedback"],
    )
    return (reached + beside) % values


register(
    Section(
        key="feedback",
        title=gettext_lazy("Community feedback"),
        build=build,
        order=45,
        permission=PERMISSION,
        latest=lambda scope: latest_feedback_date(scope=scope),
        report_graphics=False,  # the report's charts are the plan's three and the map
    )
)
