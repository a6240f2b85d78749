from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from hbmm.web.nav import NavItem, register


class JobsConfig(AppConfig):
    name = "hbmm.jobs"
    label = "jobs"
    verbose_name = _("Background jobs")

    def ready(self):
        register(
            NavItem(label=_("Jobs"), url_name="jobs:list", permission="jobs.view_job", order=85)
        )
