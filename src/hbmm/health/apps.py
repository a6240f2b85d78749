from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HealthConfig(AppConfig):
    name = "hbmm.health"
    label = "health"
    verbose_name = _("Health")

    def ready(self):
        # Imported here, not at the top: these modules import models, which Django allows only
        # once the app registry is ready.
        from hbmm.health.ebs.setup import ready as ebs_ready
        from hbmm.health.epi.setup import ready as epi_ready
        from hbmm.health.intake_mappers import register_all
        from hbmm.health.poe.setup import ready as poe_ready
        from hbmm.health.screening.setup import ready as screening_ready

        register_all()
        epi_ready()
        poe_ready()
        screening_ready()
        ebs_ready()
