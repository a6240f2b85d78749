"""Reads in the places app, restricted to the caller's geographic scope."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, NullIf
from django.http import Http404
from django.utils.translation import get_language

from hbmm.accounts.scope import Scope, get_in_scope_or_404, restrict_to_scope
from hbmm.places.models import AdminArea, Site, SiteKind, name_in_active_language


def name_in_language(path: str = ""):
    """An expression for the name of the labelled place at `path` (a site or an admin area,
    "" for the queried model itself) in the active language, as `LabelledModel.name` says it:
    the other language's name when this one is empty. For tables read with values_list."""
    prefix = f"{path}__" if path else ""
    first, second = ("name_en", "name_fr")
    if not (get_language() or "fr").startswith("en"):
        first, second = second, first
    return Coalesce(NullIf(F(prefix + first), Value("")), F(prefix + second))


def site_list(*, scope, region: str = "", kind: str = "") -> QuerySet:
    """Sites in the reader's scope, optionally in one region (adm1 P-code) or of one kind (code)."""
    sites = restrict_to_scope(Site.objects.all(), scope)
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


def site_get(*, scope, code: str) -> Site:
    """One site by code; 404 when it does not exist or is outside the reader's scope."""
    queryset = Site.objects.select_related("area", "area__parent", "neighbour_country")
    return get_in_scope_or_404(queryset.prefetch_related("kinds"), scope, code=code)


def region_choices() -> QuerySet:
    """The regions (adm1) of the country HBMM serves, for filters."""
    return AdminArea.objects.filter(
        level=AdminArea.Level.ADM1, country_iso3=settings.HBMM_COUNTRY_ISO3
    ).order_by("pcode")


def site_kind_choices() -> QuerySet:
    return SiteKind.objects.order_by("code")


def admin_area_list(*, scope, country: str = "", level: int | None = None) -> QuerySet:
    """Admin areas (public OCHA reference data), each with `site_count`: the sites in its
    subtree in the reader's scope.

    Every area is listed whatever the scope (P-codes are public); the counts are scoped.
    """
    areas = AdminArea.objects.select_related("parent")
    if country:
        areas = areas.filter(country_iso3=country)
    if level is not None:
        areas = areas.filter(level=level)
    visible = (
        restrict_to_scope(Site.objects.all(), scope)
        .filter(area__path__startswith=OuterRef("path"))
        .order_by()
        .values("area__country_iso3")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return areas.annotate(site_count=Coalesce(Subquery(visible), 0)).order_by("path")


def country_choices() -> QuerySet:
    return AdminArea.objects.filter(level=AdminArea.Level.COUNTRY).order_by("pcode")


def area_narrowing(*, scope: Scope, pcode: str) -> tuple[AdminArea, Scope]:
    """The admin area `pcode` and `scope` narrowed to it, for the "this area only" filter of
    the overview, the report, list pages and drill-downs. 404 when the area does not exist or
    shares nothing with the scope (an area inside it, around part of it, or holding one of its
    sites narrows it; an area elsewhere is not found)."""
    area = AdminArea.objects.filter(pcode=pcode.strip().upper()).first()
    if area is None:
        raise Http404(f"no area {pcode}")
    narrowed = scope.narrow(area)
    if narrowed.is_empty:
        raise Http404(f"area {pcode} is not in your scope")
    return area, narrowed


def area_choices(*, scope: Scope, level: int = AdminArea.Level.ADM1) -> list[AdminArea]:
    """The areas of `level` of the country HBMM serves that a reader may narrow to: those that
    share something with their scope (see `area_narrowing`)."""
    areas = AdminArea.objects.filter(level=level, country_iso3=settings.HBMM_COUNTRY_ISO3)
    if scope.is_national:
        return list(areas.order_by("pcode"))
    if scope.is_empty:
        return []
    under_sites = set()
    if scope.site_ids:
        for path in Site.objects.filter(pk__in=scope.site_ids).values_list("area__path", flat=True):
            parts = [p for p in path.split("/") if p]
            if len(parts) > level:
                under_sites.add(parts[level])
    return [
        a
        for a in areas.order_by("pcode")
        if a.pcode in under_sites
        or any(a.path.startswith(p) or p.startswith(a.path) for p in scope.area_paths)
    ]


def sites_active(*, scope: Scope, as_of) -> QuerySet:
    """Sites in scope that are active on `as_of`."""
    return restrict_to_scope(Site.objects.all(), scope).active_on(as_of)


def sites_per_kind(*, sites: QuerySet) -> dict[str, dict]:
    """{kind code: {code, name_fr, name_en, n}}: how many of `sites` are of each kind (a site of
    two kinds counts under both), every kind listed; one query."""
    return {
        row["code"]: row
        for row in SiteKind.objects.annotate(
            n=Count("sites", filter=Q(sites__in=sites.values("pk")), distinct=True)
        ).values("code", "name_fr", "name_en", "n")
    }


def site_kinds(*, sites: QuerySet) -> dict[int, list[SiteKind]]:
    """{site id: its kinds} of many sites, in two flat reads (the kinds, the pairs): a
    prefetch of `Site.kinds` builds a queryset per site (1 s for the 1,000 points of a regional
    deployment), and a list of 1,000 ids costs more to send than the subquery."""
    kinds = {k.pk: k for k in SiteKind.objects.all()}
    found: dict[int, list[SiteKind]] = {}
    pairs = Site.kinds.through.objects.filter(site__in=sites.order_by().values("pk"))
    pairs = pairs.order_by("sitekind_id")
    for site_id, kind_id in pairs.values_list("site_id", "sitekind_id"):
        found.setdefault(site_id, []).append(kinds[kind_id])
    return found


# The columns of a `SitePoint`, for a queryset's values() (a caller may add its annotations).
SITE_POINT_FIELDS = ("pk", "code", "name_fr", "name_en", "latitude", "longitude", "area__pcode")


@dataclass(frozen=True)
class SitePoint:
    """A site as maps and lists show it, read flat: building 1,000 Site instances with their
    areas took a tenth of a second of a regional overview."""

    pk: int
    code: str
    name_fr: str
    name_en: str
    latitude: Decimal | None
    longitude: Decimal | None
    area_pcode: str

    @classmethod
    def of(cls, row: dict) -> "SitePoint":
        """From a values() row holding SITE_POINT_FIELDS."""
        return cls(
            pk=row["pk"],
            code=row["code"],
            name_fr=row["name_fr"],
            name_en=row["name_en"],
            latitude=row["latitude"],
            longitude=row["longitude"],
            area_pcode=row["area__pcode"],
        )

    @property
    def name(self) -> str:
        return name_in_active_language(self.name_fr, self.name_en)


def site_points(sites: QuerySet) -> list[SitePoint]:
    """`sites` as flat points, by code."""
    return [SitePoint.of(row) for row in sites.order_by("code").values(*SITE_POINT_FIELDS)]
