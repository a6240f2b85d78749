"""Points of entry: the weekly capacity checklist and the operational status of each point
(issue 5). App label `health`: these tables are the health app's."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hbmm.places.models import SiteKind


class Answer(models.TextChoices):
    YES = "yes", _("yes")
    NO = "no", _("no")
    NOT_ASSESSED = "not_assessed", _("not assessed")


class PointType(models.TextChoices):
    BCP = SiteKind.BORDER_CROSSING_POINT, _("border crossing point")
    ITP = SiteKind.INTERNAL_TRANSIT_POINT, _("internal transit point")
    CORDON = SiteKind.SANITARY_CORDON, _("sanitary cordon")


def site_point_type(site) -> str | None:
    """The point-of-entry type of a site: bcp before itp before cordon (a site may be several
    kinds, e.g. a border post that is also a flow monitoring point)."""
    return point_type_of({k.code for k in site.kinds.all()})


def point_type_of(kinds: set[str]) -> str | None:
    """The point-of-entry type of a site of these kind codes (as `site_point_type`)."""
    for code in PointType.values:
        if code in kinds:
            return code
    return None


# The checklist, in the order of the form: (field, label).
CAPACITY_ITEMS: list[tuple[str, str]] = [
    ("surveillance_system", _("sanitary surveillance system on site")),
    ("traveller_awareness", _("awareness system for travellers (posters, flyers, volunteers)")),
    ("community_awareness", _("community awareness mechanism")),
    ("isolation_space", _("dedicated space to isolate suspect cases")),
    ("handwashing", _("handwashing station with soap and water")),
    ("screening_equipment", _("thermometers / screening equipment")),
    ("ppe_stock", _("stock of personal protective equipment")),
    ("trained_staff", _("staff trained on the standard operating procedures")),
    ("referral_pathway", _("known referral pathway to a health facility")),
    ("data_tool", _("data collection tool in use")),
]
CAPACITY_ITEM_FIELDS = [name for name, _label in CAPACITY_ITEMS]


def _answer_field(label):
    return models.CharField(
        label, max_length=12, choices=Answer.choices, default=Answer.NOT_ASSESSED
    )


class CapacityAssessment(models.Model):
    """The weekly capacity checklist of one point of entry on one day. An item left
    unanswered is "not assessed" — never counted as "no"."""

    scope_site_lookup = "site"
    scope_area_lookup = "site__area"
    scope_known_at = "recorded_at"
    scope_audit_target = "health.capacityassessment"

    site = models.ForeignKey(
        "places.Site", verbose_name=_("point"), on_delete=models.PROTECT, related_name="+"
    )
    point_type = models.CharField(_("point type"), max_length=10, choices=PointType.choices)
    assessed_on = models.DateField(_("assessed on"))
    health_staff_present = models.PositiveSmallIntegerField(
        _("health staff present"), null=True, blank=True
    )
    screening_hours_per_day = models.DecimalField(
        _("screening hours per day"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    surveillance_system = _answer_field(CAPACITY_ITEMS[0][1])
    traveller_awareness = _answer_field(CAPACITY_ITEMS[1][1])
    community_awareness = _answer_field(CAPACITY_ITEMS[2][1])
    isolation_space = _answer_field(CAPACITY_ITEMS[3][1])
    handwashing = _answer_field(CAPACITY_ITEMS[4][1])
    screening_equipment = _answer_field(CAPACITY_ITEMS[5][1])
    ppe_stock = _answer_field(CAPACITY_ITEMS[6][1])
    trained_staff = _answer_field(CAPACITY_ITEMS[7][1])
    referral_pathway = _answer_field(CAPACITY_ITEMS[8][1])
    data_tool = _answer_field(CAPACITY_ITEMS[9][1])
    note = models.TextField(_("note"), blank=True)
    submission = models.ForeignKey(
        "intake.Submission",
        verbose_name=_("submission"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("capacity assessment")
        verbose_name_plural = _("capacity assessments")
        ordering = ["-assessed_on", "site__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "assessed_on"], name="capacityassessment_one_per_day"
            ),
            models.CheckConstraint(
                condition=models.Q(screening_hours_per_day__isnull=True)
                | models.Q(screening_hours_per_day__gte=0, screening_hours_per_day__lte=24),
                name="capacityassessment_hours_0_24",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site_id} {self.assessed_on}"

    def answers(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in CAPACITY_ITEM_FIELDS}

    def answer_list(self) -> list[str]:
        """The answers in checklist order (for tables)."""
        return [getattr(self, name) for name in CAPACITY_ITEM_FIELDS]


# --- Point-of-entry operational status ------------------------------------------------------


class OperationalStatus(models.TextChoices):
    FULLY_OPERATIONAL = "fully_operational", _("fully operational")
    PARTIALLY_OPERATIONAL = "partially_operational", _("partially operational")
    FULLY_CLOSED = "fully_closed", _("fully closed")
    UNKNOWN = "unknown", _("unknown")


class Restriction(models.TextChoices):
    ENTRY = "entry", _("entry")
    EXIT = "exit", _("exit")
    BOTH = "both", _("entry and exit")


class Population(models.TextChoices):
    NATIONALS = "nationals", _("nationals")
    FOREIGNERS = "foreigners", _("foreigners")
    GOODS = "goods", _("goods / trucks")
    HUMANITARIAN = "humanitarian", _("humanitarian")


class HealthMeasure(models.TextChoices):
    NONE = "none", _("none")
    ROUTINE_SCREENING = "routine_screening", _("routine screening")
    COVID_SCREENING = "covid_screening", _("COVID-19 screening")
    QUARANTINE = "quarantine", _("quarantine")


class PoeStatus(models.Model):
    """The operational status of a point of entry from `effective_from` until the next status
    of the same point: the history is the list of them, an as-of query takes the latest one
    that had taken effect."""

    scope_site_lookup = "site"
    scope_area_lookup = "site__area"
    scope_known_at = "recorded_at"
    scope_audit_target = "health.poestatus"

    site = models.ForeignKey(
        "places.Site", verbose_name=_("point"), on_delete=models.PROTECT, related_name="+"
    )
    effective_from = models.DateField(_("effective from"))
    status = models.CharField(_("status"), max_length=24, choices=OperationalStatus.choices)
    restriction = models.CharField(
        _("restriction"), max_length=8, choices=Restriction.choices, blank=True
    )
    populations_affected = models.JSONField(_("populations affected"), default=list, blank=True)
    health_measures = models.JSONField(_("health measures"), default=list, blank=True)
    daily_inflow = models.PositiveIntegerField(_("estimated daily inflow"), null=True, blank=True)
    daily_outflow = models.PositiveIntegerField(_("estimated daily outflow"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    submission = models.ForeignKey(
        "intake.Submission",
        verbose_name=_("submission"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("point-of-entry status")
        verbose_name_plural = _("point-of-entry statuses")
        ordering = ["site__code", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["site", "effective_from"], name="poestatus_one_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.site_id} {self.effective_from} {self.status}"

    def clean(self):
        errors = {}
        for name, choices in (
            ("populations_affected", Population),
            ("health_measures", HealthMeasure),
        ):
            unknown = [v for v in getattr(self, name) or [] if v not in choices.values]
            if unknown:
                errors[name] = _("Unknown values: %s.") % ", ".join(map(str, unknown))
        if HealthMeasure.NONE in (self.health_measures or []) and len(self.health_measures) > 1:
            errors["health_measures"] = _("'none' cannot be combined with other measures.")
        if errors:
            raise ValidationError(errors)

    def populations_labels(self) -> list[str]:
        return [str(Population(v).label) for v in self.populations_affected or []]

    def measures_labels(self) -> list[str]:
        return [str(HealthMeasure(v).label) for v in self.health_measures or []]
