"""The epidemic curve as a Vega-Lite specification (built with Altair, `hbmm.presentation.charts`):
one definition for the epidemiology page and the situation report."""

import altair as alt
from django.utils.translation import gettext as _

from hbmm.health.epi.selectors import EpiSeries
from hbmm.presentation.charts import PALETTE, ROWS, Chart, chart_spec


def epidemic_curve(series: EpiSeries) -> Chart:
    """New confirmed cases per day (bars) and their 7-day average (line), from the first case."""
    started = False
    rows = []
    for day in series.days:
        if not started and not (day.confirmed or 0):
            continue
        started = True
        rows.append(
            {
                "day": day.day.isoformat(),
                "new": day.new_cases,
                "avg": float(day.average_7d) if day.average_7d is not None else None,
            }
        )
    new_label, avg_label = _("New cases"), _("7-day average")
    base = alt.Chart(ROWS).encode(
        x=alt.X(
            "day:T",
            title=None,
            axis=alt.Axis(format="%d %b", labelOverlap=True, labelSeparation=12),
        )
    )
    bars = base.mark_bar(color=PALETTE[0], opacity=0.55).encode(
        y=alt.Y("new:Q", title=_("Cases per day")),
        tooltip=[alt.Tooltip("day:T", title=_("Day")), alt.Tooltip("new:Q", title=new_label)],
    )
    line = base.mark_line(color=PALETTE[3], strokeWidth=2).encode(
        y="avg:Q",
        tooltip=[alt.Tooltip("day:T", title=_("Day")), alt.Tooltip("avg:Q", title=avg_label)],
    )
    return Chart(
        key="covid.curve",
        title=_("Epidemic curve: new confirmed cases per day and 7-day average"),
        spec=chart_spec(alt.layer(bars, line), rows=rows),
    )
