from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from hbmm.web.nav import NavItem, register


class ProtectionConfig(AppConfig):
    name = "hbmm.protection"
    label = "protection"
    verbose_name = _("Protection")

    def ready(self):
        register(
            NavItem(
                label=_("Protection"),
                url_name="protection:index",
                permission="protection.view_referral",
                order=50,
            )
        )
