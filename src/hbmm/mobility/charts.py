"""The mobility charts as Vega-Lite specifications (built with Altair, `hbmm.presentation.charts`):
one definition for the mobility page and the situation report."""

import datetime as dt

import altair as alt
from django.utils.translation import gettext as _

from hbmm.mobility.models import Direction
from hbmm.presentation.charts import PALETTE, ROWS, Chart, chart_spec
from hbmm.presentation.figures import format_date

COLOURS = dict(zip(Direction.values, PALETTE, strict=False))


# Up to this many days the chart draws a bar per day (a week, a month); longer, a line.
BAR_DAYS = 45


def flow_daily_chart(series: list[dict], *, start: dt.date, end: dt.date) -> Chart:
    """Individuals observed per day at the flow monitoring points by direction, from
    `selectors.flow_daily_series` (a day without any count has no point): for a week or a
    month, a stacked bar per day labelled with the day in the page's language (vega-embed and
    vl-convert are given the language's time format); for longer periods, a line per direction.
    One specification for the page and the report."""
    labels = dict(Direction.choices)
    values = [
        {"day": r["date"].isoformat(), "direction": str(labels[r["direction"]]), "n": r["total"]}
        for r in series
    ]
    order = [str(labels[d]) for d in Direction.values]
    color = alt.Color(
        "direction:N",
        title=None,
        sort=order,
        scale=alt.Scale(domain=order, range=[COLOURS[d] for d in Direction.values]),
    )
    tooltip = [
        alt.Tooltip("day:T", title=_("Day"), format="%A %e %B %Y"),
        alt.Tooltip("direction:N", title=_("Direction")),
        alt.Tooltip("n:Q", title=_("Individuals")),
    ]
    y = alt.Y("n:Q", title=_("Individuals per day"), stack="zero")
    days = (end - start).days + 1
    if days <= BAR_DAYS:
        # One band per day with counts, labelled "lun. 13" for a week, "13 avr." for a month;
        # the directions stack in the order of the colour legend.
        chart = (
            alt.Chart(ROWS)
            .mark_bar()
            .encode(
                x=alt.X(
                    "yearmonthdate(day):O",
                    title=None,
                    axis=alt.Axis(
                        format="%a %e" if days <= 14 else "%e %b",
                        labelAngle=0 if days <= 14 else -60,
                        labelOverlap=True,
                    ),
                ),
                y=y,
                color=color,
                tooltip=tooltip,
            )
        )
    else:
        chart = (
            alt.Chart(ROWS)
            .mark_line(strokeWidth=1.5)
            .encode(
                x=alt.X(
                    "day:T",
                    title=None,
                    axis=alt.Axis(format="%d %b", labelOverlap=True, labelSeparation=12),
                ),
                y=alt.Y("n:Q", title=_("Individuals per day")),
                color=color,
                tooltip=tooltip,
            )
        )
    return Chart(
        key="mobility.daily",
        title=_("Daily flows at the FMPs by direction, %(start)s – %(end)s")
        % {"start": format_date(start), "end": format_date(end)},
        spec=chart_spec(chart, rows=values),
    )
