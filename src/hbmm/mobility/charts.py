"""Vega-Lite specifications (built with Altair) of the mobility charts.

The page renders a spec in the browser with vega-embed (vendored by the reports app in
reports/static/reports/vendor/); without it, the page shows the same data as a table.
The reports app can render the same spec to SVG for the PDF report.
"""

import altair as alt
from django.utils.translation import gettext as _

from hbmm.mobility.models import Direction

COLOURS = {"incoming": "#0b5ea8", "outgoing": "#e07b00", "internal": "#2a9d8f"}


def flow_daily_chart(series: list[dict], *, height: int = 240) -> dict:
    """Daily individuals observed by direction (stacked bars), from `flow_daily_series`."""
    labels = dict(Direction.choices)
    values = [
        {
            "date": row["date"].isoformat(),
            "direction": str(labels.get(row["direction"], row["direction"])),
            "individuals": row["total"],
        }
        for row in series
    ]
    order = [str(labels[d]) for d in Direction.values]
    chart = (
        alt.Chart(alt.Data(values=values))
        .mark_bar()
        .encode(
            x=alt.X("date:T", title=_("observation date")),
            y=alt.Y("individuals:Q", title=_("individuals observed"), stack="zero"),
            color=alt.Color(
                "direction:N",
                title=_("direction"),
                scale=alt.Scale(domain=order, range=[COLOURS[d] for d in Direction.values]),
            ),
            tooltip=[
                alt.Tooltip("date:T", title=_("date")),
                alt.Tooltip("direction:N", title=_("direction")),
                alt.Tooltip("individuals:Q", title=_("individuals"), format=","),
            ],
        )
        .properties(width="container", height=height)
    )
    spec = chart.to_dict()
    spec.pop("config", None)
    return spec
