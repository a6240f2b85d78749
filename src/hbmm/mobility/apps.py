from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MobilityConfig(AppConfig):
    name = "hbmm.mobility"
    label = "mobility"
    verbose_name = _("Mobility tracking")

    def ready(self):
        from hbmm.mobility.intake_mappers import register_all
        from hbmm.web.nav import NavItem, register

        register_all()
        register(
            NavItem(
                label=_("Mobility"),
                url_name="mobility:index",
                permission="mobility.view_flowcount",
                order=30,
            )
        )
