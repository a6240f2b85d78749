from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "hbmm.web"
    label = "web"
    verbose_name = _("Web shell")

    def ready(self):
        # After app loading: the checks read settings and models.
        from hbmm import checks  # noqa: F401, PLC0415
