"""Narrowing a reader's scope to one admin area, for "this region only" views and reports.

Domain selectors restrict their querysets with `hbmm.accounts.scope.restrict_to_scope(qs,
user)`, which reads the user's `Scope`. To show a region inside a national user's scope, the
reports app hands the selectors a copy of the user whose scope is the intersection of the
user's scope and the chosen area. The selectors are unchanged and scope is still applied in one
place; a user can never widen their scope this way (an area outside it gives an empty scope).
"""

import copy

from django.contrib.auth import get_user_model

from hbmm.accounts.scope import Scope, user_scope
from hbmm.places.models import AdminArea, Site


def narrowed_scope(scope: Scope, area: AdminArea) -> Scope:
    """The part of `scope` that lies under `area`."""
    if scope.is_national:
        return Scope(is_national=False, area_paths=(area.path,), site_ids=frozenset())
    paths = set()
    for path in scope.area_paths:
        if area.path.startswith(path):  # the area is inside one of the user's areas
            paths.add(area.path)
        elif path.startswith(area.path):  # one of the user's areas is inside the area
            paths.add(path)
    sites = (
        frozenset(
            Site.objects.filter(
                pk__in=scope.site_ids, area__path__startswith=area.path
            ).values_list("pk", flat=True)
        )
        if scope.site_ids
        else frozenset()
    )
    return Scope(is_national=False, area_paths=tuple(sorted(paths)), site_ids=sites)


def narrowed_user(user, area: AdminArea | None):
    """`user` itself when no area is chosen, else a copy whose scope stops at `area`."""
    if area is None:
        return user
    narrowed = copy.copy(user)
    narrowed._hbmm_scope = narrowed_scope(user_scope(user), area)
    return narrowed


def areas_for(user, *, level: int = AdminArea.Level.ADM1) -> list[AdminArea]:
    """Admin areas of `level` a user may narrow to: those in, or overlapping, their scope."""
    scope = user_scope(user)
    qs = AdminArea.objects.filter(level=level, country_iso3=_country())
    if scope.is_national:
        return list(qs)
    if scope.is_empty:
        return []
    from_sites = set()
    if scope.site_ids:
        for path in Site.objects.filter(pk__in=scope.site_ids).values_list("area__path", flat=True):
            parts = [p for p in path.split("/") if p]
            if len(parts) > level:
                from_sites.add(parts[level])
    return [
        a
        for a in qs
        if a.pcode in from_sites
        or any(a.path.startswith(p) or p.startswith(a.path) for p in scope.area_paths)
    ]


def system_reader():
    """A national, all-permission reader for the `hbmm sitrep` command (never saved)."""
    return get_user_model()(username="hbmm-sitrep", is_superuser=True, is_active=True)


def _country() -> str:
    from django.conf import settings

    return settings.HBMM_COUNTRY_ISO3
