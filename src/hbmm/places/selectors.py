"""Reads in the places app, restricted to the caller's geographic scope."""

from django.conf import settings
from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce

from hbmm.accounts.scope import get_in_scope_or_404, restrict_to_scope
from hbmm.places.models import AdminArea, Site, SiteKind


def site_list(*, user, region: str = "", kind: str = "") -> QuerySet:
    """Sites the user may see, optionally in one region (adm1 P-code) or of one kind (code)."""
    sites = restrict_to_scope(Site.objects.all(), user)
    if region:
        area = AdminArea.objects.filter(pcode=region).only("path").first()
        if area is None:
            return sites.none()
        sites = sites.filter(area__path__startswith=area.path)
    if kind:
        sites = sites.filter(kinds__code=kind)
    return sites.select_related("area", "area__parent", "neighbour_country").prefetch_related(
        Prefetch("kinds", queryset=SiteKind.objects.order_by("code"))
    )


def site_get(*, user, code: str) -> Site:
    """One site by code; 404 when it does not exist or is outside the user's scope."""
    queryset = Site.objects.select_related("area", "area__parent", "neighbour_country")
    return get_in_scope_or_404(queryset.prefetch_related("kinds"), user, code=code)


def region_choices() -> QuerySet:
    """The regions (adm1) of the country HBMM serves, for filters."""
    return AdminArea.objects.filter(
        level=AdminArea.Level.ADM1, country_iso3=settings.HBMM_COUNTRY_ISO3
    ).order_by("pcode")


def site_kind_choices() -> QuerySet:
    return SiteKind.objects.order_by("code")


def admin_area_list(*, user, country: str = "", level: int | None = None) -> QuerySet:
    """Admin areas (public OCHA reference data), each with `site_count`: the sites in its
    subtree that the user may see.

    Every area is listed whatever the scope (P-codes are public); the counts are scoped.
    """
    areas = AdminArea.objects.select_related("parent")
    if country:
        areas = areas.filter(country_iso3=country)
    if level is not None:
        areas = areas.filter(level=level)
    visible = (
        restrict_to_scope(Site.objects.all(), user)
        .filter(area__path__startswith=OuterRef("path"))
        .order_by()
        .values("area__country_iso3")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return areas.annotate(site_count=Coalesce(Subquery(visible), 0)).order_by("path")


def country_choices() -> QuerySet:
    return AdminArea.objects.filter(level=AdminArea.Level.COUNTRY).order_by("pcode")
