"""The capacity trend chart as a Vega-Lite specification (built with Altair)."""

import altair as alt


def capacity_trend_spec(trend, *, title: str = "") -> dict:
    """Share of points without each checklist item, week by week (one line per item); the
    share counts the points that answered yes or no that week."""
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
