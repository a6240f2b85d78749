"""Reads in the accounts app."""

import datetime as dt

from django.db.models import Q, QuerySet

from hbmm.accounts.models import ApiToken, AuditEvent, User, UserScope
from hbmm.accounts.roles import role_definitions, role_label


def user_scope_codes(user: User) -> list[str]:
    """The user's scope as P-codes (areas) and site codes, sorted: what the audit log records."""
    rows = UserScope.objects.filter(user=user).values_list("area__pcode", "site__code")
    return sorted(area or site for area, site in rows)


def user_scopes(user: User) -> QuerySet:
    return (
        UserScope.objects.filter(user=user)
        .select_related("area", "area__parent", "site", "site__area")
        .order_by("area__path", "site__code")
    )


def user_roles(user: User) -> list[dict]:
    """The user's roles (groups that are roles), with their label in the active language."""
    known = role_definitions()
    names = sorted(user.groups.values_list("name", flat=True))
    return [{"code": n, "label": role_label(n)} for n in names if n in known]


def user_recent_events(user: User, *, limit: int = 10) -> QuerySet:
    """The latest audit entries about the user's own sessions (logins, failures, logouts),
    found by the account's id, never by its name: a renamed account keeps its history, and a
    new account given an old name does not inherit it."""
    actions = [
        AuditEvent.Action.LOGIN,
        AuditEvent.Action.LOGIN_FAILED,
        AuditEvent.Action.LOGOUT,
    ]
    return AuditEvent.objects.filter(
        Q(actor=user) | Q(target=f"accounts.user:{user.pk}"), action__in=actions
    ).order_by("-at", "-pk")[:limit]


def user_api_tokens(user: User) -> QuerySet:
    """The user's API tokens, newest first (revoked and expired ones too: what they did)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")


def api_tokens_expiring(*, now: dt.datetime, within: dt.timedelta) -> QuerySet:
    """Tokens in use (not revoked, not expired) that expire within `within` of `now`, whose
    owner (active, with an e-mail address) was not reminded yet."""
    return (
        ApiToken.objects.filter(
            revoked_at__isnull=True,
            expiry_reminded_at__isnull=True,
            expires_at__gt=now,
            expires_at__lte=now + within,
            user__is_active=True,
        )
        .exclude(user__email="")
        .select_related("user")
        .order_by("expires_at", "pk")
    )
