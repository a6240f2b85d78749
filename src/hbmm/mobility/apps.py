from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from hbmm.web.nav import NavItem, register


class MobilityConfig(AppConfig):
    name = "hbmm.mobility"
    label = "mobility"
    verbose_name = _("Mobility tracking")

    def ready(self):
        # Imported here, not at the top: these modules import models, which Django allows only
        # once the app registry is ready.
        import hbmm.mobility.tables  # noqa: F401, PLC0415  (registers the record tables)
        from hbmm.mobility.intake_mappers import register_all  # noqa: PLC0415

        register_all()
        register(
            NavItem(
                label=_("Mobility"),
                url_name="mobility:index",
                permission="mobility.view_flowcount",
                order=30,
            )
        )
