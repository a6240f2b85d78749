from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from hbmm.web.nav import NavItem, register


class ProtectionConfig(AppConfig):
    name = "hbmm.protection"
    label = "protection"
    verbose_name = _("Protection")

    def ready(self):
        # Imported here: the mapper module imports models, allowed once the registry is ready.
        import hbmm.protection.tables  # noqa: F401, PLC0415  (registers the protection tables)
        from hbmm.protection.intake_mappers import register_all  # noqa: PLC0415

        register_all()
        register(
            NavItem(
                label=_("Protection"),
                url_name="protection:index",
                permission="protection.view_referral",
                order=50,
            )
        )
        register(
            NavItem(
                label=_("Temporary sites"),
                url_name="protection:sites",
                permission="protection.view_sitemonitoring",
                order=51,
            )
        )
