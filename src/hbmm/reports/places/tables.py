"""The site registry as a table (`hbmm.presentation.tables`): the sites behind the "points and
places" figures. Registered from PlacesConfig.ready()."""

from django.utils.translation import gettext_lazy as _

from hbmm.accounts.scope import sites_in_scope
from hbmm.places.models import SiteKind
from hbmm.presentation.tables import Column, Filter, Table, register_table

KINDS = (
    SiteKind.BORDER_CROSSING_POINT,
    SiteKind.INTERNAL_TRANSIT_POINT,
    SiteKind.SANITARY_CORDON,
    SiteKind.FLOW_MONITORING_POINT,
    SiteKind.IDP_SITE,
    SiteKind.MRRC,
    SiteKind.HEALTH_FACILITY,
    SiteKind.LABORATORY,
    SiteKind.OFFICE,
)


def site_rows(q):
    sites = sites_in_scope(q.scope)
    if q.filters.get("as_of"):
        sites = sites.active_on(q.filters["as_of"])
    if q.filters.get("kind"):
        sites = sites.filter(kinds__code=q.filters["kind"])
    for site in (
        sites.select_related("area", "neighbour_country").prefetch_related("kinds").order_by("code")
    ):
        yield (
            site.code,
            site.name,
            sorted(k.code for k in site.kinds.all()),
            site.area.pcode,
            site.area.name,
            site.latitude,
            site.longitude,
            site.neighbour_country.pcode if site.neighbour_country_id else "",
            site.active_from,
            site.active_to,
        )


SITES = register_table(
    Table(
        key="places.sites",
        title=_("Sites"),
        permission="places.view_site",
        description=_("Sites of the registry in scope; as of a date, those active on it."),
        filters=(
            Filter("as_of", _("Active on"), "date"),
            Filter("kind", _("Kind"), "choice", tuple((k, k) for k in KINDS)),
        ),
        columns=(
            Column("code", _("Code"), "text", "#loc+code"),
            Column("name", _("Name"), "text", "#loc+name"),
            Column("kinds", _("Kinds"), "codes", "#loc+type"),
            Column("pcode", _("Admin area P-code"), "text", "#adm2+code"),
            Column("area", _("Admin area"), "text", "#adm2+name"),
            Column("latitude", _("Latitude"), "decimal", "#geo+lat"),
            Column("longitude", _("Longitude"), "decimal", "#geo+lon"),
            Column("neighbour", _("Neighbouring country"), "text", "#country+code"),
            Column("active_from", _("Active from"), "date", "#date+start"),
            Column("active_to", _("Active to"), "date", "#date+end"),
        ),
        rows=site_rows,
    )
)
