"""The response plan as data, what partners report against it (4W), and its funding.

- The plan: `Plan` (name, period, country, currency), its strategic `Priority`s, its `Pillar`s
  (each with the plan's requirement in the plan's currency), the `Activity`s under each pillar
  (the plan's bullets) and `Indicator`s with their `Target`s. A target is never changed in
  place: a new target is a new version (`Target.version`, with its date and author), and a
  figure says which version it measures against.
- 4W reports (`ActivityReport`): who (`organisation`), what (`indicator`, hence activity and
  pillar), where (`area` and optionally `site`), when (`period`, a month of the plan), how
  many (`value`, by sex and age where the indicator asks for it), with the fields of trainings
  (topic, participants' role, pre/post test scores) and of risk communication (channel).
  A `ReportingPeriod` locked after review accepts no new or changed rows.
- Funding: `Contribution`s of donors (an `Organisation`), in any currency with the rate to the
  plan's currency and its date, earmarked to a pillar or not.

Written only by `hbmm.response.services`; read through `hbmm.response.selectors` (which apply
the reader's geographic scope and, for partners, their organisation).

Size: over 500 lines because the plan, its 4W reports and its funding are one set of related
tables (a report points to an indicator, an activity, a pillar, a period and an organisation;
a contribution to a pillar): split by model, each file would import the others' models.
`ActivityReport` and its checks (`report_errors`) are the seam if it grows further.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def _in_language(obj, field: str) -> str:
    """`field_fr` or `field_en` in the active language, the other one when empty."""
    first, second = ("fr", "en") if (get_language() or "fr").startswith("fr") else ("en", "fr")
    return getattr(obj, f"{field}_{first}") or getattr(obj, f"{field}_{second}")


class Plan(models.Model):
    code = models.SlugField(_("code"), max_length=60, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_fr = models.CharField(_("name (French)"), max_length=200)
    country_iso3 = models.CharField(_("country (ISO3)"), max_length=3)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    source = models.CharField(_("source document"), max_length=300, blank=True)
    imported_at = models.DateTimeField(_("imported at"), default=timezone.now)

    class Meta:
        verbose_name = _("response plan")
        verbose_name_plural = _("response plans")
        ordering = ["-start", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="plan_period")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return _in_language(self, "name")


class Priority(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="priorities")
    number = models.PositiveSmallIntegerField(_("number"))
    title_en = models.TextField(_("title (English)"))
    title_fr = models.TextField(_("title (French)"))

    class Meta:
        verbose_name = _("strategic priority")
        verbose_name_plural = _("strategic priorities")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="priority_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    @property
    def title(self) -> str:
        return _in_language(self, "title")


class Pillar(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="pillars")
    priority = models.ForeignKey(Priority, on_delete=models.PROTECT, related_name="pillars")
    code = models.SlugField(_("code"), max_length=40)
    number = models.PositiveSmallIntegerField(_("order"))
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_fr = models.CharField(_("name (French)"), max_length=200)
    requirement = models.DecimalField(
        _("funding requirement"), max_digits=14, decimal_places=2, validators=[]
    )

    class Meta:
        verbose_name = _("pillar")
        verbose_name_plural = _("pillars")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="pillar_code_unique"),
            models.CheckConstraint(condition=Q(requirement__gte=0), name="pillar_requirement"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return _in_language(self, "name")


class Activity(models.Model):
    pillar = models.ForeignKey(Pillar, on_delete=models.CASCADE, related_name="activities")
    code = models.SlugField(_("code"), max_length=40)
    number = models.PositiveSmallIntegerField(_("order"))
    text_en = models.TextField(_("activity (English)"))
    text_fr = models.TextField(_("activity (French)"))

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["pillar", "number"]
        constraints = [
            models.UniqueConstraint(fields=["pillar", "code"], name="activity_code_unique")
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return _in_language(self, "text")


class Indicator(models.Model):
    class Kind(models.TextChoices):
        COUNT = "count", _("count")
        PERCENTAGE = "percentage", _("percentage")
        YES_NO = "yes_no", _("yes / no")

    class Disaggregation(models.TextChoices):
        NONE = "none", _("none")
        SEX = "sex", _("by sex")
        SEX_AGE = "sex_age", _("by sex and age")

    class ReportKind(models.TextChoices):
        ACTIVITY = "activity", _("activity")
        TRAINING = "training", _("training")
        RCCE = "rcce", _("risk communication")

    class Source(models.TextChoices):
        REPORTED = "reported", _("reported by partners (4W)")
        COMPUTED = "computed", _("computed from HBMM records")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="indicators")
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="indicators")
    code = models.SlugField(_("code"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=300)
    name_fr = models.CharField(_("name (French)"), max_length=300)
    unit_en = models.CharField(_("unit (English)"), max_length=60)
    unit_fr = models.CharField(_("unit (French)"), max_length=60)
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices, default=Kind.COUNT)
    disaggregation = models.CharField(
        _("disaggregation"),
        max_length=10,
        choices=Disaggregation.choices,
        default=Disaggregation.NONE,
    )
    report_kind = models.CharField(
        _("kind of report"), max_length=10, choices=ReportKind.choices, default=ReportKind.ACTIVITY
    )
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.REPORTED
    )
    computed_figure = models.CharField(_("computed from (figure)"), max_length=60, blank=True)
    baseline = models.DecimalField(
        _("baseline"), max_digits=14, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["plan", "activity__pillar__number", "activity__number", "code"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="indicator_code_unique")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return _in_language(self, "name")

    @property
    def unit(self) -> str:
        return _in_language(self, "unit")

    @property
    def pillar(self) -> Pillar:
        return self.activity.pillar


class Target(models.Model):
    """A target of an indicator for the plan's period, nationally (`area` empty) or for one
    area. Never updated: a changed target is a new row with the next `version`."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    area = models.ForeignKey(
        "places.AdminArea",
        verbose_name=_("area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    value = models.DecimalField(_("target"), max_digits=14, decimal_places=2)
    version = models.PositiveIntegerField(_("version"))
    set_at = models.DateTimeField(_("set at"), default=timezone.now)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("set by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["indicator", "area", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "area", "version"], name="target_version_unique"
            ),
            models.UniqueConstraint(
                fields=["indicator", "version"],
                condition=Q(area__isnull=True),
                name="target_national_version_unique",
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="target_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} v{self.version}: {self.value}"


class Organisation(models.Model):
    class Kind(models.TextChoices):
        UN = "un", _("UN agency")
        GOVERNMENT = "government", _("government")
        NGO = "ngo", _("NGO")
        DONOR = "donor", _("donor")
        OTHER = "other", _("other")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    acronym = models.CharField(_("acronym"), max_length=40, blank=True)
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices)
    members: models.ManyToManyField = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="Membership",
        related_name="response_organisations",
        blank=True,
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.acronym or self.name


class Membership(models.Model):
    """A user reports for (and, without `response.view_all_activityreports`, sees only the rows
    of) the organisation they belong to."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="response_membership"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)

    class Meta:
        verbose_name = _("organisation member")
        verbose_name_plural = _("organisation members")

    def __str__(self) -> str:
        return f"{self.user} ({self.organisation})"


class ReportingPeriod(models.Model):
    """A month of the plan's 4W reporting; `locked_at` set after review: no row is added,
    changed or removed any more."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="periods")
    month = models.DateField(_("month"))  # its first day
    locked_at = models.DateTimeField(_("locked at"), null=True, blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("locked by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        permissions = [("lock_reportingperiod", _("Can lock and unlock a reporting period"))]
        ordering = ["plan", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "month"], name="period_month_unique"),
            models.CheckConstraint(condition=Q(month__day=1), name="period_first_day"),
        ]

    def __str__(self) -> str:
        return self.month.strftime("%Y-%m")

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None


class ParticipantRole(models.TextChoices):
    BORDER_AGENTS = "border_agents", _("border agents")
    HEALTH_AGENTS = "health_agents", _("health agents")
    COMMUNITY_FOCAL_POINTS = "community_focal_points", _("community focal points")
    TRADITIONAL_HEALERS = "traditional_healers", _("traditional healers")
    TRANSPORTERS = "transporters", _("transporters")
    COMMUNITY_LEADERS = "community_leaders", _("community leaders")
    OFFICIALS = "officials", _("municipal officials")
    OTHER = "other", _("other")


class Channel(models.TextChoices):
    SESSION = "session", _("awareness session")
    RADIO = "radio", _("radio spot")
    IEC = "iec", _("IEC material")
    OTHER = "other", _("other")


class Status(models.TextChoices):
    PLANNED = "planned", _("planned")
    ONGOING = "ongoing", _("ongoing")
    COMPLETED = "completed", _("completed")


SEX_FIELDS = ("women", "men")
SEX_AGE_FIELDS = ("women", "men", "girls", "boys")
SEX_AGE_LABELS = {"women": _("women"), "men": _("men"), "girls": _("girls"), "boys": _("boys")}


class ActivityReport(models.Model):
    """One 4W row: who did what, where, when, for how many."""

    scope_site_lookup = "site"
    scope_area_lookup = "area"
    scope_known_at = "entered_at"

    period = models.ForeignKey(
        ReportingPeriod, verbose_name=_("period"), on_delete=models.PROTECT, related_name="reports"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    implementing_partner = models.ForeignKey(
        Organisation,
        verbose_name=_("implementing partner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="reports"
    )
    area = models.ForeignKey(
        "places.AdminArea", verbose_name=_("area"), on_delete=models.PROTECT, related_name="+"
    )
    site = models.ForeignKey(
        "places.Site",
        verbose_name=_("site"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.COMPLETED
    )
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    women = models.PositiveIntegerField(_("women"), null=True, blank=True)
    men = models.PositiveIntegerField(_("men"), null=True, blank=True)
    girls = models.PositiveIntegerField(_("girls"), null=True, blank=True)
    boys = models.PositiveIntegerField(_("boys"), null=True, blank=True)
    training_topic = models.CharField(_("training topic"), max_length=200, blank=True)
    participant_role = models.CharField(
        _("participants' role"), max_length=30, choices=ParticipantRole.choices, blank=True
    )
    pre_test_score = models.DecimalField(
        _("pre-test score (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    post_test_score = models.DecimalField(
        _("post-test score (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    submission = models.ForeignKey(
        "intake.Submission",
        verbose_name=_("submission"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    entered_at = models.DateTimeField(_("entered at"), default=timezone.now)

    class Meta:
        verbose_name = _("activity report")
        verbose_name_plural = _("activity reports")
        permissions = [
            ("view_all_activityreports", _("Can view the activity reports of every organisation"))
        ]
        ordering = ["-period__month", "indicator", "area__pcode", "pk"]
        indexes = [models.Index(fields=["indicator", "period"])]
        constraints = [
            models.CheckConstraint(condition=Q(value__gte=0), name="report_value_not_negative"),
            models.CheckConstraint(
                condition=(
                    Q(pre_test_score__isnull=True)
                    | Q(pre_test_score__gte=0, pre_test_score__lte=100)
                )
                & (
                    Q(post_test_score__isnull=True)
                    | Q(post_test_score__gte=0, post_test_score__lte=100)
                ),
                name="report_scores_percent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.indicator.code} {self.area.pcode}: {self.value}"

    def clean(self) -> None:
        errors = report_errors(self)
        if errors:
            raise ValidationError(errors)


def report_errors(report: ActivityReport) -> dict:
    """The invariants of one row that need no query beyond its indicator."""
    errors: dict = {}
    indicator = report.indicator
    disaggregation = indicator.disaggregation
    value = report.value
    if value is not None and value < 0:
        errors["value"] = _("The value cannot be negative.")
    if indicator.kind == Indicator.Kind.PERCENTAGE and value is not None and value > 100:
        errors["value"] = _("A percentage is at most 100.")
    if indicator.kind == Indicator.Kind.YES_NO and value not in (None, 0, 1):
        errors["value"] = _("Give 1 (yes) or 0 (no).")
    names = {
        Indicator.Disaggregation.SEX: SEX_FIELDS,
        Indicator.Disaggregation.SEX_AGE: SEX_AGE_FIELDS,
    }.get(Indicator.Disaggregation(disaggregation), ())
    extra = [n for n in SEX_AGE_FIELDS if n not in names and getattr(report, n) is not None]
    if extra:
        errors[extra[0]] = _("This indicator is not counted by sex and age.")
    parts = [getattr(report, n) for n in names]
    if names and any(p is None for p in parts):
        missing = next(n for n in names if getattr(report, n) is None)
        errors[missing] = _("This indicator is counted by %(parts)s: give each.") % {
            "parts": ", ".join(str(SEX_AGE_LABELS[n]) for n in names)
        }
    elif names and value is not None and Decimal(sum(parts)) != value:
        errors["value"] = _("The parts add up to %(parts)s, not to %(value)s.") % {
            "parts": sum(parts),
            "value": value,
        }
    is_training = indicator.report_kind == Indicator.ReportKind.TRAINING
    if not is_training:
        for name in ("training_topic", "participant_role", "pre_test_score", "post_test_score"):
            if getattr(report, name) not in (None, ""):
                errors[name] = _("Only a training report has this field.")
    elif not report.participant_role:
        errors["participant_role"] = _("A training report names the participants' role.")
    if indicator.report_kind != Indicator.ReportKind.RCCE and report.channel:
        errors["channel"] = _("Only a risk communication report has this field.")
    site = report.site
    if (
        site is not None
        and report.area_id is not None
        and not (site.area.path.startswith(report.area.path))
    ):
        errors["site"] = _("%(site)s is not in %(area)s.") % {
            "site": site.code,
            "area": report.area.pcode,
        }
    return errors


class Contribution(models.Model):
    """Money a donor gives to the plan, in its own currency with the rate to the plan's
    currency (`rate`: one unit of `currency` in the plan's currency) on `rate_date`."""

    class Status(models.TextChoices):
        PLEDGED = "pledged", _("pledged")
        COMMITTED = "committed", _("committed")
        PAID = "paid", _("paid")

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="contributions")
    donor = models.ForeignKey(
        Organisation, verbose_name=_("donor"), on_delete=models.PROTECT, related_name="+"
    )
    pillar = models.ForeignKey(
        Pillar,
        verbose_name=_("earmarked pillar"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contributions",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.COMMITTED
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    rate = models.DecimalField(_("exchange rate"), max_digits=18, decimal_places=8)
    rate_date = models.DateField(_("rate date"))
    amount_plan = models.DecimalField(
        _("amount in the plan's currency"), max_digits=14, decimal_places=2
    )
    signed_on = models.DateField(_("date signed"))
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    entered_at = models.DateTimeField(_("entered at"), default=timezone.now)

    class Meta:
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        ordering = ["plan", "-signed_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="contribution_amount"),
            models.CheckConstraint(condition=Q(rate__gt=0), name="contribution_rate"),
        ]

    def __str__(self) -> str:
        return f"{self.donor} {self.amount} {self.currency}"


class Expenditure(models.Model):
    """Money spent on a pillar in a month, in the plan's currency: one line of the finance
    system's export (`reference`: its line or voucher number, unique in the plan when given,
    so the same export imported twice is refused line by line). A negative amount is a
    correction of an earlier line."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="expenditures")
    pillar = models.ForeignKey(
        Pillar, verbose_name=_("pillar"), on_delete=models.PROTECT, related_name="expenditures"
    )
    month = models.DateField(_("month"))  # its first day
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    submission = models.ForeignKey(
        "intake.Submission",
        verbose_name=_("submission"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    entered_at = models.DateTimeField(_("entered at"), default=timezone.now)

    class Meta:
        verbose_name = _("expenditure")
        verbose_name_plural = _("expenditures")
        ordering = ["plan", "-month", "pillar__number", "pk"]
        indexes = [models.Index(fields=["plan", "pillar", "month"])]
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="expenditure_first_day"),
            models.UniqueConstraint(
                fields=["plan", "reference"],
                condition=~Q(reference=""),
                name="expenditure_reference_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.pillar_id}: {self.amount}"
