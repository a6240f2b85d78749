"""Wiring of the laboratories sub-module, called from HealthConfig.ready() (this module is
only imported there, once the app registry is ready)."""

from django.utils.translation import gettext_lazy as _

import hbmm.health.labs.admin  # noqa: F401  (registers the admin pages)
from hbmm.health.labs.intake_mappers import mappers
from hbmm.intake.mappers import register
from hbmm.web.nav import NavItem
from hbmm.web.nav import register as nav_register


def ready() -> None:
    for mapper in mappers():
        register(mapper)
    nav_register(
        NavItem(
            label=_("Laboratories"),
            url_name="health:labs_dashboard",
            permission="health.view_lab_figures",
            order=48,
        )
    )
