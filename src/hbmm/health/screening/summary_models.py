"""The screenings' summary table: per point of entry and day (UTC, as the figures count days),
the travellers screened and how many reached each count of the figures (with symptoms,
suspect, isolated, notified, referred, sampled, positive).

It exists for the figures over weeks (the overview's 12-week chart, the 7-day summary): at a
regional deployment (5,000,000 screenings) the chart read and sorted 230,000 wide records
(1.7 s); it reads 84,000 narrow rows here. Derived data, written only by
`hbmm.health.screening.summaries` in the transaction of each write of a screening;
`hbmm summaries --check` compares it with the records, `--rebuild` recomputes it.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

COUNTED = (
    "screened",
    "with_symptoms",
    "suspect",
    "isolated",
    "notified",
    "referred",
    "sampled",
    "positive",
)


class ScreeningDay(models.Model):
    scope_site_lookup = "point"
    scope_area_lookup = "point__area"

    point = models.ForeignKey(
        "places.Site", verbose_name=_("point of entry"), on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(_("day"))
    screened = models.PositiveIntegerField(_("screened"))
    with_symptoms = models.PositiveIntegerField(_("with symptoms"))
    suspect = models.PositiveIntegerField(_("suspect cases"))
    isolated = models.PositiveIntegerField(_("isolated"))
    notified = models.PositiveIntegerField(_("notified"))
    referred = models.PositiveIntegerField(_("referred"))
    sampled = models.PositiveIntegerField(_("sampled"))
    positive = models.PositiveIntegerField(_("positive"))

    class Meta:
        verbose_name = _("screening summary of a day")
        verbose_name_plural = _("screening summaries of a day")
        default_permissions = ()  # derived data: read with the screening figures' permission
        constraints = [
            models.UniqueConstraint(fields=["point", "day"], name="screeningday_point_day")
        ]
        indexes = [models.Index(fields=["day", "point"], name="screeningday_day")]

    def __str__(self) -> str:
        return f"{self.point_id} {self.day}: {self.screened}"
