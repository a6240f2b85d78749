"""The response charts (Vega-Lite through Altair, `hbmm.presentation.charts`): funded against
required per pillar, and progress of each indicator against its target; one definition for the
plan page and the situation report."""

import altair as alt
from django.utils.translation import gettext as _

from hbmm.presentation.charts import PALETTE, ROWS, Chart, chart_spec
from hbmm.presentation.figures import Figure
from hbmm.response.selectors import Funding


def funding_chart(funding: Funding) -> Chart:
    """Per pillar, the requirement and the funding (in the plan's currency)."""
    required, funded = _("Required"), _("Funded")
    rows = []
    for p in funding.pillars:
        rows.append(
            {"pillar": p.pillar.name, "what": str(required), "amount": float(p.requirement)}
        )
        rows.append({"pillar": p.pillar.name, "what": str(funded), "amount": float(p.funded)})
    order = [p.pillar.name for p in funding.pillars]
    chart = (
        alt.Chart(ROWS)
        .mark_bar()
        .encode(
            y=alt.Y("pillar:N", title=None, sort=order),
            x=alt.X("amount:Q", title=funding.plan.currency),
            yOffset=alt.YOffset("what:N", sort=[str(required), str(funded)]),
            color=alt.Color(
                "what:N",
                title=None,
                sort=[str(required), str(funded)],
                scale=alt.Scale(domain=[str(required), str(funded)], range=PALETTE[:2]),
            ),
            tooltip=[
                alt.Tooltip("pillar:N", title=_("Pillar")),
                alt.Tooltip("what:N", title=" "),
                alt.Tooltip("amount:Q", title=funding.plan.currency, format=",.0f"),
            ],
        )
    )
    return Chart(
        key="response.funding",
        title=_("Funding required and funded by pillar (%(currency)s)")
        % {"currency": funding.plan.currency},
        spec=chart_spec(chart, rows=rows, height=320),
        wide=True,
    )


def progress_chart(figures: list[Figure]) -> Chart:
    """Each indicator with a target: what was achieved as a share of the target (capped at
    the bar's end at 100 %, the label says the real share)."""
    rows = [
        {
            "indicator": str(f.label),
            "share": min(float(f.share), 100.0) if f.share is not None else 0.0,
            "label": f.formatted_percent,
        }
        for f in figures
        if f.denominator
    ]
    chart = (
        alt.Chart(ROWS)
        .mark_bar(color=PALETTE[2])
        .encode(
            y=alt.Y("indicator:N", title=None, sort=None),
            x=alt.X("share:Q", title=_("% of target"), scale=alt.Scale(domain=[0, 100])),
            tooltip=[
                alt.Tooltip("indicator:N", title=_("Indicator")),
                alt.Tooltip("label:N", title=_("% of target")),
            ],
        )
    )
    return Chart(
        key="response.progress",
        title=_("Progress against targets"),
        spec=chart_spec(chart, rows=rows, height=max(60, 24 * len(rows))),
        wide=True,
    )
