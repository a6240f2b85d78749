"""Points and places: the sites of the registry in the reader's scope, by kind, on a map."""

from datetime import date

import altair as alt
from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hbmm.accounts.scope import sites_in_scope
from hbmm.places.models import SiteKind
from hbmm.reports.charts import PALETTE, ROWS, chart_spec
from hbmm.reports.figures import Drilldown, Figure
from hbmm.reports.registry import Chart, Context, MapPoint, Section, SectionResult, register

PERMISSION = "places.view_site"

# Kinds shown as figures, in this order (the others are still counted in the total).
FIGURE_KINDS = [
    SiteKind.BORDER_CROSSING_POINT,
    SiteKind.INTERNAL_TRANSIT_POINT,
    SiteKind.SANITARY_CORDON,
    SiteKind.FLOW_MONITORING_POINT,
    SiteKind.MRRC,
]
KIND_COLORS = dict(zip(FIGURE_KINDS, PALETTE, strict=False))


def active_sites(scope, as_of: date):
    """Sites in the reader's scope that are active on `as_of` (the scoped read)."""
    return sites_in_scope(scope).active_on(as_of)


def build(ctx: Context) -> SectionResult:
    sites = active_sites(ctx.scope, ctx.as_of)
    # One query: sites per kind (a site of two kinds counts in both) and the total.
    per_kind = {
        row["code"]: row
        for row in SiteKind.objects.annotate(
            n=Count("sites", filter=Q(sites__in=sites.values("pk")), distinct=True)
        ).values("code", "name_fr", "name_en", "n")
    }
    total = sites.count()
    if not total:
        return SectionResult.empty(_("No site is registered in this scope on this date."))
    english = _lang_is_english()
    figures = [
        Figure(
            key="places.sites",
            label=_("Registered sites"),
            value=total,
            as_of=ctx.as_of,
            unit=_("sites"),
            definition=_(
                "Sites of the site registry in the selected scope that are active on the "
                "as-of date (active from/to dates), whatever their kind."
            ),
            drilldown=Drilldown("places.sites", {"as_of": ctx.as_of.isoformat()}),
        )
    ]
    for code in FIGURE_KINDS:
        row = per_kind.get(code)
        if row is None:
            continue
        name = row["name_en"] if english else row["name_fr"]
        figures.append(
            Figure(
                key=f"places.sites.{code}",
                label=name,
                value=row["n"],
                as_of=ctx.as_of,
                definition=_(
                    "Sites of kind “%(kind)s” in the selected scope, active on the as-of date. "
                    "A site of several kinds counts under each."
                )
                % {"kind": name},
                drilldown=Drilldown("places.sites", {"as_of": ctx.as_of.isoformat(), "kind": code}),
            )
        )
    chart_rows = [
        {"kind": (r["name_en"] if english else r["name_fr"]), "sites": r["n"]}
        for r in per_kind.values()
        if r["n"]
    ]
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
    return SectionResult(
        figures=figures,
        sentences=[],
        charts=[
            Chart(
                key="places.by_kind",
                title=_("Sites by kind"),
                spec=chart_spec(chart, rows=chart_rows, height=160),
            )
        ],
        map_points=map_points(sites, english=english),
        map_title=_("Sites by kind"),
        latest=None,
    )


def map_points(sites, *, english: bool) -> list[MapPoint]:
    """Sites with their main kind as the marker's status (the first of FIGURE_KINDS they have)."""
    points = []
    for site in sites.prefetch_related("kinds").order_by("code"):
        kinds = {k.code: k for k in site.kinds.all()}
        main = next((code for code in FIGURE_KINDS if code in kinds), None)
        kind = kinds[main] if main else next(iter(kinds.values()), None)
        label = (kind.name_en if english else kind.name_fr) if kind else _("other")
        points.append(
            MapPoint(
                code=site.code,
                name=site.name,
                latitude=site.latitude,
                longitude=site.longitude,
                status=main or "other",
                status_label=label,
                color=KIND_COLORS.get(main, PALETTE[-1]),
            )
        )
    return points


def _lang_is_english() -> bool:
    from django.utils.translation import get_language

    return (get_language() or "fr").startswith("en")


register(
    Section(
        key="places",
        title=gettext_lazy("Points and places"),
        build=build,
        order=90,
        permission=PERMISSION,
        role="annex",
        report_graphics=False,  # the report's map is the points of entry's
    )
)
