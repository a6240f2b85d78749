"""Vega-Lite chart definitions (built with Altair) of the health app: one definition for the
page (rendered by the vendored vega-embed when it is on the page) and for paper (vl-convert)."""

from hbmm.health.selectors import EpiSeries


def epi_curve_spec(series: EpiSeries, *, title: str = "") -> dict:
    """The epidemic curve: new confirmed cases per day (bars) and their 7-day average (line)."""
    import altair as alt

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


def capacity_trend_spec(trend, *, title: str = "") -> dict:
    """Share of points without each checklist item, week by week (one line per item); the
    share counts the points that answered yes or no that week."""
    import altair as alt

    rows = [
        {
            "week": start.isoformat(),
            "item": figure.label,
            "percent": float(figure.share.pct),
            "share": str(figure.share),
        }
        for start, _end, figures in trend
        for figure in figures
        if figure.share.pct is not None
    ]
    chart = (
        alt.Chart(alt.Data(values=rows))
        .mark_line(point=True)
        .encode(
            x=alt.X("week:T", title=None),
            y=alt.Y("percent:Q", title="%", scale=alt.Scale(domain=[0, 100])),
            color=alt.Color(
                "item:N", title=None, legend=alt.Legend(orient="bottom", columns=2, labelLimit=360)
            ),
            tooltip=["week:T", "item:N", "share:N"],
        )
        .properties(width="container", height=260, title=title)
    )
    return chart.to_dict()
