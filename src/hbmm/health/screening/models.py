"""Traveller screening at points of entry: case definitions, screenings, follow-up visits.

A screening holds a pseudonymous person key; the traveller's name, phone and document number
are encrypted (`EncryptedTextField`) and read only through `screening_identifiers_read`, which
checks `health.view_identifiers` and writes the audit log.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from hbmm.fields import EncryptedTextField
from hbmm.health.screening.classification import validate_rules
from hbmm.health.screening.summary_models import ScreeningDay

__all__ = [
    "AgeGroup",
    "ScreeningDay",
    "CaseDefinition",
    "Conveyance",
    "Decision",
    "FollowUpOutcome",
    "FollowUpVisit",
    "Screening",
    "Sex",
    "Symptom",
]

iso3_validator = RegexValidator(r"^[A-Z]{3}$", _("Use a three-letter ISO country code (e.g. GIN)."))

TEMPERATURE_MIN, TEMPERATURE_MAX = 30, 45
AGE_MAX = 120


class Sex(models.TextChoices):
    MALE = "male", _("male")
    FEMALE = "female", _("female")
    UNKNOWN = "unknown", _("not stated")


class AgeGroup(models.TextChoices):
    # The age groups of the DHIS2 COVID-19 surveillance packages.
    Y0_4 = "0-4", "0-4"
    Y5_14 = "5-14", "5-14"
    Y15_24 = "15-24", "15-24"
    Y25_49 = "25-49", "25-49"
    Y50_64 = "50-64", "50-64"
    Y65 = "65+", "65+"
    UNKNOWN = "unknown", _("unknown")

    @classmethod
    def of(cls, age: int | None) -> str:
        if age is None:
            return cls.UNKNOWN
        for group, upper in ((cls.Y0_4, 4), (cls.Y5_14, 14), (cls.Y15_24, 24), (cls.Y25_49, 49)):
            if age <= upper:
                return group
        return cls.Y50_64 if age <= 64 else cls.Y65


class Conveyance(models.TextChoices):
    BUS = "bus", _("bus")
    CAR = "car", _("car")
    TRUCK = "truck", _("truck")
    MOTORBIKE = "motorbike", _("motorbike")
    ON_FOOT = "on_foot", _("on foot")
    OTHER = "other", _("other")


class Symptom(models.TextChoices):
    FEVER = "fever", _("fever")
    COUGH = "cough", _("cough")
    SHORTNESS_OF_BREATH = "shortness_of_breath", _("shortness of breath")
    SORE_THROAT = "sore_throat", _("sore throat")
    RUNNY_NOSE = "runny_nose", _("runny nose")
    HEADACHE = "headache", _("headache")
    FATIGUE = "fatigue", _("fatigue")
    MUSCLE_PAIN = "muscle_pain", _("muscle pain")
    DIARRHOEA = "diarrhoea", _("diarrhoea")
    VOMITING = "vomiting", _("vomiting")
    LOSS_TASTE_SMELL = "loss_taste_smell", _("loss of taste or smell")
    OTHER = "other", _("other")


class Decision(models.TextChoices):
    """The agent's decision at the point."""

    SUSPECT = "suspect", _("suspect case: isolate and notify")
    NOT_SUSPECT = "not_suspect", _("not a suspect case: may continue")


