from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "hbmm.api"
    label = "api"
    verbose_name = _("API")

    def ready(self):
        from hbmm.api import (
            schema,  # noqa: F401, PLC0415  (registers the token scheme with drf-spectacular)
            tasks,  # noqa: PLC0415  (models: after setup)
        )
        from hbmm.jobs.registry import JobKind, register_kind, register_periodic  # noqa: PLC0415

        register_kind(
            JobKind(
                "token_reminder", _("API token reminders"), describe=tasks.token_reminders_describe
            )
        )
        register_periodic(tasks.token_reminders_schedule)
