"""The site registry chart as a Vega-Lite specification (built with Altair,
`hbmm.presentation.charts`)."""

import altair as alt
from django.utils.translation import gettext as _

from hbmm.presentation.charts import PALETTE, ROWS, Chart, chart_spec
from hbmm.reports.places.figures import kind_name


def sites_by_kind_chart(per_kind: dict) -> Chart:
    """Sites per kind (a `selectors.sites_per_kind` result), kinds without a site left out."""
    rows = [{"kind": kind_name(r), "sites": r["n"]} for r in per_kind.values() if r["n"]]
    chart = (
        alt.Chart(ROWS)
        .mark_bar(color=PALETTE[0])
        .encode(
            x=alt.X("sites:Q", title=_("Sites")),
            y=alt.Y("kind:N", sort="-x", title=None),
            tooltip=[
                alt.Tooltip("kind:N", title=_("Kind")),
                alt.Tooltip("sites:Q", title=_("Sites")),
            ],
        )
    )
    return Chart(
        key="places.by_kind",
        title=_("Sites by kind"),
        spec=chart_spec(chart, rows=rows, height=160),
    )
