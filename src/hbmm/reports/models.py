"""The reports app reads every domain through its selectors and stores no domain data.

`Report` is an unmanaged model without a table; it only carries the app's permissions, so that
roles can be granted "see the situation overview" and "export the records behind a figure".
`PublishedReport` and `PublishedFigure` are the archive of what was published (written by
`hbmm.reports.archive.services` only): a report sent to the government stays as it was sent.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Report(models.Model):
    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            (
                "view_situation",
                _("Can see the situation overview and download the situation report"),
            ),
            ("export_figures", _("Can export the records behind a figure (CSV, XLSX)")),
        ]
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)


class PublishedReport(models.Model):
    """A situation report as it was sent: its date, area and languages, who published it and
    when, every figure it printed (`PublishedFigure`) and its PDF in each language. The one
    table of the reports app: it records what reports published, never domain data. Figures
    are computed as known at `published_at` (the scope's time cut), so a record arriving while
    the worker renders does not slip in; `hbmm sitrep --as-of --as-known-on published_at`
    gives them again."""

    class Status(models.TextChoices):
        PENDING = "pending", _("being prepared")
        DONE = "done", _("published")
        FAILED = "failed", _("failed")

    as_of = models.DateField(_("as of"))
    area = models.ForeignKey(
        "places.AdminArea",
        verbose_name=_("area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    languages = models.JSONField(_("languages"), default=list)
    published_at = models.DateTimeField(_("published at"), default=timezone.now, db_index=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    published_by_name = models.CharField(_("published by"), max_length=150, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    error = models.TextField(_("error"), blank=True)
    pdf_fr = models.FileField(_("PDF (French)"), upload_to="published/%Y/", blank=True)
    pdf_en = models.FileField(_("PDF (English)"), upload_to="published/%Y/", blank=True)

    class Meta:
        verbose_name = _("published report")
        verbose_name_plural = _("published reports")
        ordering = ["-published_at", "-pk"]
        permissions = [
            ("publish_report", _("Can publish the situation report (archived as sent)")),
        ]

    def __str__(self) -> str:
        return f"{self.as_of} {self.area_id or ''} {self.published_at:%Y-%m-%d %H:%M}"

    def pdf(self, lang: str):
        return getattr(self, f"pdf_{lang}", None)


class PublishedFigure(models.Model):
    """One figure of a published report, as printed: its value, denominator, unit and
    definition in each language, the date of its data, and where its records are (the table
    and filters of its drill-down)."""

    report = models.ForeignKey(PublishedReport, on_delete=models.CASCADE, related_name="figures")
    position = models.PositiveIntegerField(_("position"))
    section = models.CharField(_("section"), max_length=60)
    key = models.CharField(_("key"), max_length=100)
    labels = models.JSONField(_("label"), default=dict)  # language -> text
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=4, null=True)
    denominator = models.BigIntegerField(_("denominator"), null=True, blank=True)
    units = models.JSONField(_("unit"), default=dict)  # language -> text
    definitions = models.JSONField(_("definition"), default=dict)  # language -> text
    displays = models.JSONField(_("as printed"), default=dict)  # language -> text
    data_as_of = models.DateField(_("data as of"), null=True, blank=True)
    drilldown_table = models.CharField(_("records (table)"), max_length=100, blank=True)
    drilldown_params = models.JSONField(_("records (filters)"), default=dict, blank=True)

    class Meta:
        verbose_name = _("published figure")
        verbose_name_plural = _("published figures")
        ordering = ["report", "position"]
        constraints = [
            models.UniqueConstraint(fields=["report", "section", "key"], name="published_fig_once")
        ]

    def __str__(self) -> str:
        return f"{self.section}.{self.key} = {self.value}"

    def label(self, lang: str) -> str:
        return self.labels.get(lang) or next(iter(self.labels.values()), self.key)
