"""The mobility charts as Vega-Lite specifications (built with Altair, `hbmm.presentation.charts`):
one definition for the mobility page and the situation report."""

import datetime as dt

import altair as alt
from django.utils.translation import gettext as _

from hbmm.mobility.models import Direction
from hbmm.presentation.charts import PALETTE, ROWS, Chart, chart_spec
from hbmm.presentation.figures import format_date

COLOURS = dict(zip(Direction.values, PALETTE, strict=False))


def flow_daily_chart(series: list[dict], *, start: dt.date, end: dt.date) -> Chart:
    """Individuals observed per day at the flow monitoring points, one line per direction,
    from `selectors.flow_daily_series` (a day without any count has no point)."""
    labels = dict(Direction.choices)
    values = [
        {"day": r["date"].isoformat(), "direction": str(labels[r["direction"]]), "n": r["total"]}
        for r in series
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
                scale=alt.Scale(domain=order, range=[COLOURS[d] for d in Direction.values]),
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
        % {"start": format_date(start), "end": format_date(end)},
        spec=chart_spec(chart, rows=values),
    )
