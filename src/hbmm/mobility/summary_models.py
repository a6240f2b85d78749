"""The flow counts' summary table: per flow monitoring point and month, the individuals counted
(by direction), the records and the days with at least one count.

It exists for the figures over long periods ("individuals observed since June 2016"): at a
regional deployment (1,000 points counting daily for 5 years, 1.8 million flow counts) they
would otherwise read every record of the years behind the as-of date, so their cost would grow
with the history. A month row replaces about 30 records of a point counting daily (a per-day
row would replace none: a point counts once a day). The figures read whole months here and the
partial months at either end of a period from the records.

It is derived data, written only by `hbmm.mobility.summaries` inside the transaction that
changes the flow counts (`hbmm.mobility.services.flow_counts_save`, the one write of flow
counts); `hbmm summaries --check` compares it with the records, `--rebuild` recomputes it.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FlowMonthSummary(models.Model):
    scope_site_lookup = "site"
    scope_area_lookup = "site__area"

    site = models.ForeignKey(
        "places.Site",
        verbose_name=_("flow monitoring point"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    month = models.DateField(_("month"))  # its first day
    individuals = models.PositiveIntegerField(_("individuals"))
    incoming = models.PositiveIntegerField(_("incoming"))
    outgoing = models.PositiveIntegerField(_("outgoing"))
    internal = models.PositiveIntegerField(_("internal / transit"))
    records = models.PositiveIntegerField(_("flow counts"))
    # Bit d-1 set: at least one count on day d of the month (days observed across points are
    # the union of these, which sums of counts cannot give).
    days_mask = models.BigIntegerField(_("days with a count"))

    class Meta:
        verbose_name = _("flow summary of a month")
        verbose_name_plural = _("flow summaries of a month")
        default_permissions = ()  # derived data: read with the flow counts' permission
        constraints = [
            models.UniqueConstraint(fields=["site", "month"], name="flowmonthsummary_site_month")
        ]
        indexes = [models.Index(fields=["month", "site"], name="flowmonthsummary_month")]

    def __str__(self) -> str:
        return f"{self.site_id} {self.month:%Y-%m}: {self.individuals}"
