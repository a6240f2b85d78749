"""Admin areas (OCHA P-codes) and sites: the geography every record hangs on."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# Mali's bounding box (WGS84), with a small margin for posts on the border line.
MALI_BBOX = {"lat_min": 10.0, "lat_max": 25.1, "lon_min": -12.3, "lon_max": 4.3}


def name_in_active_language(name_fr: str, name_en: str) -> str:
    """The name in the active language, the other language's when that one is empty."""
    if (get_language() or "fr").startswith("en"):
        return name_en or name_fr
    return name_fr or name_en


class LabelledModel(models.Model):
    """A record with French and English names; `name` follows the active language."""

    name_fr = models.CharField(_("name (French)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return name_in_active_language(self.name_fr, self.name_en)


class AdminArea(LabelledModel):
    """A country (level 0) or an administrative area (levels 1-3) identified by its P-code."""

    class Level(models.IntegerChoices):
        COUNTRY = 0, _("country")
        ADM1 = 1, _("region (adm1)")
        ADM2 = 2, _("cercle (adm2)")
        ADM3 = 3, _("commune (adm3)")

    pcode = models.CharField(_("P-code"), max_length=20, unique=True)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    country_iso3 = models.CharField(_("country (ISO3)"), max_length=3, db_index=True)
    # Materialised path of P-codes from the country down, e.g. "MLI/ML01/ML0101/".
    # A subtree is every area whose path starts with this one's.
    path = models.CharField(_("path"), max_length=255, unique=True, editable=False)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)

    class Meta:
        verbose_name = _("admin area")
        verbose_name_plural = _("admin areas")
        ordering = ["path"]

    def save(self, *args, **kwargs):
        old_path = getattr(self, "_loaded_path", None)
        self.path = self.compute_path()
        with transaction.atomic():
            super().save(*args, **kwargs)
            if old_path and old_path != self.path:
                # The area moved (new parent or P-code): carry its whole subtree along.
                AdminArea.objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
                    path=Concat(Value(self.path), Substr("path", len(old_path) + 1))
                )
        self._loaded_path = self.path

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_path = instance.__dict__.get("path")
        return instance

    def compute_path(self) -> str:
        prefix = self.parent.path if self.parent_id else ""
        return f"{prefix}{self.pcode}/"


class SiteKind(LabelledModel):
    """What a site is used for; a site may be several kinds at once."""

    BORDER_CROSSING_POINT = "bcp"
    INTERNAL_TRANSIT_POINT = "itp"
    SANITARY_CORDON = "cordon"
    FLOW_MONITORING_POINT = "fmp"
    IDP_SITE = "idp_site"
    MRRC = "mrrc"
    HEALTH_FACILITY = "health_facility"
    LABORATORY = "lab"
    OFFICE = "office"

    code = models.SlugField(_("code"), max_length=30, unique=True)

    class Meta:
        verbose_name = _("site kind")
        verbose_name_plural = _("site kinds")
        ordering = ["code"]


class SiteQuerySet(models.QuerySet):
    def of_kind(self, *codes: str) -> "SiteQuerySet":
        return self.filter(kinds__code__in=codes).distinct()

    def active_on(self, day) -> "SiteQuerySet":
        return self.filter(
            models.Q(active_from__isnull=True) | models.Q(active_from__lte=day),
            models.Q(active_to__isnull=True) | models.Q(active_to__gte=day),
        )


class Site(LabelledModel):
    """A place where work happens: a border post, a flow monitoring point, a centre..."""

    # Scope lookups used by hbmm.accounts.scope.restrict_to_scope.
    scope_site_lookup = "pk"
    scope_area_lookup = "area"
    scope_known_at = False  # reference data: not cut by a report's known-on time

    code = models.CharField(_("code"), max_length=40, unique=True)
    kinds = models.ManyToManyField(SiteKind, verbose_name=_("kinds"), related_name="sites")
    area = models.ForeignKey(
        AdminArea, verbose_name=_("admin area"), on_delete=models.PROTECT, related_name="sites"
    )
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    neighbour_country = models.ForeignKey(
        AdminArea,
        verbose_name=_("neighbouring country"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": 0},
        help_text=_("For border crossing points: the country across the border."),
    )
    active_from = models.DateField(_("active from"), null=True, blank=True)
    active_to = models.DateField(_("active to"), null=True, blank=True)

    objects = SiteQuerySet.as_manager()

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(latitude__isnull=True) & models.Q(longitude__isnull=True))
                | (models.Q(latitude__isnull=False) & models.Q(longitude__isnull=False)),
                name="site_coordinates_both_or_none",
            ),
        ]

    @property
    def coordinates(self) -> str:
        """ "latitude, longitude" in decimal degrees without trailing zeros, or ""."""
        if self.latitude is None or self.longitude is None:
            return ""
        lat, lon = (format(Decimal(v).normalize(), "f") for v in (self.latitude, self.longitude))
        return f"{lat}, {lon}"

    def clean(self):
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError(_("Give both latitude and longitude, or neither."))
        if self.active_from and self.active_to and self.active_to < self.active_from:
            raise ValidationError({"active_to": _("The end date is before the start date.")})
