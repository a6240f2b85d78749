from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HealthConfig(AppConfig):
    name = "hbmm.health"
    label = "health"
    verbose_name = _("Health")

    def ready(self):
        from hbmm.health.ebs.setup import ready as ebs_ready
        from hbmm.health.screening.setup import ready as screening_ready

        screening_ready()
        ebs_ready()
