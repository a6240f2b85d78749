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

A scope also carries the time cut of a reproduced report (DESIGN.md, data principle 6), so
that every selector applies it with the geography, once, and no figure needs its own:

- `known_on`: only the records HBMM knew at that moment (`hbmm sitrep --as-known-on`);
- `changed_after`: only the records entered or changed after that moment (the drill-down of a
  published figure that changed since publication).

A model says when each record became known with `scope_known_at` (a lookup to a datetime:
`entered_at`, `created_at`...) and, when its records are changed in place and each change is
audited, `scope_audit_target` (the audit events' target prefix, "health.screening"). A model
without `scope_known_at` cannot be cut: it is read whole under `known_on`, nothing of it is
shown under `changed_after`, and `time_cut_gaps` lists it, so the page or report says which
records were not cut instead of mixing silently. Reference data (sites) declares
`scope_known_at = False`: it is read whole and not listed.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from datetime import datetime

from django.apps import apps
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from hbmm.accounts.models import AuditEvent
from hbmm.places.models import AdminArea, Site


@dataclass(frozen=True)
class Scope:
    is_national: bool
    area_paths: tuple[str, ...]
    site_ids: frozenset[int]
    known_on: datetime | None = None  # only the records known at that moment
    changed_after: datetime | None = None  # only the records entered or changed after it

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
            return replace(self, is_national=False, area_paths=(area.path,), site_ids=frozenset())
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
        return replace(self, is_national=False, area_paths=tuple(sorted(paths)), site_ids=sites)

    def as_known_on(self, moment: datetime | None) -> "Scope":
        """This scope, reading only the records known at `moment` (None: all of them)."""
        return replace(self, known_on=moment)

    def changes_after(self, moment: datetime | None) -> "Scope":
        """This scope, reading only the records entered or changed after `moment`."""
        return replace(self, changed_after=moment)


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
    scope = as_scope(scope)
    q = scope_q(scope, site_lookup=site_lookup, area_lookup=area_lookup)
    return time_cut(queryset if q is None else queryset.filter(q), scope)


# The models a time cut could not apply to, while `time_cut_gaps` records them.
_GAPS: ContextVar[set | None] = ContextVar("hbmm_time_cut_gaps", default=None)


@contextmanager
def time_cut_gaps() -> Iterator[set]:
    """Within the block, the set of models read under a time cut that declare no known time
    (`scope_known_at`): the report lists them ("counted as they are now")."""
    found: set = set()
    token = _GAPS.set(found)
    try:
        yield found
    finally:
        _GAPS.reset(token)


def changed_in_place(model, *, after: datetime, before: datetime | None = None) -> Q:
    """The records of `model` whose audited changes in place (`scope_audit_target`) happened
    after `after` (and at or before `before`); matches nothing for a model without one."""
    target = getattr(model, "scope_audit_target", None)
    if not target:
        return Q(pk__in=[])
    events = AuditEvent.objects.filter(
        action=AuditEvent.Action.DATA_CHANGE, target__startswith=f"{target}:", at__gt=after
    )
    if before is not None:
        events = events.filter(at__lte=before)
    pks = set()
    for text in events.values_list("target", flat=True):
        tail = text.removeprefix(f"{target}:")
        if tail.isdigit():
            pks.add(int(tail))
    return Q(pk__in=sorted(pks))


def time_cut(queryset: QuerySet, scope: Scope) -> QuerySet:
    """`queryset` cut to what `scope` knew (`known_on`) or to what changed after
    (`changed_after`); see the module's docstring."""
    if scope.known_on is None and scope.changed_after is None:
        return queryset
    model = queryset.model
    known_at = getattr(model, "scope_known_at", None)
    if known_at is False or model is AdminArea:  # reference data: not cut
        return queryset
    if not known_at:
        gaps = _GAPS.get()
        if gaps is not None:
            gaps.add(model)
        return queryset.none() if scope.changed_after is not None else queryset
    if scope.known_on is not None:
        queryset = queryset.filter(**{f"{known_at}__lte": scope.known_on})
    if scope.changed_after is not None:
        queryset = queryset.filter(
            Q(**{f"{known_at}__gt": scope.changed_after})
            | changed_in_place(model, after=scope.changed_after, before=scope.known_on)
        )
    return queryset


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


def changed_in_place_count(scope: Scope, *, after: datetime) -> int:
    """How many records in `scope` known at `after` were changed in place after it (the
    models that declare `scope_audit_target`): a report reproduced as known at `after` counts
    them as they are now, and says so."""
    whole = replace(scope, known_on=None, changed_after=None)
    total = 0
    for model in apps.get_models():
        known_at = getattr(model, "scope_known_at", None)
        if not known_at or not getattr(model, "scope_audit_target", None):
            continue
        changed = model._default_manager.filter(**{f"{known_at}__lte": after}).filter(
            changed_in_place(model, after=after)
        )
        total += restrict_to_scope(changed, whole).count()
    return total
