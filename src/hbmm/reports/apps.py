from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from hbmm.jobs.registry import JobKind, register_kind, register_periodic


class ReportsConfig(AppConfig):
    name = "hbmm.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self):
        # After app loading: the tasks module imports models.
        from hbmm.reports.archive.tasks import PUBLISH_KIND, published_describe  # noqa: PLC0415
        from hbmm.reports.tasks import (  # noqa: PLC0415
            REMINDER_KIND,
            reminders_describe,
            reminders_title,
            reporting_reminders_schedule,
            sitrep_describe,
        )

        register_kind(JobKind("sitrep_pdf", _("PDF situation report"), describe=sitrep_describe))
        register_kind(
            JobKind(PUBLISH_KIND, _("published situation report"), describe=published_describe)
        )
        register_kind(
            JobKind(
                REMINDER_KIND,
                _("reminders of late reports"),
                describe=reminders_describe,
                title=reminders_title,
            )
        )
        register_periodic(reporting_reminders_schedule)
        # Importing the package imports every section module, which registers its section;
        # here, not at the top: the sections read models, which need the app registry.
        import hbmm.reports.sections  # noqa: F401, PLC0415
