"""The situation report: the overview's sections laid out like the first page of the plan.

One context (`sitrep_context`) feeds three renderings: self-contained HTML (inline CSS, charts
and map as inline SVG), PDF (WeasyPrint from that same HTML) and Markdown (for pasting).
"""

from dataclasses import dataclass
from datetime import date
from importlib import resources

from django.conf import settings
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import override

from hbmm.accounts.scope import time_cut_gaps
from hbmm.presentation import charts
from hbmm.presentation.figures import format_date, scope_label
from hbmm.reports import maps
from hbmm.reports.known import known_note
from hbmm.reports.public import public_outputs
from hbmm.reports.registry import Context, SectionOutput, build_sections

FORMATS = ("pdf", "html", "md")
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
}


@dataclass
class RenderedChart:
    title: str
    svg: str
    description: str = ""
    wide: bool = False


def _css() -> str:
    return (resources.files("hbmm.reports") / "static" / "reports" / "sitrep.css").read_text(
        encoding="utf-8"
    )


def sitrep_context(
    ctx: Context, *, graphics: bool = True, outputs: list[SectionOutput] | None = None
) -> dict:
    """Everything the report templates need; `graphics=False` skips the SVGs (Markdown)."""
    outputs = outputs if outputs is not None else build_sections(ctx)
    in_report = [o for o in outputs if o.section.in_report]
    rendered_charts: list[RenderedChart] = []
    rendered_maps: list[RenderedChart] = []
    # The first page's graphics: the headline's charts (the epidemic curve), the first map.
    front_charts: list[RenderedChart] = []
    front_maps: list[RenderedChart] = []
    if graphics:
        for output in in_report:
            if not output.result.has_data or not output.section.report_graphics:
                continue
            headline = output.section.role == "headline"
            for chart in output.result.charts:
                if headline:
                    svg = charts.to_svg(chart.spec, width=400, height=150)
                elif chart.wide:  # its own height: long labels on two lines need the room
                    svg = charts.to_svg(chart.spec, width=560)
                else:
                    svg = charts.to_svg(chart.spec, width=340, height=170)
                rendered = RenderedChart(chart.title, mark_safe(svg), chart.description, chart.wide)
                (front_charts if headline else rendered_charts).append(rendered)
            if output.result.map_points:
                title = output.result.map_title or output.title
                # drawn at 380 px and printed about 110 mm wide: names of 8 pt
                svg = maps.render_svg(output.result.map_points, title=title, width=380)
                (rendered_maps if front_maps else front_maps).append(
                    RenderedChart(title, mark_safe(svg))
                )
    return {
        "as_of": ctx.as_of,
        "as_of_text": format_date(ctx.as_of),
        "scope_label": scope_label(ctx.area),
        "headline": [o for o in in_report if o.section.role == "headline"],
        # The first page: the headline box, the key figures beside it (Section.front), the
        # epidemic curve and the map; the other sections follow.
        "front": [o for o in in_report if o.section.role == "body" and o.section.front],
        "body": [o for o in in_report if o.section.role == "body" and not o.section.front],
        "front_charts": front_charts,
        "front_maps": front_maps,
        "annex": [o for o in in_report if o.section.role == "annex"],
        "charts": rendered_charts,
        "maps": rendered_maps,
        "definitions": definitions_once(in_report),
        "generated": timezone.now(),
        "css": mark_safe(_css()),
    }


@dataclass
class Definition:
    """One definition of the annex and the figures it defines, by section."""

    text: str
    groups: list[tuple[str, list[str]]]  # (section title, labels of its figures)


def definitions_once(outputs: list[SectionOutput]) -> list[Definition]:
    """The definitions of the report's figures, each text once, with every figure it defines
    (the flows since 2016, incoming and outgoing share one), in the order they first appear."""
    found: dict[str, Definition] = {}
    for output in outputs:
        for figure in output.result.figures:
            if not figure.definition:
                continue
            text = str(figure.definition)
            entry = found.setdefault(text, Definition(text=text, groups=[]))
            title, label = str(output.title), str(figure.label)
            if not entry.groups or entry.groups[-1][0] != title:
                entry.groups.append((title, []))
            if label not in entry.groups[-1][1]:
                entry.groups[-1][1].append(label)
    return list(found.values())


def check_options(*, fmt: str, lang: str) -> None:
    """ValueError naming the parameter when `fmt` or `lang` is not one the report has."""
    if fmt not in FORMATS:
        raise ValueError(f"format: '{fmt}' is not one of {', '.join(FORMATS)}")
    if lang not in dict(settings.LANGUAGES):
        raise ValueError(f"lang: '{lang}' is not one of {', '.join(dict(settings.LANGUAGES))}")


def built(ctx: Context) -> tuple[list[SectionOutput], list[str]]:
    """The sections of `ctx` and, when it is cut at a moment (`ctx.known_on`), the note that
    says what the cut could not do (`hbmm.reports.known`), in the active language."""
    with time_cut_gaps() as gaps:
        outputs = build_sections(ctx)
    return outputs, known_note(ctx, gaps)


def render(
    ctx: Context,
    *,
    fmt: str,
    lang: str,
    public: bool = False,
    threshold: int | None = None,
    outputs: list[SectionOutput] | None = None,
    note: list[str] | None = None,
) -> bytes:
    """The report for `ctx` in `fmt` (pdf, html or md) and language `lang` (en, fr).

    `public=True`: the public report, only figures that passed small-cell suppression
    (`hbmm.reports.public`) at `threshold` (default `HBMM_PUBLIC_MIN_CELL`). `outputs` and
    `note`: the sections already built in `lang` (`built`), not built again."""
    check_options(fmt=fmt, lang=lang)
    threshold = threshold if threshold is not None else settings.HBMM_PUBLIC_MIN_CELL
    if threshold < 1:
        raise ValueError(f"threshold: {threshold} is not at least 1")
    with override(lang):
        if outputs is None:
            outputs, note = built(ctx)
        extra: dict = {"known_note": note or []}
        if public:
            outputs = public_outputs(outputs, threshold=threshold)
            extra |= {"public": True, "largest_suppressed": threshold - 1}
        if fmt == "md":
            context = {**sitrep_context(ctx, graphics=False, outputs=outputs), **extra}
            text = render_to_string("reports/sitrep.md", context)
            return _tidy_markdown(text).encode("utf-8")
        context = {**sitrep_context(ctx, outputs=outputs), **extra}
        html = render_to_string("reports/sitrep.html", {**context, "lang": lang})
        if fmt == "html":
            return html.encode("utf-8")
        # Imported here: WeasyPrint takes about 2 s and 50 MB to import, and only a PDF needs
        # it (not every web worker, command and test).
        from weasyprint import HTML

        return HTML(string=html, base_url=None).write_pdf()


def _tidy_markdown(text: str) -> str:
    lines, blank = [], 0
    for line in text.splitlines():
        line = line.rstrip()
        blank = blank + 1 if not line else 0
        if blank <= 1:
            lines.append(line)
    return "\n".join(lines).strip() + "\n"


def system_reader():
    """A national, all-permission reader for the `hbmm sitrep` command (never saved)."""
    return get_user_model()(username="hbmm-sitrep", is_superuser=True, is_active=True)


def filename(ctx: Context, fmt: str, lang: str, *, public: bool = False) -> str:
    area = f"-{ctx.area.pcode}" if ctx.area is not None else ""
    kind = "-public" if public else ""
    return f"hbmm-sitrep{kind}-{ctx.as_of.isoformat()}{area}-{lang}.{fmt}"


def parse_date(text: str | None) -> date | None:
    if not text:
        return None
    return date.fromisoformat(text)
