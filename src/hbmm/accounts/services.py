"""Writes in the accounts app: the audit trail, scopes and roles."""

import datetime as dt
import hashlib
import ipaddress
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hbmm.accounts.middleware import current_request, current_user
from hbmm.accounts.models import ApiToken, AuditEvent, User, UserScope
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


# ---- Personal access tokens of the API -------------------------------------------------------

API_TOKEN_MAX_DAYS = 366


def api_token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_token_create(
    *,
    user: User,
    name: str,
    days: int,
    read_only: bool = False,
    by: User | None = None,
    request=None,
) -> tuple[ApiToken, str]:
    """A new token of `user`, valid `days` days (1 to 366): the token and its text, which is
    shown once and stored only as a hash. `by`: an administrator creating it for `user` (a
    service account of a ministry's system), who alone may. Audited (who created it, for
    whom)."""
    if by is not None and by.pk != user.pk and not by.is_superuser:
        raise PermissionDenied
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("A token needs a name.")})
    if not 1 <= days <= API_TOKEN_MAX_DAYS:
        raise ValidationError(
            {"days": _("A token lasts from 1 to %(max)d days.") % {"max": API_TOKEN_MAX_DAYS}}
        )
    if not user.is_active:
        raise ValidationError(_("A deactivated account cannot have a token."))
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=name[:80],
        key_id=key_id,
        key_hash=api_token_hash(secret),
        read_only=read_only,
        expires_at=timezone.now() + dt.timedelta(days=days),
    )
    token.save()
    audit_log(
        action=AuditEvent.Action.DATA_CHANGE,
        actor=by or user,
        target=f"accounts.apitoken:{token.pk}",
        details={
            "token": "created",
            "name": token.name,
            "key_id": key_id,
            "days": days,
            "read_only": read_only,
            "user": user.get_username(),
        },
        request=request,
    )
    return token, f"{ApiToken.PREFIX}{key_id}_{secret}"


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: User, request=None) -> ApiToken:
    """Revoke `token` (its user or an administrator may); revoking twice changes nothing.
    Audited."""
    if actor.pk != token.user_id and not actor.is_superuser:
        raise PermissionDenied
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_log(
        action=AuditEvent.Action.DATA_CHANGE,
        actor=actor,
        target=f"accounts.apitoken:{token.pk}",
        details={
            "token": "revoked",
            "name": token.name,
            "key_id": token.key_id,
            "user": token.user.get_username(),
        },
        request=request,
    )
    return token


def api_token_authenticate(text: str, *, request=None) -> ApiToken | None:
    """The active token whose text is `text` (None otherwise: unknown, wrong secret, expired,
    revoked, or its user deactivated). Records its use (time and address), at most once a
    minute per token."""
    if not text.startswith(ApiToken.PREFIX):
        return None
    key_id, sep, secret = text[len(ApiToken.PREFIX) :].partition("_")
    if not sep or not key_id or not secret:
        return None
    token = ApiToken.objects.select_related("user").filter(key_id=key_id).first()
    if token is None or not secrets.compare_digest(token.key_hash, api_token_hash(secret)):
        return None
    now = timezone.now()
    if not token.is_active_at(now) or not token.user.is_active:
        return None
    address = client_ip(request)
    if (
        token.last_used_at is None
        or now - token.last_used_at > dt.timedelta(minutes=1)
        or token.last_used_ip != address
    ):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_ip=address)
        token.last_used_at, token.last_used_ip = now, address
    return token


def api_token_reminder_claim(*, token: ApiToken, now: dt.datetime) -> bool:
    """Mark that `token`'s owner is being told it expires soon: True for the one caller that
    claims it (a token is reminded once, whatever the number of workers)."""
    return bool(
        ApiToken.objects.filter(pk=token.pk, expiry_reminded_at__isnull=True).update(
            expiry_reminded_at=now
        )
    )
