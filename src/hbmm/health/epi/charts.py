"""The epidemic curve as a Vega-Lite specification (built with Altair)."""

import altair as alt

from hbmm.health.epi.selectors import EpiSeries


def epi_curve_spec(series: EpiSeries, *, title: str = "") -> dict:
    """The epidemic curve: new confirmed cases per day (bars) and their 7-day average (line)."""
    rows = [
        {
            "date": d.day.isoformat(),
            "new_cases": d.new_cases,
            "average_7d": float(d.average_7d) if d.average_7d is not None else None,
        }
        for d in series.days
        if d.new_cases is not None
    ]
    base = alt.Chart(alt.Data(values=rows)).encode(x=alt.X("date:T", title=None))
    bars = base.mark_bar(color="#9ab8d8").encode(
        y=alt.Y("new_cases:Q", title=None), tooltip=["date:T", "new_cases:Q"]
    )
    line = base.mark_line(color="#0b5ea8").encode(y="average_7d:Q")
    chart = (bars + line).properties(width="container", height=240, title=title)
    return chart.to_dict()
