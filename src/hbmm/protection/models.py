"""Protection cases of vulnerable and stranded migrants, their consent, referrals to service
providers, assistance and assisted voluntary return.

The most sensitive records of HBMM. A case holds a pseudonymous person key and a case key;
the name, phone and document number are encrypted (`EncryptedTextField`) and read only through
`selectors.case_identifiers_read`, which checks the reader's rights and writes the audit log.
Who may see a case at all (geographic scope, then owner / team / area / all, then the GBV
restriction) is decided in one place: `selectors.cases_visible`.

Size: over 500 lines because a case, its events, consent, referrals, assistance and return are
one aggregate whose invariants refer to each other (a referral needs the case's consent, a
return closes the case); the temporary sites (CCCM, after the cases) are the seam to cut when
the module grows (issue 14's module, still being worked on).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hbmm.fields import EncryptedTextField

iso3_validator = RegexValidator(r"^[A-Z]{3}$", _("Use a three-letter ISO country code (e.g. GIN)."))


class Sex(models.TextChoices):
    MALE = "male", _("male")
    FEMALE = "female", _("female")
    UNKNOWN = "unknown", _("not stated")


class AgeGroup(models.TextChoices):
    CHILD_0_4 = "0-4", "0-4"
    CHILD_5_17 = "5-17", "5-17"
    ADULT_18_59 = "18-59", "18-59"
    OLDER_60 = "60+", "60+"
    UNKNOWN = "unknown", _("unknown")


class Vulnerability(models.TextChoices):
    UASC = "uasc", _("unaccompanied or separated child")
    GBV = "gbv_survivor", _("GBV survivor")
    MEDICAL = "medical_need", _("medical need")
    ELDERLY = "elderly", _("elderly person")
    DISABILITY = "disability", _("person with a disability")
    PREGNANT = "pregnant_lactating", _("pregnant or lactating woman")
    TRAFFICKING = "trafficking", _("victim of trafficking")
    STRANDED = "stranded", _("stranded migrant")


class Need(models.TextChoices):
    HEALTH = "health", _("health")
    SHELTER = "shelter", _("shelter")
    FOOD = "food", _("food")
    MHPSS = "mhpss", _("mental health and psychosocial support")
    LEGAL = "legal", _("legal assistance")
    GBV = "gbv", _("GBV response")
    CHILD_PROTECTION = "child_protection", _("child protection")
    RETURN = "return", _("voluntary return")
    DOCUMENTATION = "documentation", _("documentation")


# A referral is to one of these services; a provider offers some of them.
ServiceType = Need


class ProtectionTeam(models.Model):
    """A team of protection officers; a case belongs to one, and its members share it."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("members"),
        related_name="protection_teams",
        blank=True,
    )

    class Meta:
        verbose_name = _("protection team")
        verbose_name_plural = _("protection teams")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ServiceProvider(models.Model):
    """An organisation that receives referrals, with the services it offers and the users who
    receive its referrals (its focal points)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    service_types = models.JSONField(_("services offered"), default=list)
    area = models.ForeignKey(
        "places.AdminArea",
        verbose_name=_("admin area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    focal_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("focal points"),
        related_name="protection_providers",
        blank=True,
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("service provider")
        verbose_name_plural = _("service providers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        unknown = sorted(set(self.service_types) - set(ServiceType.values))
        if unknown:
            raise ValidationError({"service_types": _("Unknown service: %s") % ", ".join(unknown)})


class Case(models.Model):
    """One person followed by protection: identification, vulnerabilities, consent, status."""

    scope_site_lookup = "site"
    scope_area_lookup = "site__area"
    scope_known_at = "created_at"
    scope_audit_target = "protection.case"

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        ACTIVE = "active", _("active")
        CLOSED = "closed", _("closed")

    class ClosureReason(models.TextChoices):
        NEEDS_MET = "needs_met", _("needs met")
        RETURNED = "returned", _("returned to country of origin")
        RELOCATED = "relocated", _("moved on or transferred elsewhere")
        LOST = "lost_contact", _("contact lost")
        DECLINED = "declined", _("person declined further services")
        DECEASED = "deceased", _("deceased")
        DUPLICATE = "duplicate", _("duplicate record")

    case_key = models.CharField(_("case key"), max_length=20, unique=True)
    person_key = models.CharField(_("person key"), max_length=40, blank=True, db_index=True)
    name = EncryptedTextField(_("name"), blank=True)
    phone = EncryptedTextField(_("phone"), blank=True)
    document_number = EncryptedTextField(_("document number"), blank=True)

    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices, default=Sex.UNKNOWN)
    age_group = models.CharField(
        _("age group"), max_length=8, choices=AgeGroup.choices, default=AgeGroup.UNKNOWN
    )
    nationality = models.CharField(
        _("nationality (ISO3)"), max_length=3, blank=True, validators=[iso3_validator]
    )

    site = models.ForeignKey(
        "places.Site",
        verbose_name=_("identified at"),
        on_delete=models.PROTECT,
        related_name="protection_cases",
    )
    identified_on = models.DateField(_("identified on"), db_index=True)
    identified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("identified by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    stranded_group = models.ForeignKey(
        "mobility.StrandedMigrants",
        verbose_name=_("stranded group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The stranded-migrant group count this person was part of."),
    )

    vulnerabilities = models.JSONField(_("vulnerabilities"), default=list, blank=True)
    needs = models.JSONField(_("needs"), default=list, blank=True)
    is_gbv = models.BooleanField(
        _("GBV case (restricted)"),
        default=False,
        help_text=_("Names masked to everyone but the owner and the GBV team."),
    )

    consent_services = models.BooleanField(_("consent to services"), default=False)
    consent_disclosure = models.BooleanField(
        _("consent to disclosure to other organisations"), default=False
    )
    consent_statistics = models.BooleanField(_("consent to use in statistics"), default=False)
    consent_on = models.DateField(_("consent given on"), null=True, blank=True)
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("consent recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="protection_cases_owned",
    )
    team = models.ForeignKey(
        ProtectionTeam,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    closure_reason = models.CharField(
        _("closure reason"), max_length=20, choices=ClosureReason.choices, blank=True
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("identifiers removed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("protection case")
        verbose_name_plural = _("protection cases")
        ordering = ["-identified_on", "-pk"]
        permissions = [
            ("view_case_identifiers", _("Can read the names, phones and documents of cases")),
            ("view_gbv_case", _("Belongs to the GBV team (sees GBV cases and their names)")),
            ("override_consent", _("Can refer without consent, giving a written reason")),
            ("break_glass", _("Can open a case outside own records, giving a reason")),
            ("view_team_cases", _("Sees the cases of own teams (record scope: team)")),
            ("view_area_cases", _("Sees every case in own geographic scope (record scope: area)")),
            ("view_all_cases", _("Sees every case (record scope: all)")),
            ("export_case", _("Can export case lists")),
            ("transfer_case", _("Can transfer a case to another officer")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="closed") | ~models.Q(closure_reason=""),
                name="protection_case_closed_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.case_key

    @property
    def has_referral_consent(self) -> bool:
        return self.consent_services and self.consent_disclosure

    def vulnerability_labels(self) -> list[str]:
        labels = dict(Vulnerability.choices)
        return [str(labels.get(v, v)) for v in self.vulnerabilities]

    def need_labels(self) -> list[str]:
        labels = dict(Need.choices)
        return [str(labels.get(v, v)) for v in self.needs]


class CaseEvent(models.Model):
    """The case's history, shown on the case: creation, changes, consent, transfers, status,
    referrals and overrides (each also in the audit log)."""

    class Kind(models.TextChoices):
        CREATED = "created", _("registered")
        CHANGED = "changed", _("changed")
        CONSENT = "consent", _("consent recorded")
        TRANSFER = "transfer", _("transferred")
        STATUS = "status", _("status changed")
        REFERRAL = "referral", _("referral")
        OVERRIDE = "override", _("consent override")
        BREAK_GLASS = "break_glass", _("opened outside own records")
        ASSISTANCE = "assistance", _("assistance")
        RETURN = "return", _("voluntary return")
        ANONYMISED = "anonymised", _("identifiers removed")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    at = models.DateTimeField(_("at"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("reason"), blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"

    def after_label(self) -> str:
        """The status a status or referral event moved to, in the reader's language."""
        after = self.details.get("after") or self.details.get("status") or ""
        choices = Case.Status if self.kind == self.Kind.STATUS else Referral.Status
        return str(choices(after).label) if after in choices.values else after


