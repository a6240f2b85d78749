"""Users, their geographic scope, and the append-only audit log.

Roles are Django groups whose permissions come from the role files shipped with each app
(`<app>/roles.json`), synchronised by `hbmm load_reference`: a role is data, not a code branch.
"""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from hbmm.places.models import AdminArea, Site


class User(AbstractUser):
    language = models.CharField(
        _("preferred language"),
        max_length=5,
        choices=[("fr", "Français"), ("en", "English")],
        default="fr",
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")


class UserScope(models.Model):
    """One admin area (and its subtree) or one site that a user may see."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="scopes")
    area = models.ForeignKey(
        AdminArea, verbose_name=_("admin area"), null=True, blank=True, on_delete=models.CASCADE
    )
    site = models.ForeignKey(
        Site, verbose_name=_("site"), null=True, blank=True, on_delete=models.CASCADE
    )

    class Meta:
        verbose_name = _("geographic scope")
        verbose_name_plural = _("geographic scopes")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(area__isnull=False) & models.Q(site__isnull=True))
                | (models.Q(area__isnull=True) & models.Q(site__isnull=False)),
                name="userscope_area_xor_site",
            ),
            models.UniqueConstraint(fields=["user", "area"], name="userscope_unique_area"),
            models.UniqueConstraint(fields=["user", "site"], name="userscope_unique_site"),
        ]

    def __str__(self) -> str:
        return str(self.area or self.site)

    def clean(self):
        if (self.area_id is None) == (self.site_id is None):
            raise ValidationError(_("A scope is either an admin area or a site."))


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The audit log is append-only.")

    def delete(self):
        raise PermissionError("The audit log is append-only.")


class AuditEvent(models.Model):
    """Append-only: written through hbmm.accounts.services.audit_log, never changed.

    An event keeps its actor: a user who acted cannot be deleted (PROTECT), only deactivated;
    `actor_username` keeps the name as it was then."""

    class Action(models.TextChoices):
        LOGIN = "login", _("login")
        LOGIN_FAILED = "login_failed", _("failed login")
        LOGOUT = "logout", _("logout")
        PERMISSION_CHANGE = "permission_change", _("permission change")
        SCOPE_CHANGE = "scope_change", _("scope change")
        READ_PROTECTED = "read_protected", _("read of protected data")
        EXPORT = "export", _("export")
        DATA_CHANGE = "data_change", _("data change")
        OVERRIDE = "override", _("override")

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        User, verbose_name=_("actor"), null=True, blank=True, on_delete=models.PROTECT
    )
    actor_username = models.CharField(_("username"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=40, choices=Action.choices, db_index=True)
    target = models.CharField(_("target"), max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username} {self.action} {self.target}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit log is append-only.")


class ApiToken(models.Model):
    """A personal access token of the API (/api/v1/): created by its user in *My account*,
    shown once, stored hashed (SHA-256 of a random secret: the secret has 256 bits, so a slow
    hash adds nothing), with a name, an expiry and optionally read-only. Revoked, never
    deleted: the audit log and `last_used_*` say what it did."""

    PREFIX = "hbmm_"

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.PROTECT, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=80)
    key_id = models.CharField(_("key id"), max_length=16, unique=True)
    key_hash = models.CharField(_("key hash"), max_length=64)
    read_only = models.BooleanField(_("read-only"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(_("last used from"), null=True, blank=True)
    # When its owner was told by e-mail that it expires soon (once per token).
    expiry_reminded_at = models.DateTimeField(_("expiry reminder sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user} · {self.name} ({self.key_id})"

    def is_active_at(self, moment) -> bool:
        return self.revoked_at is None and self.expires_at > moment
