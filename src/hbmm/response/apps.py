from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from hbmm.web.nav import NavItem, register


class ResponseConfig(AppConfig):
    name = "hbmm.response"
    label = "response"
    verbose_name = _("Response plan")

    def ready(self):
        # Imported here, not at the top: these modules import models, which Django allows only
        # once the app registry is ready.
        import hbmm.response.tables  # noqa: F401, PLC0415  (registers the record tables)
        from hbmm.response.intake_mappers import register_all  # noqa: PLC0415  (same reason)

        register_all()
        register(
            NavItem(
                label=_("Response"),
                url_name="response:index",
                permission="response.view_indicator",
                order=60,
            )
        )
