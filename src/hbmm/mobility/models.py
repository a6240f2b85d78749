"""Mobility tracking: the flow monitoring registry, displacement (IDP) rounds, occupancy of the
migrant resource and response centres (MRRC), stranded migrants and emergency events.

Every domain record carries the submission it was made from (`submission`, a file row or a form
sent from the field), so each figure can be traced to the raw data received. Records are written
by `hbmm.mobility.services` only (the intake mappers call them); they are read through
`hbmm.mobility.selectors`, which applies the reader's geographic scope.

Size: just over 500 lines: the five kinds of mobility records share their sex and age parts,
their checks and their submission link; split apart, those would be repeated or scattered.
"""

import datetime as dt
from collections.abc import Mapping

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hbmm.mobility.returnees import returnee_errors
from hbmm.mobility.summary_models import FlowMonthSummary  # noqa: F401  (a model of the app)


class Direction(models.TextChoices):
    INCOMING = "incoming", _("incoming")
    OUTGOING = "outgoing", _("outgoing")
    INTERNAL = "internal", _("internal / transit")


class Reason(models.TextChoices):
    ECONOMIC = "economic", _("economic")
    SEASONAL = "seasonal", _("seasonal")
    FAMILY = "family", _("family visit")
    CONFLICT = "conflict", _("conflict")
    HEALTH = "health", _("health")
    TOURISM = "tourism", _("tourism")
    OTHER = "other", _("other")


class Transport(models.TextChoices):
    BUS = "bus", _("bus")
    CAR = "car", _("car")
    TRUCK = "truck", _("truck")
    MOTORCYCLE = "motorcycle", _("motorcycle")
    BICYCLE = "bicycle", _("bicycle")
    FOOT = "foot", _("on foot")
    ANIMAL = "animal", _("animal / cart")
    BOAT = "boat", _("boat")
    TRAIN = "train", _("train")
    AIR = "air", _("air")
    OTHER = "other", _("other")


class Need(models.TextChoices):
    FOOD = "food", _("food")
    WATER = "water", _("water")
    SHELTER = "shelter", _("shelter")
    HEALTH = "health", _("health care")
    NFI = "nfi", _("non-food items")
    TRANSPORT = "transport", _("transport")
    DOCUMENTATION = "documentation", _("documentation")
    PROTECTION = "protection", _("protection")
    CASH = "cash", _("cash")
    OTHER = "other", _("other")


SEX_AGE_FIELDS = ("men", "women", "boys", "girls")


def _parts_q(prefix: str = "") -> Q:
    """Either the sex/age breakdown is unknown (all four empty) or it adds up to the total."""
    names = [f"{prefix}{n}" for n in SEX_AGE_FIELDS]
    unknown = Q(**{f"{n}__isnull": True for n in names})
    known = Q(**{f"{n}__isnull": False for n in names}) & Q(
        **{f"{prefix}total": F(names[0]) + F(names[1]) + F(names[2]) + F(names[3])}
    )
    return unknown | known


def sex_age_errors(values: Mapping) -> dict:
    """Errors of a record's men/women/boys/girls/total (None where the breakdown is unknown);
    `values` is the record's field values (`vars(record)`, or the dict a service is given)."""
    parts = [values.get(n) for n in SEX_AGE_FIELDS]
    total = values.get("total")
    errors = {}
    if total is not None and total < 0:
        errors["total"] = _("Counts cannot be negative.")
    for name, value in zip(SEX_AGE_FIELDS, parts, strict=True):
        if value is not None and value < 0:
            errors[name] = _("Counts cannot be negative.")
    given = [p for p in parts if p is not None]
    if given and len(given) != len(parts):
        errors["men"] = _("Give all four of men, women, boys and girls, or none of them.")
    elif given and total is not None and sum(given) != total:
        errors["total"] = _(
            "Men, women, boys and girls add up to %(parts)s, not to the total %(total)s."
        ) % {"parts": sum(given), "total": total}
    return errors


