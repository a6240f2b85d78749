"""Wiring of community feedback, called from FeedbackConfig.ready() (this module is only
imported there, once the app registry is ready): its table, its intake mapper, its page in the
navigation."""

from django.utils.translation import gettext_lazy as _

import hbmm.feedback.tables  # noqa: F401  (registers the feedback table)
from hbmm.feedback.intake_mappers import register_all
from hbmm.web.nav import NavItem
from hbmm.web.nav import register as nav_register


def ready() -> None:
    register_all()
    nav_register(
        NavItem(
            label=_("Community feedback"),
            url_name="feedback:index",
            permission="feedback.view_feedback",
            order=46,
        )
    )
    nav_register(
        NavItem(
            label=_("Log feedback"),
            url_name="feedback:new",
            permission="feedback.add_feedback",
            order=47,
        )
    )
