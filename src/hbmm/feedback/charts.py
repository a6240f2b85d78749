"""The community feedback chart as a Vega-Lite specification (`hbmm.presentation.charts`): one
definition for the feedback page, the situation overview and the report."""

import altair as alt
from django.utils.translation import gettext as _

from hbmm.feedback.models import Feedback
from hbmm.presentation.charts import ROWS, Chart, chart_spec


def weekly_by_topic_chart(rows: list[dict]) -> Chart:
    """Feedback entries per ISO week, stacked by topic, from `selectors.feedback_weekly`."""
    labels = {**dict(Feedback.Topic.choices), "": _("not coded yet")}
    order = [str(labels[code]) for code in (*Feedback.Topic.values, "")]
    values = [
        {
            "week": r["week"].isoformat(),
            "iso_week": f"{r['week'].isocalendar()[0]}-W{r['week'].isocalendar()[1]:02d}",
            "topic": str(labels.get(r["topic"], r["topic"])),
            "n": r["n"],
        }
        for r in rows
    ]
    chart = (
        alt.Chart(ROWS)
        .mark_bar()
        .encode(
            x=alt.X("iso_week:O", title=_("ISO week")),
            y=alt.Y("sum(n):Q", title=_("Entries")),
            color=alt.Color("topic:N", title=_("Topic"), sort=order),
            order=alt.Order("topic:N"),
            tooltip=[
                alt.Tooltip("iso_week:O", title=_("ISO week")),
                alt.Tooltip("topic:N", title=_("Topic")),
                alt.Tooltip("n:Q", title=_("Entries")),
            ],
        )
    )
    return Chart(
        key="feedback.weekly_topics",
        title=_("Community feedback per week, by topic"),
        description=_(
            "Rumours, questions, suggestions, complaints and praise received each ISO week "
            "(Monday to Sunday), by the topic they were coded with."
        ),
        spec=chart_spec(chart, rows=values),
    )
