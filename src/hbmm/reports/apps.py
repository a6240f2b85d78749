from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from hbmm.jobs.registry import JobKind, register_kind


class ReportsConfig(AppConfig):
    name = "hbmm.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self):
        # After app loading: the tasks module imports models.
        from hbmm.reports.tasks import sitrep_describe  # noqa: PLC0415

        register_kind(JobKind("sitrep_pdf", _("PDF situation report"), describe=sitrep_describe))
        # Importing the package imports every section module, which registers its section;
        # here, not at the top: the sections read models, which need the app registry.
        import hbmm.reports.sections  # noqa: F401, PLC0415
