"""Community event-based surveillance: focal points, signals, events.

A signal is triaged (discard, duplicate of another signal, to verify), verified (true/false)
and, when true, becomes an event with a risk level, actions and a responsible person. The 7-1-7
timeliness targets are measured on the timestamps kept here (see ebs.selectors).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = ["FocalPoint", "HealthEvent", "Signal"]


class FocalPoint(models.Model):
    """A registered community focal point, identified in reports by their key."""

    scope_site_lookup = "site"
    scope_area_lookup = "area"

    key = models.CharField(_("key"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=150)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    area = models.ForeignKey(
        "places.AdminArea", verbose_name=_("admin area"), on_delete=models.PROTECT, related_name="+"
    )
    site = models.ForeignKey(
        "places.Site",
        verbose_name=_("site"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("community focal point")
        verbose_name_plural = _("community focal points")
        ordering = ["key"]

    def __str__(self) -> str:
        return f"{self.key} {self.name}"


class Signal(models.Model):
    scope_site_lookup = "site"
    scope_area_lookup = "area"
    scope_known_at = "created_at"
    scope_audit_target = "health.signal"  # triage and verification change it in place, audited

    class Kind(models.TextChoices):
        SICK_TRAVELLER = "sick_traveller", _("sick traveller")
        FEVER_COUGH_CLUSTER = "fever_cough_cluster", _("cluster of fever or cough")
        UNEXPLAINED_DEATHS = "unexplained_deaths", _("unexplained deaths")
        ANIMAL_DEATHS = "animal_deaths", _("sick or dead animals")
        RUMOUR = "rumour", _("rumour")
        OTHER = "other", _("other")

    class Status(models.TextChoices):
        NEW = "new", _("new, to triage")
        DISCARDED = "discarded", _("discarded")
        DUPLICATE = "duplicate", _("duplicate")
        TO_VERIFY = "to_verify", _("to verify")
        VERIFIED = "verified", _("verified: true")
        NOT_CONFIRMED = "not_confirmed", _("verified: false")

    OPEN_STATUSES = (Status.NEW, Status.TO_VERIFY)

    submission = models.ForeignKey(
        "intake.Submission",
        verbose_name=_("submission"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reporter = models.ForeignKey(
        FocalPoint, verbose_name=_("reporter"), on_delete=models.PROTECT, related_name="signals"
    )
    detected_at = models.DateTimeField(
        _("detected at"),
        null=True,
        blank=True,
        help_text=_("When the focal point first learnt of it (for the 1-day notification target)."),
    )
    reported_at = models.DateTimeField(_("reported at"), db_index=True)
    site = models.ForeignKey(
        "places.Site",
        verbose_name=_("site"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    area = models.ForeignKey(
        "places.AdminArea", verbose_name=_("admin area"), on_delete=models.PROTECT, related_name="+"
    )
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    description = models.TextField(_("description"), blank=True)
    people_affected = models.PositiveIntegerField(_("people affected"), null=True, blank=True)

    status = models.CharField(
        _("status"), max_length=14, choices=Status.choices, default=Status.NEW, db_index=True
    )
    triaged_at = models.DateTimeField(_("triaged at"), null=True, blank=True)
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("triaged by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    triage_note = models.TextField(_("triage note"), blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verification entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    verifier_name = models.CharField(_("verified by"), max_length=150, blank=True)
    verification_note = models.TextField(_("verification note"), blank=True)
    created_at = models.DateTimeField(_("entered at"), default=timezone.now)

    class Meta:
        verbose_name = _("signal")
        verbose_name_plural = _("signals")
        ordering = ["-reported_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(latitude__isnull=True) & models.Q(longitude__isnull=True))
                | (models.Q(latitude__isnull=False) & models.Q(longitude__isnull=False)),
                name="signal_coordinates_both_or_none",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="duplicate") | models.Q(duplicate_of__isnull=False),
                name="signal_duplicate_has_original",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.get_kind_display()}"

    @property
    def reference(self) -> str:
        return f"SIG-{self.pk:05d}"

    def clean(self):
        if self.duplicate_of_id and self.duplicate_of_id == self.pk:
            raise ValidationError({"duplicate_of": _("A signal cannot duplicate itself.")})


class HealthEvent(models.Model):
    """A verified signal that calls for a response."""

    scope_site_lookup = "signal__site"
    scope_area_lookup = "signal__area"

    class Risk(models.TextChoices):
        LOW = "low", _("low")
        MODERATE = "moderate", _("moderate")
        HIGH = "high", _("high")
        VERY_HIGH = "very_high", _("very high")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    signal = models.OneToOneField(
        Signal, verbose_name=_("signal"), on_delete=models.PROTECT, related_name="event"
    )
    risk = models.CharField(_("risk level"), max_length=10, choices=Risk.choices)
    actions = models.TextField(_("actions"), blank=True)
    responsible = models.CharField(_("responsible"), max_length=150)
    status = models.CharField(
        _("status"), max_length=6, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    opened_at = models.DateTimeField(_("opened at"))
    response_at = models.DateTimeField(
        _("early response completed at"),
        null=True,
        blank=True,
        help_text=_("When the early response actions were in place (7-day target)."),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("health event")
        verbose_name_plural = _("health events")
        ordering = ["-opened_at", "-pk"]

    def __str__(self) -> str:
        return f"EVT-{self.pk:05d} ({self.get_risk_display()})"
