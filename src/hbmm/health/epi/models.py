"""Epidemiological series: cumulative COVID-19 counts per area, day, metric and source, kept
exactly as reported (issue 5). App label `health`: these tables are the health app's."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EpiMetric(models.TextChoices):
    CONFIRMED = "confirmed", _("confirmed cases (cumulative)")
    RECOVERED = "recovered", _("recovered (cumulative)")
    DEATHS = "deaths", _("deaths (cumulative)")
    TESTS = "tests", _("tests performed (cumulative)")


class EpiSource(models.TextChoices):
    COUNTRIES_AGGREGATED = (
        "countries_aggregated",
        _("datasets/covid-19 countries-aggregated (from Johns Hopkins CSSE)"),
    )
    JHU_CSSE = "jhu_csse", _("Johns Hopkins CSSE time series")
    MINISTRY = "ministry", _("Ministry of Health daily bulletin")


class EpiValue(models.Model):
    """One reported cumulative count — a metric, for a country or a region, on a day, from a
    source — kept exactly as reported. A value lower than the day before is not changed: the
    selectors flag it as a correction."""

    scope_area_lookup = "area"
    scope_known_at = "recorded_at"

    area = models.ForeignKey(
        "places.AdminArea",
        verbose_name=_("area"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("A country (national figures) or a region."),
    )
    day = models.DateField(_("date"))
    metric = models.CharField(_("metric"), max_length=12, choices=EpiMetric.choices)
    value = models.PositiveIntegerField(_("value"))
    source = models.CharField(_("source"), max_length=30, choices=EpiSource.choices)
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
        verbose_name = _("epidemiological value")
        verbose_name_plural = _("epidemiological values")
        ordering = ["area__path", "source", "day", "metric"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "day", "metric", "source"], name="epivalue_one_per_key"
            )
        ]
        indexes = [models.Index(fields=["source", "area", "day"])]

    def __str__(self) -> str:
        return f"{self.area_id} {self.day} {self.metric}={self.value} ({self.source})"
