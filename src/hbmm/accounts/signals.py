"""Audit entries written on Django's signals: logins, failed logins, logouts, and permission
changes however they are made (Django admin, shell, services).

Scope changes are audited by `services.user_scope_set` and by the user admin page (whose
scope inline writes UserScope rows directly), once per change.
"""

from django.contrib.auth.models import Group, Permission
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

from hbmm.accounts.backends import user_for_login
from hbmm.accounts.middleware import current_user
from hbmm.accounts.models import AuditEvent, User
from hbmm.accounts.services import audit_log

PRIVILEGE_FLAGS = ("is_superuser", "is_staff", "is_active")


@receiver(user_logged_in, dispatch_uid="hbmm_audit_login")
def _login(sender, request, user, **kwargs):
    audit_log(
        action=AuditEvent.Action.LOGIN,
        actor=user,
        target=f"accounts.user:{user.pk}",
        request=request,
    )


@receiver(user_login_failed, dispatch_uid="hbmm_audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    typed = str((credentials or {}).get("username") or "")[:150]
    account = user_for_login(typed)
    audit_log(
        action=AuditEvent.Action.LOGIN_FAILED,
        actor_username=typed,
        # The account tried (by id: "My account" finds it even after a rename); not the
        # actor, who is whoever typed the name.
        target=f"accounts.user:{account.pk}" if account is not None else "",
        details={
            "username": typed,
            "locked_out": bool(getattr(request, "axes_locked_out", False)),
        },
        request=request,
    )


@receiver(user_logged_out, dispatch_uid="hbmm_audit_logout")
def _logout(sender, request, user, **kwargs):
    if user is None:  # the session had no user: nothing to log
        return
    audit_log(
        action=AuditEvent.Action.LOGOUT,
        actor=user,
        target=f"accounts.user:{user.pk}",
        request=request,
    )


def _label(obj) -> str:
    if isinstance(obj, Permission):
        return f"{obj.content_type.app_label}.{obj.codename}"
    if isinstance(obj, User):
        return obj.get_username()
    return str(obj)


def _target(obj) -> str:
    if isinstance(obj, User):
        return f"accounts.user:{obj.pk}"
    if isinstance(obj, Group):
        return f"auth.group:{obj.name}"
    return f"{obj._meta.label_lower}:{obj.pk}"


# The many-to-many relations that grant permissions, and the name of each side.
_RELATIONS = {
    User.groups.through: ("groups", "user_set"),
    User.user_permissions.through: ("user_permissions", "user_set"),
    Group.permissions.through: ("permissions", "group_set"),
}


@receiver(m2m_changed, dispatch_uid="hbmm_audit_permissions")
def _permissions_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    relation = _RELATIONS.get(sender)
    if relation is None or action not in ("post_add", "post_remove", "pre_clear"):
        return
    if action == "pre_clear":
        related = getattr(instance, relation[1] if reverse else relation[0]).all()
    elif pk_set:
        related = model._default_manager.filter(pk__in=pk_set)
    else:
        return  # e.g. adding a group the user already has: nothing changed
    if model is Permission:
        related = related.select_related("content_type")
    related = list(related)
    if not related:
        return
    change = "added" if action == "post_add" else "removed"
    audit_log(
        action=AuditEvent.Action.PERMISSION_CHANGE,
        actor=current_user(),
        target=_target(instance),
        details={
            "relation": relation[1] if reverse else relation[0],
            change: sorted(_label(obj) for obj in related),
        },
    )


@receiver(pre_save, sender=User, dispatch_uid="hbmm_audit_flags_before")
def _flags_before(sender, instance, update_fields=None, **kwargs):
    instance._hbmm_flags_before = None
    if instance.pk is None or kwargs.get("raw"):
        return
    if update_fields is not None and not set(update_fields) & set(PRIVILEGE_FLAGS):
        return  # e.g. last_login on each login
    instance._hbmm_flags_before = (
        User._default_manager.filter(pk=instance.pk).values(*PRIVILEGE_FLAGS).first()
    )


@receiver(post_save, sender=User, dispatch_uid="hbmm_audit_flags_after")
def _flags_after(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    after = {flag: getattr(instance, flag) for flag in PRIVILEGE_FLAGS}
    if created:
        before = {"is_superuser": False, "is_staff": False, "is_active": True}
    else:
        before = getattr(instance, "_hbmm_flags_before", None)
        if before is None:
            return
    changed = {flag: after[flag] for flag in PRIVILEGE_FLAGS if before[flag] != after[flag]}
    if changed:
        audit_log(
            action=AuditEvent.Action.PERMISSION_CHANGE,
            actor=current_user(),
            target=f"accounts.user:{instance.pk}",
            details={"user": instance.get_username(), "flags": changed},
        )


@receiver(post_delete, sender=User, dispatch_uid="hbmm_audit_user_deleted")
def _user_deleted(sender, instance, **kwargs):
    """A user who never acted may be deleted (one who did is protected by the audit log's
    foreign key): the deletion itself is audited, with the id and name of the user."""
    audit_log(
        action=AuditEvent.Action.PERMISSION_CHANGE,
        actor=current_user(),
        target=f"accounts.user:{instance.pk}",
        details={"user": instance.get_username(), "user_id": instance.pk, "deleted": True},
    )
