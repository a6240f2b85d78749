from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "hbmm.api"
    label = "api"
    verbose_name = _("API")

    def ready(self):
        # Imported here (models: after setup): the token scheme of drf-spectacular, the jobs.
        from hbmm.api import schema, tasks  # noqa: F401, PLC0415
        from hbmm.jobs.registry import JobKind, register_kind, register_periodic  # noqa: PLC0415

        register_kind(
            JobKind(
                "token_reminder",
                _("API token reminders"),
                describe=tasks.token_reminders_describe,
                title=tasks.token_reminders_title,
            )
        )
        register_periodic(tasks.token_reminders_schedule)
