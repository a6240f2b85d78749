"""The screening chart as a Vega-Lite specification (built with Altair, `hbmm.presentation.charts`):
one definition for the screening dashboard and the situation overview."""

import altair as alt
from django.utils.translation import gettext as _

from hbmm.presentation.charts import PALETTE, ROWS, Chart, chart_spec


def weekly_chart(rows: list[dict]) -> Chart:
    """Travellers screened and suspects per ISO week, from `selectors.screening_figures(...,
    by=("week",))`."""
    screened, suspect = _("Screened"), _("Suspect")
    values = [
        {"week": r["week"], "what": label, "n": r[key]}
        for r in rows
        for key, label in (("screened", screened), ("suspect", suspect))
    ]
    chart = (
        alt.Chart(ROWS)
        .mark_bar()
        .encode(
            x=alt.X("week:O", title=_("ISO week")),
            xOffset=alt.XOffset("what:N", sort=[screened, suspect]),
            y=alt.Y("n:Q", title=_("Travellers")),
            color=alt.Color(
                "what:N",
                title=None,
                sort=[screened, suspect],
                scale=alt.Scale(domain=[screened, suspect], range=[PALETTE[0], PALETTE[3]]),
            ),
            tooltip=[
                alt.Tooltip("week:O", title=_("ISO week")),
                alt.Tooltip("what:N", title=" "),
                alt.Tooltip("n:Q", title=_("Travellers")),
            ],
        )
    )
    return Chart(
        key="screening.weekly",
        title=_("Travellers screened and suspect cases per week"),
        spec=chart_spec(chart, rows=values),
    )
