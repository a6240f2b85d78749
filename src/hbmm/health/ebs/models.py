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

__all__ = ["Bottleneck", "FocalPoint", "HealthEvent", "ResponseAction", "Signal"]


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
    trained_on = models.DateField(_("trained on"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("community focal point")
        verbose_name_plural = _("community focal points")
        ordering = ["key"]
        # A focal point's phone number is personal data: listed only to the roles that call them.
        permissions = [("view_focalpoint_phone", _("Can see the phone numbers of focal points"))]

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

    class Emergence(models.TextChoices):
        FIRST_CASE = "first_case", _("first case (onset of symptoms)")
        FIRST_SIGN = "first_sign", _("first sign (deaths, sick animals, first rumour)")

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
    # The 7-1-7 detection target runs from the emergence (a day: onsets are known to the day)
    # to the detection; the verifying officer often corrects what the focal point reported.
    emerged_on = models.DateField(
        _("date of emergence"),
        null=True,
        blank=True,
        help_text=_(
            "The first case's onset of symptoms, or the first sign (for the 7-day "
            "detection target)."
        ),
    )
    emergence_kind = models.CharField(
        _("emergence is the date of the"), max_length=10, choices=Emergence.choices, blank=True
    )
    emergence_estimated = models.BooleanField(
        _("emergence estimated at verification"),
        default=False,
        help_text=_("Set when the verification gave or corrected the date of emergence."),
    )
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
    verification_submission = models.ForeignKey(
        "intake.Submission",
        verbose_name=_("verification form"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
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
            models.CheckConstraint(
                condition=models.Q(emerged_on__isnull=True) | ~models.Q(emergence_kind=""),
                name="signal_emergence_says_what",
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


class ResponseAction(models.Model):
    """One early-response action of an event, from the 7-1-7 list (WHO, 7-1-7 Alliance): done
    on a date, or not applicable to this event (with the reason). The early response is
    complete when every action is done or not applicable, at the latest done date."""

    scope_site_lookup = "event__signal__site"
    scope_area_lookup = "event__signal__area"

    class Item(models.TextChoices):
        INVESTIGATION = "investigation", _("Investigation started or team deployed")
        RISK_ASSESSMENT = (
            "risk_assessment",
            _("Epidemiological analysis and initial risk assessment"),
        )
        SAMPLES = "samples", _("Samples taken and laboratory confirmation")
        CASE_MANAGEMENT = (
            "case_management",
            _("Case management and infection prevention and control in health facilities"),
        )
        CONTACTS = "contacts", _("Contacts listed and followed up")
        COUNTERMEASURES = "countermeasures", _("Public health measures in the affected community")
        RCCE = "rcce", _("Risk communication and community engagement")
        COORDINATION = "coordination", _("Coordination mechanism in place")

    class State(models.TextChoices):
        TO_DO = "to_do", _("to do")
        DONE = "done", _("done")
        NOT_APPLICABLE = "not_applicable", _("not applicable")

    event = models.ForeignKey(
        HealthEvent,
        verbose_name=_("health event"),
        on_delete=models.CASCADE,
        related_name="response_actions",
    )
    item = models.CharField(_("action"), max_length=20, choices=Item.choices)
    state = models.CharField(_("state"), max_length=14, choices=State.choices, default=State.TO_DO)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("early response action")
        verbose_name_plural = _("early response actions")
        ordering = ["event", "item"]
        constraints = [
            models.UniqueConstraint(fields=["event", "item"], name="response_action_once"),
            models.CheckConstraint(
                condition=models.Q(state="done", done_at__isnull=False)
                | (~models.Q(state="done") & models.Q(done_at__isnull=True)),
                name="response_action_done_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_item_display()}: {self.get_state_display()}"


class Bottleneck(models.Model):
    """The 7-1-7 review of a missed target: which target, what caused the delay, its category
    (a fixed list, so that the causes most often cited can be counted) and what would fix it."""

    scope_site_lookup = "event__signal__site"
    scope_area_lookup = "event__signal__area"

    class Target(models.TextChoices):
        DETECTION = "detection", _("detection (7 days)")
        NOTIFICATION = "notification", _("notification (1 day)")
        RESPONSE = "response", _("early response (7 days)")

    class Category(models.TextChoices):
        COMMUNITY = "community", _("community awareness or care-seeking")
        WORKFORCE = "workforce", _("staff too few, absent or not trained")
        CASE_DEFINITION = "case_definition", _("case definition or alert threshold not applied")
        REPORTING = "reporting", _("reporting tools or channel (phone, network, forms)")
        LABORATORY = "laboratory", _("laboratory: sampling, transport or testing")
        LOGISTICS = "logistics", _("transport and logistics")
        SUPPLIES = "supplies", _("supplies or equipment")
        FUNDING = "funding", _("funds not available in time")
        COORDINATION = "coordination", _("coordination or decision-making")
        ACCESS = "access", _("insecurity or physical access")
        OTHER = "other", _("other")

    event = models.ForeignKey(
        HealthEvent,
        verbose_name=_("health event"),
        on_delete=models.CASCADE,
        related_name="bottlenecks",
    )
    target = models.CharField(_("target missed"), max_length=12, choices=Target.choices)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    cause = models.TextField(_("cause"))
    fix = models.TextField(_("what would fix it"))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("bottleneck")
        verbose_name_plural = _("bottlenecks")
        ordering = ["event", "target", "pk"]

    def __str__(self) -> str:
        return f"{self.get_target_display()}: {self.get_category_display()}"
