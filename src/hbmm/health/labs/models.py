"""Laboratories and samples (the plan's National Laboratory System pillar).

A `Laboratory` is what HBMM knows of a places.Site of kind "lab": the national reference
laboratory, or a mobile laboratory set up at a point of entry (which point, since when), its
operational status and daily capacity. A `Sample` is one specimen on its way: taken at a point
(from a suspect case's screening, or not), shipped to a laboratory, received, tested, its result
communicated; each step timed and checked by `labs.services`. A sample is personal health data:
its selectors show it only to readers whose scope holds the point where it was taken or the
laboratory that tests it.
"""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = ["LabKind", "LabStatus", "Laboratory", "Sample", "SampleResult", "SampleType"]

# A barcode as scanners type it: letters, digits and - _ . / (no spaces).
sample_id_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9._/-]{2,39}$",
    _("A sample id is 3 to 40 letters, digits or - _ . / (as on its barcode)."),
)


class LabKind(models.TextChoices):
    NATIONAL_REFERENCE = "national_reference", _("national reference laboratory")
    REGIONAL = "regional", _("regional laboratory")
    MOBILE = "mobile", _("mobile laboratory at a point of entry")


class LabStatus(models.TextChoices):
    OPERATIONAL = "operational", _("operational")
    PARTIAL = "partial", _("partially operational")
    NOT_OPERATIONAL = "not_operational", _("not operational")
    CLOSED = "closed", _("closed")


class SampleType(models.TextChoices):
    NASOPHARYNGEAL = "nasopharyngeal_swab", _("nasopharyngeal swab")
    OROPHARYNGEAL = "oropharyngeal_swab", _("oropharyngeal swab")
    SPUTUM = "sputum", _("sputum")
    BLOOD = "blood", _("blood")
    STOOL = "stool", _("stool")
    OTHER = "other", _("other")


class SampleResult(models.TextChoices):
    POSITIVE = "positive", _("positive")
    NEGATIVE = "negative", _("negative")
    INCONCLUSIVE = "inconclusive", _("inconclusive")
    REJECTED = "rejected", _("rejected by the laboratory")


class Laboratory(models.Model):
    """A laboratory of the network: one per places.Site of kind lab."""

    scope_site_lookup = "site"
    scope_area_lookup = "site__area"

    site = models.OneToOneField(
        "places.Site",
        verbose_name=_("site"),
        on_delete=models.PROTECT,
        related_name="laboratory",
    )
    kind = models.CharField(_("kind of laboratory"), max_length=20, choices=LabKind.choices)
    point = models.ForeignKey(
        "places.Site",
        verbose_name=_("point of entry (mobile laboratory)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    since = models.DateField(_("operating since"), null=True, blank=True)
    status = models.CharField(
        _("operational status"),
        max_length=16,
        choices=LabStatus.choices,
        default=LabStatus.OPERATIONAL,
    )
    daily_capacity = models.PositiveIntegerField(
        _("daily capacity (samples a day)"), null=True, blank=True
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("laboratory")
        verbose_name_plural = _("laboratories")
        ordering = ["kind", "site__code"]

    def __str__(self) -> str:
        return f"{self.site.name} ({self.site.code})"


# The course of a sample, in order: each step's time is not before the ones recorded before it.
STEP_FIELDS = ("taken_at", "shipped_at", "received_at", "tested_at", "communicated_at")


class Sample(models.Model):
    """One specimen, from where it was taken to the result given back."""

    # Read by the selectors: a sample is seen from the point where it was taken and from the
    # laboratory that tests it (`labs.selectors.samples_for`).
    scope_site_lookup = "point"
    scope_area_lookup = "point__area"

    class Transport(models.TextChoices):
        COURIER = "courier", _("courier")
        SERVICE_VEHICLE = "service_vehicle", _("service vehicle")
        PUBLIC_TRANSPORT = "public_transport", _("public transport")
        AIR = "air", _("air")
        OTHER = "other", _("other")

    sample_id = models.CharField(
        _("sample id"), max_length=40, unique=True, validators=[sample_id_validator]
    )
    sample_type = models.CharField(
        _("sample type"),
        max_length=20,
        choices=SampleType.choices,
        default=SampleType.NASOPHARYNGEAL,
    )
    screening = models.ForeignKey(
        "health.Screening",
        verbose_name=_("screening"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="samples",
    )
    point = models.ForeignKey(
        "places.Site",
        verbose_name=_("taken at (point)"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    taken_at = models.DateTimeField(_("taken at"), db_index=True)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("taken by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    taken_by_name = models.CharField(_("taken by (name)"), max_length=150, blank=True)
    lab = models.ForeignKey(
        "places.Site",
        verbose_name=_("laboratory"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    transport = models.CharField(
        _("transport"), max_length=20, choices=Transport.choices, blank=True
    )
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    tested_at = models.DateTimeField(_("tested at"), null=True, blank=True)
    result = models.CharField(_("result"), max_length=12, choices=SampleResult.choices, blank=True)
    rejection_reason = models.CharField(_("reason for rejection"), max_length=200, blank=True)
    communicated_at = models.DateTimeField(_("result communicated at"), null=True, blank=True)
    result_submission = models.ForeignKey(
        "intake.Submission",
        verbose_name=_("result import row"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("entered at"), default=timezone.now)

    class Meta:
        verbose_name = _("sample")
        verbose_name_plural = _("samples")
        ordering = ["-taken_at", "-pk"]
        permissions = [("view_lab_figures", _("Can view laboratory figures"))]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(result="rejected") | ~models.Q(rejection_reason=""),
                name="sample_rejection_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(result="") | models.Q(tested_at__isnull=False),
                name="sample_result_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.sample_id

    @property
    def status(self) -> str:
        """The furthest step reached (a key of STATUS_LABELS)."""
        if self.communicated_at:
            return "communicated"
        if self.result == SampleResult.REJECTED:
            return "rejected"
        if self.result:
            return "resulted"
        if self.received_at:
            return "received"
        if self.shipped_at:
            return "shipped"
        return "taken"

    @property
    def status_display(self) -> str:
        return str(STATUS_LABELS[self.status])


STATUS_LABELS = {
    "taken": _("taken, not shipped"),
    "shipped": _("shipped, not received"),
    "received": _("received, no result"),
    "resulted": _("result known, not communicated"),
    "rejected": _("rejected"),
    "communicated": _("result communicated"),
}
