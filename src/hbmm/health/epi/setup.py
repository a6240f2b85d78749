"""Wiring of the epidemiological series sub-module, called from HealthConfig.ready() (this
module is only imported there, once the app registry is ready)."""

from django.utils.translation import gettext_lazy as _

import hbmm.health.epi.admin  # noqa: F401  (registers the admin pages)
import hbmm.health.epi.tables  # noqa: F401  (registers the tables)
from hbmm.health.epi.intake_mappers import mappers
from hbmm.intake.mappers import register
from hbmm.web.nav import NavItem
from hbmm.web.nav import register as nav_register


def ready() -> None:
    for mapper in mappers():
        register(mapper)
    nav_register(
        NavItem(
            label=_("Epidemiology"),
            url_name="health:epi",
            permission="health.view_epivalue",
            order=40,
        )
    )
