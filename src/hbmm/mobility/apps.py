from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from hbmm.web.nav import NavItem, register


class MobilityConfig(AppConfig):
    name = "hbmm.mobility"
    label = "mobility"
    verbose_name = _("Mobility tracking")

    def ready(self):
        # After app loading: the mappers import models.
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
