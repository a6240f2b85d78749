from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from hbmm.jobs.registry import JobKind, register_kind


class HealthConfig(AppConfig):
    name = "hbmm.health"
    label = "health"
    verbose_name = _("Health")

    def ready(self):
        # Imported here, not at the top: these modules import models, which Django allows only
        # once the app registry is ready.
        from hbmm.health.ebs.setup import ready as ebs_ready  # noqa: PLC0415
        from hbmm.health.epi.setup import ready as epi_ready  # noqa: PLC0415
        from hbmm.health.labs.setup import ready as labs_ready  # noqa: PLC0415
        from hbmm.health.poe.setup import ready as poe_ready  # noqa: PLC0415
        from hbmm.health.screening.setup import ready as screening_ready  # noqa: PLC0415
        from hbmm.health.screening.tasks import alert_describe  # noqa: PLC0415

        register_kind(JobKind("alert_email", _("alert e-mails"), describe=alert_describe))
        epi_ready()
        poe_ready()
        screening_ready()
        ebs_ready()
        labs_ready()
