from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "hbmm.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self):
        # Importing the package imports every section module, which registers its section;
        # here, not at the top: the sections read models, which need the app registry.
        import hbmm.reports.sections  # noqa: F401
