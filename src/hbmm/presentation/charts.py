"""Charts: one Vega-Lite specification (built with Altair) for the page and for paper.

Each chart is one function in its domain's `charts.py` (`hbmm.mobility.charts.flow_daily_chart`,
`hbmm.health.epi.charts.epidemic_curve`...) that returns a `Chart` whose spec is made here with
`chart_spec`. The app page and the overview render it in the browser with the vendored
vega-embed (template `reports/_chart.html`, script `reports/charts.js`); the situation report
renders the same spec to SVG on the server with vl-convert (`to_svg`). Number and date formats
follow the active language in both.
"""

import copy
import json
from dataclasses import dataclass
from importlib import resources

import altair as alt
import vl_convert
from django.utils.translation import get_language

from hbmm.presentation.text import Text

VEGA_LITE_VERSION = "6.4"  # the vendored vega-lite (static/reports/vendor) and vl-convert's

PALETTE = ["#0b5ea8", "#e07b00", "#2a9d8f", "#b42318", "#6941c6", "#5b6776"]

# d3's number and time formats of each language, for vega-embed and vl-convert.
_LOCALES = json.loads(
    (resources.files("hbmm.reports") / "data" / "vega_locales.json").read_text(encoding="utf-8")
)
FORMAT_LOCALES = _LOCALES["format"]
TIME_FORMAT_LOCALES = _LOCALES["time_format"]

CONFIG = {
    "font": "DejaVu Sans, Verdana, sans-serif",
    "view": {"stroke": None},
    "axis": {"labelFontSize": 11, "titleFontSize": 11, "grid": True, "gridColor": "#e5e9ef"},
    "legend": {"labelFontSize": 11, "titleFontSize": 11, "orient": "bottom"},
    "title": {"fontSize": 13, "anchor": "start"},
    "range": {"category": PALETTE},
}


@dataclass(frozen=True)
class Chart:
    """A Vega-Lite specification shown on a page and in the report."""

    key: str
    title: Text
    spec: dict
    description: Text = ""
    wide: bool = False  # takes the report's full width (long axis labels)


def _lang() -> str:
    return "en" if (get_language() or "fr").startswith("en") else "fr"


# Charts read their rows from a named dataset, filled in after Altair has built the spec:
# Altair walks every value it is given (slow for a few hundred rows), the spec does not need it.
ROWS = alt.Data(name="rows")


def chart_spec(chart: alt.TopLevelMixin, *, rows: list[dict], height: int = 220) -> dict:
    """The Vega-Lite specification of an Altair chart over `ROWS`, sized to its container on
    the page, with `rows` as its data."""
    spec = chart.properties(width="container", height=height).to_dict(validate=False)
    spec["datasets"] = {"rows": rows}
    spec["config"] = {**CONFIG, **spec.get("config", {})}
    spec["$schema"] = (
        f"https://vega.github.io/schema/vega-lite/v{VEGA_LITE_VERSION.split('.')[0]}.json"
    )
    return spec


def embed_options() -> dict:
    """Options for vegaEmbed on the page (no action menu, SVG, the active locale's formats)."""
    lang = _lang()
    return {
        "actions": False,
        "renderer": "svg",
        "formatLocale": FORMAT_LOCALES[lang],
        "timeFormatLocale": TIME_FORMAT_LOCALES[lang],
    }


def to_svg(spec: dict, *, width: int = 520, height: int | None = None) -> str:
    """The chart as an SVG document (for the PDF and the self-contained HTML report)."""
    fixed = copy.deepcopy(spec)
    if fixed.get("width") == "container":
        fixed["width"] = width
    if height is not None:
        fixed["height"] = height
    lang = _lang()
    svg = vl_convert.vegalite_to_svg(
        json.loads(json.dumps(fixed, default=str)),
        vl_version=VEGA_LITE_VERSION,
        format_locale=FORMAT_LOCALES[lang],
        time_format_locale=TIME_FORMAT_LOCALES[lang],
    )
    # vl-convert writes an XML prologue-free <svg>; make it scale with the page.
    return svg.replace("<svg ", '<svg preserveAspectRatio="xMinYMin meet" ', 1)
