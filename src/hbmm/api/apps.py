from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "hbmm.api"
    label = "api"
    verbose_name = _("API")

    def ready(self):
        from hbmm.api import schema  # noqa: F401, PLC0415  (registers the token scheme with drf-spectacular)
