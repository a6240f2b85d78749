"""Wiring of the community event-based surveillance sub-module, called from
HealthConfig.ready() (this module is only imported there, once the app registry is ready)."""

from django.utils.translation import gettext_lazy as _

import hbmm.health.ebs.admin  # noqa: F401  (registers the admin pages)
import hbmm.health.ebs.tables  # noqa: F401  (registers the signals table)
from hbmm.health.ebs.intake_mappers import SignalMapper, SignalVerificationMapper
from hbmm.intake.mappers import register
from hbmm.web.nav import NavItem
from hbmm.web.nav import register as nav_register


def ready() -> None:
    register(SignalMapper())
    register(SignalVerificationMapper())
    nav_register(
        NavItem(
            label=_("Signals"),
            url_name="health:signals_board",
            permission="health.view_signal",
            order=44,
        )
    )
