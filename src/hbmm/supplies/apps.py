from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from hbmm.web.nav import NavItem, register


class SuppliesConfig(AppConfig):
    name = "hbmm.supplies"
    label = "supplies"
    verbose_name = _("Supplies")

    def ready(self):
        # Imported here, not at the top: these modules import models, which Django allows only
        # once the app registry is ready.
        import hbmm.supplies.tables  # noqa: F401, PLC0415  (registers the record tables)
        from hbmm.supplies.setup import register_all  # noqa: PLC0415

        register_all()
        register(
            NavItem(
                label=_("Supplies"),
                url_name="supplies:index",
                permission="supplies.view_movement",
                order=45,
            )
        )
