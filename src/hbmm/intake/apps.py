from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from hbmm.web.nav import NavItem, register


class IntakeConfig(AppConfig):
    name = "hbmm.intake"
    label = "intake"
    verbose_name = _("Field data intake")

    def ready(self):
        register(
            NavItem(
                label=_("Field data"),
                url_name="intake:submissions",
                permission="intake.view_submission",
                order=80,
            )
        )
