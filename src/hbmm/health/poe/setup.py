"""Wiring of the points-of-entry sub-module, called from HealthConfig.ready() (this
module is only imported there, once the app registry is ready)."""

from django.utils.translation import gettext_lazy as _

import hbmm.health.poe.admin  # noqa: F401  (registers the admin pages)
import hbmm.health.poe.tables  # noqa: F401  (registers the tables)
from hbmm.health.poe.intake_mappers import mappers
from hbmm.intake.mappers import register
from hbmm.web.nav import NavItem
from hbmm.web.nav import register as nav_register


def ready() -> None:
    for mapper in mappers():
        register(mapper)
    nav_register(
        NavItem(
            label=_("PoE capacity"),
            url_name="health:capacity",
            permission="health.view_capacityassessment",
            order=41,
        )
    )
    nav_register(
        NavItem(
            label=_("PoE status"),
            url_name="health:status",
            permission="health.view_poestatus",
            order=42,
        )
    )