class SexAgeCounts(models.Model):
    """Individuals by sex and age; the breakdown is optional (unknown = all four empty)."""

    total = models.PositiveIntegerField(_("individuals"))
    men = models.PositiveIntegerField(_("men"), null=True, blank=True)
    women = models.PositiveIntegerField(_("women"), null=True, blank=True)
    boys = models.PositiveIntegerField(_("boys"), null=True, blank=True)
    girls = models.PositiveIntegerField(_("girls"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def children(self) -> int | None:
        if self.boys is None or self.girls is None:
            return None
        return self.boys + self.girls


# When a record made from a submission became known (the time cut of `hbmm.accounts.scope`):
# its acceptance, which an edit or a correction renews (the record is then made again).
KNOWN_AT_ACCEPTANCE = "submission__processed_at"


def _submission_fk():
    return models.ForeignKey(
        "intake.Submission",
        verbose_name=_("submission"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )


class FlowCount(SexAgeCounts):
    """Travellers counted at a flow monitoring point on one day, in one direction.

    One row is one group of the registry: the same point, day and direction may have several
    rows (e.g. one per nationality or per vehicle). `reason` is the main reason of travel of
    the group; a source that counts individuals per reason (DTM exports with `reason_*`
    columns) keeps those counts in `reason_counts`, which then add up to the total. Likewise
    `nationality` is the group's main nationality, and `nationality_counts` (ISO3 -> individuals,
    from `nationality_<ISO3>` columns) the breakdown when the source gives one.
    """

    scope_site_lookup = "site"
    scope_area_lookup = "site__area"
    scope_known_at = "entered_at"  # an edit or a correction replaces the row: a new entered_at

    submission = _submission_fk()
    site = models.ForeignKey(
        "places.Site",
        verbose_name=_("flow monitoring point"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    observation_date = models.DateField(_("observation date"), db_index=True)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    unaccompanied_children = models.PositiveIntegerField(
        _("unaccompanied children"), null=True, blank=True
    )
    nationality = models.CharField(_("nationality (ISO3)"), max_length=3, blank=True)
    nationality_counts = models.JSONField(
        _("individuals per nationality"), default=dict, blank=True
    )
    transport = models.CharField(
        _("mode of transport"), max_length=12, choices=Transport.choices, blank=True
    )
    reason = models.CharField(
        _("main reason for travel"), max_length=10, choices=Reason.choices, blank=True
    )
    reason_counts = models.JSONField(_("individuals per reason"), default=dict, blank=True)
    previous_country = models.CharField(_("previous country (ISO3)"), max_length=3, blank=True)
    previous_area = models.ForeignKey(
        "places.AdminArea",
        verbose_name=_("previous region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    next_country = models.CharField(_("next country (ISO3)"), max_length=3, blank=True)
    next_area = models.ForeignKey(
        "places.AdminArea",
        verbose_name=_("next region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    final_destination = models.CharField(_("final destination"), max_length=200, blank=True)
    stranded = models.PositiveIntegerField(_("travellers stranded"), null=True, blank=True)
    observation_hours = models.DecimalField(
        _("observation hours"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    entered_at = models.DateTimeField(_("entered at"), default=timezone.now)

    class Meta:
        verbose_name = _("flow count")
        verbose_name_plural = _("flow counts")
        ordering = ["-observation_date", "site_id", "direction", "pk"]
        indexes = [models.Index(fields=["site", "observation_date"])]
        constraints = [
            models.CheckConstraint(condition=_parts_q(), name="flowcount_parts_add_up"),
            models.CheckConstraint(
                condition=Q(unaccompanied_children__isnull=True)
                | Q(unaccompanied_children__lte=F("total")),
                name="flowcount_unaccompanied_within_total",
            ),
            models.CheckConstraint(
                condition=Q(observation_hours__isnull=True)
                | (Q(observation_hours__gt=0) & Q(observation_hours__lte=24)),
                name="flowcount_hours_in_a_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site_id} {self.observation_date} {self.direction}: {self.total}"

    def clean(self):
        errors = flow_count_errors(vars(self))
        if errors:
            raise ValidationError(errors)

    def nationalities(self) -> dict[str, int]:
        """Individuals per nationality ("" = not recorded)."""
        if self.nationality_counts:
            return dict(self.nationality_counts)
        return {self.nationality: self.total}

    def reasons(self) -> dict[str, int]:
        """Individuals per reason of travel ("" = not recorded)."""
        if self.reason_counts:
            return dict(self.reason_counts)
        return {self.reason: self.total}


def flow_count_errors(values: Mapping, *, today: dt.date | None = None) -> dict:
    """Errors of a flow count's values (`vars(record)`, or the dict a service is given);
    `today`: the date no count may be after (today's, unless a batch has read it already)."""
    errors = sex_age_errors(values)
    total = values.get("total")
    day = values.get("observation_date")
    if day and day > (today or timezone.now().date()):
        errors["observation_date"] = _("The date is in the future.")
    unaccompanied = values.get("unaccompanied_children")
    if unaccompanied is not None:
        boys, girls = values.get("boys"), values.get("girls")
        limit = boys + girls if boys is not None and girls is not None else total
        if limit is not None and unaccompanied > limit:
            errors["unaccompanied_children"] = _(
                "More unaccompanied children (%(n)s) than children counted (%(limit)s)."
            ) % {"n": unaccompanied, "limit": limit}
    for field, message in (
        ("reason_counts", _("Individuals per reason add up to %(n)s, not to the total %(total)s.")),
        (
            "nationality_counts",
            _("Individuals per nationality add up to %(n)s, not to the total %(total)s."),
        ),
    ):
        counts = values.get(field)
        if counts:
            if any(v < 0 for v in counts.values()):
                errors[field] = _("Counts cannot be negative.")
            elif sum(counts.values()) != total:
                errors[field] = message % {"n": sum(counts.values()), "total": total}
    hours = values.get("observation_hours")
    if hours is not None and not 0 < hours <= 24:
        errors["observation_hours"] = _("Between 0 and 24 hours.")
    return errors


class DisplacementRound(models.Model):
    """One round of the displacement tracking (mobility tracking) exercise."""

    number = models.PositiveIntegerField(_("round number"), unique=True)
    reporting_date = models.DateField(_("reporting date"))
    title = models.CharField(_("title"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("displacement round")
        verbose_name_plural = _("displacement rounds")
        ordering = ["-reporting_date", "-number"]

    def __str__(self) -> str:
        return _("Round %(n)s (%(date)s)") % {"n": self.number, "date": self.reporting_date}


class DisplacementFigure(SexAgeCounts):
    """IDPs counted in one round in one adm2 area, or at one IDP site of that area.

    `total` is the number of IDP individuals. An area's figure in a round is the sum of its
    rows (give either one row for the area, or one row per IDP site, not both).
    """

    scope_site_lookup = "site"
    scope_area_lookup = "area"
    scope_known_at = KNOWN_AT_ACCEPTANCE

    submission = _submission_fk()
    round = models.ForeignKey(
        DisplacementRound,
        verbose_name=_("round"),
        on_delete=models.PROTECT,
        related_name="figures",
    )
    area = models.ForeignKey(
        "places.AdminArea",
        verbose_name=_("area (adm2)"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    site = models.ForeignKey(
        "places.Site",
        verbose_name=_("IDP site"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    households = models.PositiveIntegerField(_("IDP households"), null=True, blank=True)
    returnees = models.PositiveIntegerField(_("returnees"), null=True, blank=True)
    idp_returnees = models.PositiveIntegerField(_("IDP returnees"), null=True, blank=True)
    returnees_abroad = models.PositiveIntegerField(
        _("returnees from abroad"), null=True, blank=True
    )
    idp_returnee_origins = models.JSONField(
        _("IDP returnees per area of origin"), default=dict, blank=True
    )
    abroad_returnee_origins = models.JSONField(
        _("returnees from abroad per country of origin"), default=dict, blank=True
    )
    reason = models.CharField(_("reason for displacement"), max_length=100, blank=True)
    period = models.CharField(_("period of displacement"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("displacement figure")
        verbose_name_plural = _("displacement figures")
        ordering = ["round", "area__pcode", "site_id"]
        constraints = [
            models.CheckConstraint(condition=_parts_q(), name="displacement_parts_add_up"),
            models.UniqueConstraint(
                fields=["round", "area"],
                condition=Q(site__isnull=True),
                name="displacement_one_row_per_area",
            ),
            models.UniqueConstraint(
                fields=["round", "site"],
                condition=Q(site__isnull=False),
                name="displacement_one_row_per_site",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round_id} {self.area_id} {self.site_id or ''}: {self.total}"

    def clean(self):
        errors = sex_age_errors(vars(self))
        errors.update(returnee_errors(vars(self)))  # returnees: IDP + abroad, per origin
        if errors:
            raise ValidationError(errors)


class MrrcOccupancy(SexAgeCounts):
    """Migrants present in a migrant resource and response centre on a date."""

    scope_site_lookup = "site"
    scope_area_lookup = "site__area"
    scope_known_at = KNOWN_AT_ACCEPTANCE

    submission = _submission_fk()
    site = models.ForeignKey(
        "places.Site", verbose_name=_("centre"), on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField(_("date"), db_index=True)

    class Meta:
        verbose_name = _("MRRC occupancy")
        verbose_name_plural = _("MRRC occupancy")
        ordering = ["-date", "site_id"]
        constraints = [
            models.CheckConstraint(condition=_parts_q(), name="mrrc_parts_add_up"),
            models.UniqueConstraint(fields=["site", "date"], name="mrrc_one_report_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.site_id} {self.date}: {self.total}"

    def clean(self):
        errors = sex_age_errors(vars(self))
        if self.date and self.date > timezone.now().date():
            errors["date"] = _("The date is in the future.")
        if errors:
            raise ValidationError(errors)


class StrandedMigrants(models.Model):
    """A group of migrants found stranded at a site on a date (e.g. after a border closure)."""

    scope_site_lookup = "site"
    scope_area_lookup = "site__area"
    scope_known_at = KNOWN_AT_ACCEPTANCE

    submission = _submission_fk()
    site = models.ForeignKey(
        "places.Site", verbose_name=_("site"), on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField(_("date"), db_index=True)
    count = models.PositiveIntegerField(_("stranded migrants"))
    nationalities = models.JSONField(_("nationalities (ISO3)"), default=list, blank=True)
    needs = models.JSONField(_("main needs"), default=list, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("stranded migrants")
        verbose_name_plural = _("stranded migrants")
        ordering = ["-date", "site_id"]

    def __str__(self) -> str:
        return f"{self.site_id} {self.date}: {self.count}"

    def clean(self):
        if self.date and self.date > timezone.now().date():
            raise ValidationError({"date": _("The date is in the future.")})


class MobilityEvent(models.Model):
    """An emergency event tracked by the DTM (displacement, border closure, attack, flood...)."""

    scope_site_lookup = "site"
    scope_area_lookup = "area"
    scope_known_at = KNOWN_AT_ACCEPTANCE

    class Type(models.TextChoices):
        DISPLACEMENT = "displacement", _("displacement")
        BORDER_CLOSURE = "border_closure", _("border closure")
        STRANDED = "stranded", _("stranded group")
        INSECURITY = "insecurity", _("insecurity / attack")
        FLOOD = "flood", _("flood")
        OTHER = "other", _("other")

    submission = _submission_fk()
    event_date = models.DateField(_("event date"), db_index=True)
    event_type = models.CharField(_("type"), max_length=20, choices=Type.choices)
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
    households = models.PositiveIntegerField(_("households affected"), null=True, blank=True)
    individuals = models.PositiveIntegerField(_("individuals affected"), null=True, blank=True)
    from_location = models.CharField(_("from"), max_length=200, blank=True)
    to_location = models.CharField(_("to"), max_length=200, blank=True)
    shelter = models.CharField(_("shelter"), max_length=200, blank=True)
    needs = models.JSONField(_("first needs"), default=list, blank=True)
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("mobility event")
        verbose_name_plural = _("mobility events")
        ordering = ["-event_date", "pk"]

    def __str__(self) -> str:
        return f"{self.event_date} {self.get_event_type_display()}"

    def clean(self):
        if self.event_date and self.event_date > timezone.now().date():
            raise ValidationError({"event_date": _("The date is in the future.")})


class MobilitySettings(models.Model):
    """Settings of the mobility figures that an administrator may change (one row)."""

    border_closure_date = models.DateField(
        _("land border closure date"),
        null=True,
        blank=True,
        help_text=_(
            "First day the land borders were closed. Cumulative flows are counted up to the day "
            "before; stranded migrants in the first week from this day. Empty: the "
            "HBMM_BORDER_CLOSURE_DATE setting."
        ),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("mobility settings")
        verbose_name_plural = _("mobility settings")

    def __str__(self) -> str:
        return str(_("Mobility settings"))

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)


def default_border_closure_date() -> dt.date | None:
    value = getattr(settings, "HBMM_BORDER_CLOSURE_DATE", "")
    if not value:
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
