"""Geographic scope: the one place where querysets are restricted to what a user may see.

A user's scope is a set of admin areas (each with its whole subtree, matched on the
materialised path, as DHIS2 does with org units) and/or single sites. National users hold
the country area. Every selector that returns scoped records passes its queryset through
`restrict_to_scope`; a record outside scope is then simply not found (404).

A scoped model declares how to reach its site and its admin area, e.g.::

    class FlowCount(models.Model):
        scope_site_lookup = "site"          # lookup to a places.Site (or "pk" for Site itself)
        scope_area_lookup = "site__area"    # lookup to a places.AdminArea

Either may be None (an area-only record has no site; site-scoped users do not see it).

Selectors take the reader's `Scope` (`scope=`), a value: a page computes it once from the user
(`user_scope`) and may narrow it to one admin area (`Scope.narrow`), never widen it. The write
side still passes users to `restrict_to_scope` and `get_in_scope_or_404`; both accept either.
"""

from dataclasses import dataclass

from django.db.models import Model, Q, QuerySet
from django.http import Http404

from hbmm.places.models import AdminArea, Site


@dataclass(frozen=True)
class Scope:
    is_national: bool
    area_paths: tuple[str, ...]
    site_ids: frozenset[int]

    @property
    def is_empty(self) -> bool:
        return not (self.is_national or self.area_paths or self.site_ids)

    def contains_site(self, site: Site) -> bool:
        """In-memory check for a site whose area is loaded (batch validation)."""
        return (
            self.is_national
            or site.pk in self.site_ids
            or any(site.area.path.startswith(path) for path in self.area_paths)
        )

    def contains_area(self, area: AdminArea) -> bool:
        """Whether all of `area` (its whole subtree) is in scope; in memory. A national figure
        (the country's own area) needs a national scope."""
        return self.is_national or any(area.path.startswith(path) for path in self.area_paths)

    def narrow(self, area: AdminArea) -> "Scope":
        """The part of this scope that lies under `area`: never wider than this scope, empty
        when they share nothing (one query when the scope holds single sites)."""
        if self.is_national:
            return Scope(is_national=False, area_paths=(area.path,), site_ids=frozenset())
        paths = set()
        for path in self.area_paths:
            if area.path.startswith(path):  # the area is inside one of the scope's areas
                paths.add(area.path)
            elif path.startswith(area.path):  # one of the scope's areas is inside the area
                paths.add(path)
        sites = frozenset()
        if self.site_ids:
            sites = frozenset(
                Site.objects.filter(
                    pk__in=self.site_ids, area__path__startswith=area.path
                ).values_list("pk", flat=True)
            )
        return Scope(is_national=False, area_paths=tuple(sorted(paths)), site_ids=sites)


NOTHING = Scope(is_national=False, area_paths=(), site_ids=frozenset())
EVERYTHING = Scope(is_national=True, area_paths=(), site_ids=frozenset())


def user_scope(user) -> Scope:
    """The user's scope, computed once per user object (i.e. once per request)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    cached = getattr(user, "_hbmm_scope", None)
    if cached is not None:
        return cached
    if user.is_superuser:
        scope = EVERYTHING
    else:
        rows = list(user.scopes.values_list("area__path", "area__level", "site_id"))
        national = any(level == AdminArea.Level.COUNTRY for _path, level, _site in rows)
        scope = Scope(
            is_national=national,
            area_paths=tuple(sorted({path for path, _l, _s in rows if path})),
            site_ids=frozenset(site for _p, _l, site in rows if site),
        )
    user._hbmm_scope = scope
    return scope


def as_scope(scope_or_user) -> Scope:
    """`scope_or_user` itself when it is a Scope, else that user's scope."""
    return scope_or_user if isinstance(scope_or_user, Scope) else user_scope(scope_or_user)


def scope_q(scope: Scope, *, site_lookup: str | None, area_lookup: str | None) -> Q | None:
    """The filter for `scope`; None means no restriction (national scope)."""
    if scope.is_national:
        return None
    q = Q(pk__in=[])  # matches nothing: an empty scope sees nothing
    if area_lookup is not None:
        path_field = f"{area_lookup}__path" if area_lookup else "path"
        for path in scope.area_paths:
            q |= Q(**{f"{path_field}__startswith": path})
    if site_lookup is not None and scope.site_ids:
        q |= Q(**{f"{site_lookup}__in": sorted(scope.site_ids)})
    return q


def restrict_to_scope(
    queryset: QuerySet,
    scope,
    *,
    site_lookup: str | None = None,
    area_lookup: str | None = None,
) -> QuerySet:
    """`queryset` limited to the records under `scope` (a Scope, or a user's scope).

    Lookups default to the model's `scope_site_lookup` / `scope_area_lookup` attributes.
    """
    model = queryset.model
    if site_lookup is None:
        site_lookup = getattr(model, "scope_site_lookup", None)
    if area_lookup is None:
        area_lookup = getattr(model, "scope_area_lookup", None)
    if model is AdminArea:
        area_lookup = ""
    if site_lookup is None and area_lookup is None:
        raise TypeError(f"{model.__name__} declares no scope lookup")
    q = scope_q(as_scope(scope), site_lookup=site_lookup, area_lookup=area_lookup)
    return queryset if q is None else queryset.filter(q)


def get_in_scope_or_404(queryset: QuerySet, scope, **lookup) -> Model:
    """One record by `lookup`, or 404 when it does not exist or is outside `scope` (a Scope, or
    a user's scope)."""
    try:
        return restrict_to_scope(queryset, scope).get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise Http404 from exc


def site_in_scope(scope, site: Site) -> bool:
    """Whether `scope` (a Scope, or a user's scope) holds `site` (may see, record data for it)."""
    return restrict_to_scope(Site.objects.filter(pk=site.pk), scope).exists()


def sites_in_scope(scope) -> QuerySet:
    return restrict_to_scope(Site.objects.all(), scope)
