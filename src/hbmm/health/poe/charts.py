"""The point-of-entry charts as Vega-Lite specifications (built with Altair,
`hbmm.presentation.charts`): one definition each for the pages and the situation report."""

import altair as alt
from django.utils.translation import gettext as _

from hbmm.presentation.charts import PALETTE, ROWS, Chart, chart_spec


def capacity_gap_chart(rounds: list[tuple[str, list]]) -> Chart:
    """Share of points without each checklist item, one bar per round (the rapid assessment,
    then the latest week): `rounds` is [(round label, [selectors.ItemFigure in checklist
    order])]."""
    rows = [
        {
            "item": f.label,
            "round": label,
            "percent": float(f.share.pct) if f.share.pct is not None else None,
            "label": f"{f.share.n}/{f.share.total}",
        }
        for label, items in rounds
        for f in items
    ]
    chart = (
        alt.Chart(ROWS)
        .mark_bar()
        .encode(
            y=alt.Y(
                "item:N",
                title=None,
                sort=None,
                # A long item name goes on two lines rather than being cut with "…".
                axis=alt.Axis(
                    labelLimit=0,
                    labelExpr=(
                        "length(datum.label) > 38 ? split(replace(datum.label, "
                        "regexp('^(.{20,38}) (.*)$'), '$1\\n$2'), '\\n') : datum.label"
                    ),
                ),
            ),
            yOffset=alt.YOffset("round:N", sort=None),
            x=alt.X(
                "percent:Q", title=_("% of points without it"), scale=alt.Scale(domain=[0, 100])
            ),
            color=alt.Color(
                "round:N",
                title=None,
                sort=None,
                scale=alt.Scale(range=[PALETTE[1], PALETTE[0]]),
            ),
            tooltip=[
                alt.Tooltip("item:N", title=_("Item")),
                alt.Tooltip("round:N", title=_("Round")),
                alt.Tooltip("label:N", title=_("Points without / answered")),
                alt.Tooltip("percent:Q", title="%", format=".0f"),
            ],
        )
    )
    return Chart(
        key="poe.capacity",
        title=_("Capacity gaps at points of entry"),
        spec=chart_spec(chart, rows=rows, height=260),
        wide=True,
    )


def capacity_trend_chart(trend) -> Chart:
    """Share of points without each checklist item, week by week (one line per item), from
    `selectors.capacity_trend`; the share counts the points that answered yes or no that
    week."""
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
        alt.Chart(ROWS)
        .mark_line(point=True)
        .encode(
            # "5 avr." / "5 Apr": the day first, as in French ("avr. 05" was d3's default)
            x=alt.X("week:T", title=None, axis=alt.Axis(format="%-d %b")),
            y=alt.Y("percent:Q", title="%", scale=alt.Scale(domain=[0, 100])),
            color=alt.Color(
                "item:N",
                title=None,
                # ten items: ten colours (the palette's six came round again: two lines of
                # one colour could not be told apart)
                scale=alt.Scale(scheme="tableau10"),
                # Never cut (labelLimit 0): two columns on a wide page; a narrower one shows
                # one column with long names wrapped (reports/charts.js).
                legend=alt.Legend(orient="bottom", columns=2, labelLimit=0),
            ),
            tooltip=[
                alt.Tooltip("week:T", title=_("Week")),
                alt.Tooltip("item:N", title=_("Item")),
                alt.Tooltip("share:N", title=_("Points without / answered")),
            ],
        )
    )
    return Chart(
        key="poe.capacity_trend",
        title=_("Share of points without each item, week by week"),
        spec=chart_spec(chart, rows=rows, height=260),
        wide=True,
    )
