from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "hbmm.web"
    label = "web"
    verbose_name = _("Web shell")

    def ready(self):
        from hbmm import checks  # noqa: F401  (registers HBMM's system checks)