class CaseAccess(models.Model):
    """A break-the-glass opening: a user outside the case's record rules opened it for a
    stated reason, for a limited time (audited)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="accesses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"))
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        verbose_name = _("emergency access")
        verbose_name_plural = _("emergency accesses")

    def __str__(self) -> str:
        return f"{self.case_id} {self.user_id} {self.granted_at:%Y-%m-%d %H:%M}"


class Referral(models.Model):
    """A case referred to a service provider for one service."""

    scope_site_lookup = "case__site"
    scope_area_lookup = "case__site__area"

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("in progress")
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")
        DONE = "done", _("done")
        REVOKED = "revoked", _("revoked")

    class Shared(models.TextChoices):
        IDENTIFIERS = "identifiers", _("name, phone and document")
        PROFILE = "profile", _("sex, age group, nationality")
        VULNERABILITIES = "vulnerabilities", _("vulnerabilities")
        NEEDS = "needs", _("needs")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="referrals")
    provider = models.ForeignKey(
        ServiceProvider,
        verbose_name=_("service provider"),
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    service_type = models.CharField(_("service"), max_length=20, choices=ServiceType.choices)
    shared = models.JSONField(_("what is shared"), default=list, blank=True)
    note = models.TextField(_("note to the provider"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=Status.choices,
        default=Status.IN_PROGRESS,
        db_index=True,
    )
    status_reason = models.TextField(_("reason"), blank=True)
    due_on = models.DateField(_("follow-up due on"), null=True, blank=True)
    consent_override = models.BooleanField(_("made without consent (override)"), default=False)
    override_reason = models.TextField(_("override reason"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("referred by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("referred at"), default=timezone.now)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last changed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-created_at", "-pk"]
        permissions = [("respond_referral", _("Can accept, reject or complete referrals"))]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(consent_override=True) | ~models.Q(override_reason=""),
                name="protection_referral_override_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.provider_id} ({self.service_type})"


class Assistance(models.Model):
    """Direct assistance given to a case."""

    scope_site_lookup = "case__site"
    scope_area_lookup = "case__site__area"

    class Kind(models.TextChoices):
        CASH = "cash", _("cash")
        NFI = "nfi", _("non-food items")
        FOOD = "food", _("food")
        SHELTER = "shelter", _("shelter")
        MEDICAL = "medical", _("medical")
        TRANSPORT = "transport", _("transport")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="assistance")
    kind = models.CharField(_("assistance"), max_length=12, choices=Kind.choices)
    given_on = models.DateField(_("given on"))
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("given by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    value = models.DecimalField(
        _("value (XOF)"), max_digits=12, decimal_places=0, null=True, blank=True
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("assistance")
        verbose_name_plural = _("assistance")
        ordering = ["-given_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.given_on}"


class VoluntaryReturn(models.Model):
    """Assisted voluntary return or humanitarian corridor of one case."""

    scope_site_lookup = "case__site"
    scope_area_lookup = "case__site__area"

    class Kind(models.TextChoices):
        AVR = "avr", _("assisted voluntary return")
        CORRIDOR = "corridor", _("humanitarian corridor")

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="voluntary_return")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.AVR)
    destination_country = models.CharField(
        _("country of return (ISO3)"), max_length=3, validators=[iso3_validator]
    )
    travel_document = models.CharField(_("travel document"), max_length=200, blank=True)
    consular_contact_on = models.DateField(_("consulate contacted on"), null=True, blank=True)
    fit_to_travel_on = models.DateField(_("declared fit to travel on"), null=True, blank=True)
    departure_on = models.DateField(_("departure date"), null=True, blank=True)
    route = models.CharField(_("route"), max_length=300, blank=True)
    arrived_on = models.DateField(_("arrival date"), null=True, blank=True)
    reintegration_referral = models.TextField(_("reintegration referral"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last changed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("voluntary return")
        verbose_name_plural = _("voluntary returns")

    def __str__(self) -> str:
        return f"{self.case_id} → {self.destination_country}"

    def clean(self):
        if self.arrived_on and self.departure_on and self.arrived_on < self.departure_on:
            raise ValidationError({"arrived_on": _("The arrival is before the departure.")})
        if self.departure_on and not self.fit_to_travel_on:
            raise ValidationError(
                {"departure_on": _("A departure needs the fit-to-travel date first.")}
            )


# --- Temporary sites (CCCM) ------------------------------------------------------------------


class Distancing(models.TextChoices):
    NOT_STARTED = "not_started", _("not started")
    IN_PROGRESS = "in_progress", _("in progress")
    DONE = "done", _("done")


class SiteMonitoring(models.Model):
    """One monitoring visit of a temporary site (IDP site): population, isolation capacity,
    water and sanitation, distancing reorganisation. From the site monitoring form."""

    scope_site_lookup = "site"
    scope_area_lookup = "site__area"

    submission = models.ForeignKey(
        "intake.Submission",
        verbose_name=_("submission"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    site = models.ForeignKey(
        "places.Site", verbose_name=_("site"), on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField(_("date"), db_index=True)
    population = models.PositiveIntegerField(_("individuals"))
    households = models.PositiveIntegerField(_("households"), null=True, blank=True)
    isolation_tents = models.PositiveIntegerField(_("isolation tents"), null=True, blank=True)
    isolation_capacity = models.PositiveIntegerField(
        _("isolation capacity (persons)"), null=True, blank=True
    )
    handwashing_points = models.PositiveIntegerField(_("handwashing points"), null=True, blank=True)
    latrines = models.PositiveIntegerField(_("latrines"), null=True, blank=True)
    distancing = models.CharField(
        _("reorganisation for distancing"), max_length=12, choices=Distancing.choices, blank=True
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("temporary site monitoring")
        verbose_name_plural = _("temporary site monitoring")
        ordering = ["-date", "site_id"]

    def __str__(self) -> str:
        return f"{self.site_id} {self.date}"

    def clean(self):
        if self.date and self.date > timezone.localdate():
            raise ValidationError({"date": _("The date is in the future.")})
        if (
            self.households is not None
            and self.population is not None
            and self.households > self.population
        ):
            raise ValidationError({"households": _("More households than individuals.")})


class ReferralPathway(models.Model):
    """A temporary site's referral pathway: which provider for which need."""

    scope_site_lookup = "site"
    scope_area_lookup = "site__area"

    site = models.ForeignKey(
        "places.Site", verbose_name=_("site"), on_delete=models.CASCADE, related_name="+"
    )
    need = models.CharField(_("need"), max_length=20, choices=ServiceType.choices)
    provider = models.ForeignKey(
        ServiceProvider,
        verbose_name=_("service provider"),
        on_delete=models.PROTECT,
        related_name="pathways",
    )

    class Meta:
        verbose_name = _("referral pathway")
        verbose_name_plural = _("referral pathways")
        ordering = ["site_id", "need"]
        constraints = [
            models.UniqueConstraint(fields=["site", "need"], name="protection_pathway_unique")
        ]

    def __str__(self) -> str:
        return f"{self.site_id} {self.need} → {self.provider_id}"
