from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "hbmm.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self):
        from hbmm.jobs.registry import JobKind, register_kind
        from hbmm.reports.tasks import sitrep_describe

        register_kind(JobKind("sitrep_pdf", _("PDF situation report"), describe=sitrep_describe))