class CaseDefinition(models.Model):
    """One version of a suspect case definition; rules are data (see classification.py)."""

    code = models.SlugField(_("code"), max_length=60)
    version = models.PositiveIntegerField(_("version"), default=1)
    name_fr = models.CharField(_("name (French)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    valid_from = models.DateField(_("valid from"))
    rules = models.JSONField(_("rules"))
    source = models.TextField(_("source"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("case definition")
        verbose_name_plural = _("case definitions")
        ordering = ["-valid_from", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="casedefinition_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "fr").startswith("en") else self.name_fr

    def clean(self):
        problems = validate_rules(self.rules)
        if problems:
            raise ValidationError({"rules": problems})

    def clause_label(self, code: str) -> str:
        english = (get_language() or "fr").startswith("en")
        for clause in self.rules.get("clauses", []):
            if clause.get("code") == code:
                return clause.get("label_en" if english else "label_fr") or code
        return code


# The furthest step a screening reached (`Screening.step`), as the lists show it.
STEP_NAMES = {
    "closed": pgettext_lazy("screening step", "closed"),
    "resulted": pgettext_lazy("screening step", "result known"),
    "sampled": pgettext_lazy("screening step", "sampled"),
    "referred": pgettext_lazy("screening step", "referred"),
    "notified": pgettext_lazy("screening step", "notified"),
    "isolated": pgettext_lazy("screening step", "isolated"),
    "suspect": pgettext_lazy("screening step", "suspect"),
    "screened": pgettext_lazy("screening step", "screened"),
}


class FollowUpOutcome(models.TextChoices):
    """How a traveller's 14-day follow-up ended."""

    COMPLETED = "completed", _("completed (followed all 14 days)")
    SYMPTOMATIC = "symptomatic", _("became symptomatic")
    LOST = "lost", _("lost to follow-up")
    MOVED = "moved", _("moved away")
    DIED = "died", _("died")


class Screening(models.Model):
    """One traveller screened at a point of entry, and the suspect-case workflow that follows."""

    scope_site_lookup = "point"
    scope_area_lookup = "point__area"
    scope_known_at = "created_at"
    scope_audit_target = "health.screening"  # workflow steps change it in place, audited

    class ClassificationStatus(models.TextChoices):
        AUTOMATIC = "automatic", _("automatic, awaiting the agent")
        CONFIRMED = "confirmed", _("confirmed by the agent")
        OVERRIDDEN = "overridden", _("overridden by the agent")

    class Transport(models.TextChoices):
        AMBULANCE = "ambulance", _("ambulance")
        SERVICE_VEHICLE = "service_vehicle", _("service vehicle")
        PRIVATE_VEHICLE = "private_vehicle", _("private vehicle")
        OTHER = "other", _("other")

    class LabResult(models.TextChoices):
        POSITIVE = "positive", _("positive")
        NEGATIVE = "negative", _("negative")
        INCONCLUSIVE = "inconclusive", _("inconclusive")

    class Outcome(models.TextChoices):
        RELEASED = "released", _("released (not a case)")
        TREATED_HOME = "treated_home", _("treated at home")
        HOSPITALISED = "hospitalised", _("hospitalised")
        RECOVERED = "recovered", _("recovered")
        DIED = "died", _("died")
        LOST = "lost", _("lost to follow-up")

    submission = models.ForeignKey(
        "intake.Submission",
        verbose_name=_("submission"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    point = models.ForeignKey(
        "places.Site",
        verbose_name=_("point of entry"),
        on_delete=models.PROTECT,
        related_name="screenings",
    )
    screened_at = models.DateTimeField(_("screened at"), db_index=True)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("screening agent"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    agent_name = models.CharField(_("screening agent (name)"), max_length=150, blank=True)

    person_key = models.CharField(_("traveller key"), max_length=40, db_index=True)
    name = EncryptedTextField(_("name"), blank=True)
    phone = EncryptedTextField(_("phone"), blank=True)
    document_number = EncryptedTextField(_("document number"), blank=True)

    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices, default=Sex.UNKNOWN)
    age = models.PositiveSmallIntegerField(
        _("age (years)"), null=True, blank=True, validators=[MaxValueValidator(AGE_MAX)]
    )
    age_group = models.CharField(
        _("age group"), max_length=8, choices=AgeGroup.choices, default=AgeGroup.UNKNOWN
    )
    nationality = models.CharField(
        _("nationality (ISO3)"), max_length=3, blank=True, validators=[iso3_validator]
    )
    conveyance = models.CharField(
        _("conveyance"), max_length=12, choices=Conveyance.choices, blank=True
    )
    company_plate = models.CharField(_("company / plate"), max_length=100, blank=True)
    origin_country = models.CharField(
        _("origin country (ISO3)"), max_length=3, blank=True, validators=[iso3_validator]
    )
    origin_place = models.CharField(_("origin place"), max_length=200, blank=True)
    countries_visited = models.JSONField(
        _("countries visited in the last 14 days"), default=list, blank=True
    )
    destination = models.ForeignKey(
        "places.AdminArea",
        verbose_name=_("destination in Mali"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    contact_sick = models.BooleanField(_("contact with a sick person"), null=True, blank=True)
    temperature = models.DecimalField(
        _("temperature (°C)"),
        max_digits=3,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(TEMPERATURE_MIN), MaxValueValidator(TEMPERATURE_MAX)],
    )
    symptoms = models.JSONField(_("symptoms"), default=list, blank=True)
    other_symptom = models.CharField(_("other symptom"), max_length=200, blank=True)
    has_symptoms = models.BooleanField(_("with symptoms"), default=False)

    # Classification: automatic, then confirmed or overridden by the agent.
    case_definition = models.ForeignKey(
        CaseDefinition,
        verbose_name=_("case definition"),
        on_delete=models.PROTECT,
        related_name="screenings",
    )
    auto_suspect = models.BooleanField(_("suspect by the case definition"))
    matched_clauses = models.JSONField(_("criteria met"), default=list, blank=True)
    classification_status = models.CharField(
        _("classification"),
        max_length=12,
        choices=ClassificationStatus.choices,
        default=ClassificationStatus.AUTOMATIC,
    )
    is_suspect = models.BooleanField(_("suspect case"), db_index=True)
    override_reason = models.TextField(_("reason for the override"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    # Suspect-case workflow: each step timestamped.
    isolated_at = models.DateTimeField(_("isolated at"), null=True, blank=True)
    notified_at = models.DateTimeField(_("notified at"), null=True, blank=True)
    alert_sent_at = models.DateTimeField(_("alert e-mail sent at"), null=True, blank=True)
    alert_recipients = models.PositiveSmallIntegerField(_("alert recipients"), default=0)
    referred_at = models.DateTimeField(_("referred at"), null=True, blank=True)
    referral_facility = models.ForeignKey(
        "places.Site",
        verbose_name=_("referred to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    referral_transport = models.CharField(
        _("transport"), max_length=16, choices=Transport.choices, blank=True
    )
    sampled_at = models.DateTimeField(_("sample taken at"), null=True, blank=True)
    sample_lab = models.ForeignKey(
        "places.Site",
        verbose_name=_("laboratory"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    lab_result = models.CharField(
        _("lab result"), max_length=12, choices=LabResult.choices, blank=True
    )
    result_at = models.DateTimeField(_("result at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=14, choices=Outcome.choices, blank=True)
    outcome_at = models.DateTimeField(_("outcome at"), null=True, blank=True)
    follow_up_until = models.DateField(_("follow-up until"), null=True, blank=True)
    follow_up_team = models.CharField(_("follow-up team"), max_length=60, blank=True)
    follow_up_outcome = models.CharField(
        _("follow-up outcome"), max_length=12, choices=FollowUpOutcome.choices, blank=True
    )
    follow_up_closed_on = models.DateField(_("follow-up closed on"), null=True, blank=True)

    created_at = models.DateTimeField(_("entered at"), default=timezone.now)

    class Meta:
        verbose_name = _("screening")
        verbose_name_plural = _("screenings")
        ordering = ["-screened_at", "-pk"]
        permissions = [
            ("view_identifiers", _("Can view travellers' names, phones and document numbers")),
            ("view_screening_figures", _("Can view screening figures")),
        ]
        indexes = [
            models.Index(fields=["point", "screened_at"], name="screening_point_time"),
            # The suspects of a period (the figures' median delays): 2 % of the screenings,
            # found without reading the other 98 % of the period.
            models.Index(
                fields=["screened_at"],
                condition=models.Q(is_suspect=True),
                name="screening_suspect_time",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(temperature__isnull=True)
                | models.Q(temperature__gte=TEMPERATURE_MIN, temperature__lte=TEMPERATURE_MAX),
                name="screening_temperature_range",
            ),
            models.CheckConstraint(
                condition=models.Q(age__isnull=True) | models.Q(age__lte=AGE_MAX),
                name="screening_age_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.point.code} {self.screened_at:%Y-%m-%d %H:%M} {self.person_key}"

    @property
    def reference(self) -> str:
        return f"SCR-{self.pk:06d}"

    @property
    def symptom_labels(self) -> list[str]:
        return [str(Symptom(code).label) for code in self.symptoms if code in Symptom.values]

    @property
    def step(self) -> str:
        """The furthest workflow step reached."""
        for name, value in (
            ("closed", self.outcome_at),
            ("resulted", self.result_at),
            ("sampled", self.sampled_at),
            ("referred", self.referred_at),
            ("notified", self.notified_at),
            ("isolated", self.isolated_at),
        ):
            if value:
                return name
        return "suspect" if self.is_suspect else "screened"

    @property
    def step_display(self) -> str:
        return str(STEP_NAMES[self.step])

    def hours_between(self, start: str, end: str) -> float | None:
        a, b = getattr(self, start), getattr(self, end)
        if a is None or b is None:
            return None
        return round((b - a).total_seconds() / 3600, 1)


class FollowUpVisit(models.Model):
    """A visit (or call) during a traveller's 14-day follow-up."""

    scope_site_lookup = "screening__point"
    scope_area_lookup = "screening__point__area"

    screening = models.ForeignKey(
        Screening, verbose_name=_("screening"), on_delete=models.PROTECT, related_name="visits"
    )
    submission = models.ForeignKey(
        "intake.Submission",
        verbose_name=_("submission"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    visited_on = models.DateField(_("visit date"))
    reached = models.BooleanField(
        _("traveller reached"),
        default=True,
        help_text=_("No: the visit or call did not reach the traveller (a missed visit)."),
    )
    symptoms = models.JSONField(_("symptoms"), default=list, blank=True)
    temperature = models.DecimalField(
        _("temperature (°C)"),
        max_digits=3,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(TEMPERATURE_MIN), MaxValueValidator(TEMPERATURE_MAX)],
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("entered at"), default=timezone.now)

    class Meta:
        verbose_name = _("follow-up visit")
        verbose_name_plural = _("follow-up visits")
        ordering = ["visited_on", "pk"]

    def __str__(self) -> str:
        return f"{self.screening_id} {self.visited_on}"
