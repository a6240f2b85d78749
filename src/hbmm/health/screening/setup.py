"""Wiring of the screening sub-module, called from HealthConfig.ready() (this module is only
imported there, once the app registry is ready)."""

from django.utils.translation import gettext_lazy as _

import hbmm.health.screening.admin  # noqa: F401  (registers the admin pages)
import hbmm.health.screening.summaries  # noqa: F401  (keeps the day summary on labs' writes)
import hbmm.health.screening.tables  # noqa: F401  (registers the table)
from hbmm.health.screening.intake_mappers import FollowUpVisitMapper, ScreeningMapper
from hbmm.health.screening.intake_steps import SuspectCaseStepMapper
from hbmm.intake.mappers import register
from hbmm.web.nav import NavItem
from hbmm.web.nav import register as nav_register


def ready() -> None:
    register(ScreeningMapper())
    register(FollowUpVisitMapper())
    register(SuspectCaseStepMapper())
    nav_register(
        NavItem(
            label=_("Screening"),
            url_name="health:screening_dashboard",
            permission="health.view_screening_figures",
            order=43,
        )
    )
