"""Points and places: the sites of the registry in the reader's scope, by kind, on a map, from
the site figures (`hbmm.reports.places.figures`)."""

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from hbmm.places.selectors import site_kinds, site_points
from hbmm.presentation.charts import PALETTE
from hbmm.reports.places import figures as places
from hbmm.reports.places.charts import sites_by_kind_chart
from hbmm.reports.registry import Context, MapPoint, Section, SectionResult, register

PERMISSION = "places.view_site"
KIND_COLORS = dict(zip(places.FIGURE_KINDS, PALETTE, strict=False))


def build(ctx: Context) -> SectionResult:
    sites = places.sites_active(scope=ctx.scope, as_of=ctx.as_of)
    if not sites.total.value:
        return SectionResult.empty(_("No site is registered in this scope on this date."))
    return SectionResult(
        figures=sites.figures,
        sentences=[],
        charts=[sites_by_kind_chart(sites.per_kind)],
        map_points=map_points(sites.sites),
        map_title=_("Sites by kind"),
        latest=None,
    )


def map_points(sites) -> list[MapPoint]:
    """Sites with their main kind as the marker's status (the first of FIGURE_KINDS they have)."""
    english = (get_language() or "fr").startswith("en")
    kinds_of = site_kinds(sites=sites)
    sites = site_points(sites)
    points = []
    for site in sites:
        kinds = {k.code: k for k in kinds_of.get(site.pk, [])}
        main = next((code for code in places.FIGURE_KINDS if code in kinds), None)
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
