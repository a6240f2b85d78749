from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HealthConfig(AppConfig):
    name = "hbmm.health"
    label = "health"
    verbose_name = _("Health")

    def ready(self):
        from hbmm.health.intake_mappers import register_all
        from hbmm.health.screening.tasks import alert_describe
        from hbmm.jobs.registry import JobKind, register_kind
        from hbmm.web.nav import NavItem, register

        register_all()
        register_kind(JobKind("alert_email", _("alert e-mails"), describe=alert_describe))
        register(
            NavItem(
                label=_("Epidemiology"),
                url_name="health:epi",
                permission="health.view_epivalue",
                order=40,
            )
        )
        register(
            NavItem(
                label=_("PoE capacity"),
                url_name="health:capacity",
                permission="health.view_capacityassessment",
                order=41,
            )
        )
        register(
            NavItem(
                label=_("PoE status"),
                url_name="health:status",
                permission="health.view_poestatus",
                order=42,
            )
        )

        from hbmm.health.ebs.setup import ready as ebs_ready
        from hbmm.health.screening.setup import ready as screening_ready

        screening_ready()
        ebs_ready()
