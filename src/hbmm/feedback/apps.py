from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "hbmm.feedback"
    label = "feedback"
    verbose_name = _("Community feedback")

    def ready(self):
        # Imported here, not at the top: these modules import models, which Django allows only
        # once the app registry is ready.
        from hbmm.feedback.setup import ready  # noqa: PLC0415

        ready()
