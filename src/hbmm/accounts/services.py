"""Writes in the accounts app: the audit trail, scopes and roles."""

import ipaddress

from django.conf import settings
from django.db import transaction

from hbmm.accounts.middleware import current_request, current_user
from hbmm.accounts.models import AuditEvent, User, UserScope
from hbmm.accounts.selectors import user_scope_codes
from hbmm.places.models import AdminArea, Site


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR or, behind `HBMM_PROXY_COUNT` reverse proxies that
    each append the address they saw to X-Forwarded-For, the one the outermost proxy saw
    (entries further left are written by the client and prove nothing)."""
    if request is None:
        return None
    address = request.META.get("REMOTE_ADDR") or None
    proxies = settings.HBMM_PROXY_COUNT
    if proxies > 0:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if len(forwarded) >= proxies and forwarded[-proxies]:
            address = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None


def audit_log(
    *,
    action: str,
    actor: User | None = None,
    actor_username: str = "",
    target: str = "",
    details: dict | None = None,
    request=None,
) -> AuditEvent:
    """Append one event to the audit log (with the address of the request being served)."""
    event = _audit_event(action, actor, actor_username, target, details, request)
    event.save()
    return event


def audit_log_many(events: list[dict], *, request=None) -> None:
    """Append several events in one insert (each a dict of audit_log's arguments): the
    notable rows of a batch write, e.g. the suspect cases of an imported file."""
    request = request or current_request()
    AuditEvent.objects.bulk_create(
        [
            _audit_event(
                e["action"],
                e.get("actor"),
                e.get("actor_username", ""),
                e.get("target", ""),
                e.get("details"),
                request,
            )
            for e in events
        ],
        batch_size=500,
    )


def _audit_event(action, actor, actor_username, target, details, request) -> AuditEvent:
    request = request or current_request()
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditEvent(
        action=action,
        actor=actor,
        actor_username=actor_username or (actor.get_username() if actor else ""),
        target=target[:200],
        ip_address=client_ip(request),
        details=details or {},
    )


@transaction.atomic
def user_scope_set(
    *,
    user: User,
    areas: list[AdminArea] = (),
    sites: list[Site] = (),
    by: User | None = None,
) -> None:
    """Replace the user's geographic scope, and audit the change (when there is one)."""
    before = user_scope_codes(user)
    user.scopes.all().delete()
    UserScope.objects.bulk_create(
        [UserScope(user=user, area=a) for a in areas]
        + [UserScope(user=user, site=s) for s in sites]
    )
    user.__dict__.pop("_hbmm_scope", None)
    after = user_scope_codes(user)
    if after != before:
        scope_change_log(user=user, before=before, after=after, by=by)


def scope_change_log(
    *, user: User, before: list[str], after: list[str], by: User | None = None
) -> AuditEvent:
    """Audit a change of the user's scope, however it was made (service or Django admin)."""
    return audit_log(
        action=AuditEvent.Action.SCOPE_CHANGE,
        actor=by or current_user(),
        target=f"accounts.user:{user.pk}",
        details={"user": user.get_username(), "before": before, "after": after},
    )


@transaction.atomic
def roles_sync() -> dict[str, int]:
    """Make each role's group hold exactly the permissions the role files grant it."""
    from django.contrib.auth.models import Group, Permission

    from hbmm.accounts.roles import role_definitions, role_grants

    every = {
        f"{p.content_type.app_label}.{p.codename}": p
        for p in Permission.objects.select_related("content_type")
    }
    counts = {}
    definitions = role_definitions()
    for code, names in role_grants().items():
        if definitions[code].get("all_permissions"):
            wanted = list(every.values())
        else:
            unknown = sorted(n for n in names if n not in every)
            if unknown:
                raise ValueError(f"role '{code}' is granted unknown permissions: {unknown}")
            wanted = [every[n] for n in names]
        group, _ = Group.objects.get_or_create(name=code)
        group.permissions.set(wanted)
        counts[code] = len(wanted)
    return counts
