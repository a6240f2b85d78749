from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from hbmm.jobs.registry import JobKind, register_kind, register_periodic
from hbmm.web.nav import NavItem, register


class IntakeConfig(AppConfig):
    name = "hbmm.intake"
    label = "intake"
    verbose_name = _("Field data intake")

    def ready(self):
        # After app loading: the tasks module imports models.
        from hbmm.intake import tasks  # noqa: PLC0415

        register_kind(
            JobKind(
                "import", _("file import"), describe=tasks.import_describe, link=tasks.import_link
            )
        )
        register_kind(JobKind("pull", _("pull"), describe=tasks.pull_describe))
        register_periodic(tasks.pulls_schedule)
        register_kind(
            JobKind(
                "submissions_map",
                _("mapping of received submissions"),
                describe=tasks.submissions_map_describe,
                title=tasks.submissions_map_title,
                keep_succeeded_hours=24,
            )
        )
        register_periodic(tasks.submissions_map_schedule)

        register(
            NavItem(
                label=_("Field data"),
                url_name="intake:submissions",
                permission="intake.view_submission",
                order=80,
            )
        )
