"""hbmm jobs: the background jobs, newest first (status, kind, started, progress, outcome)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from hbmm.jobs import presenters
from hbmm.jobs.models import Job


class Command(BaseCommand):
    help = (
        "List background jobs, newest first: id, status, kind, when it started, progress and "
        "outcome (imports, pulls, alert e-mails, PDF reports)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--status", choices=Job.Status.values, help="only jobs in this status")
        parser.add_argument("--kind", help="only jobs of this kind (import, pull, ...)")
        parser.add_argument("--user", help="only jobs requested by this user name")
        parser.add_argument("--limit", type=int, default=30, help="at most this many (30)")

    def handle(self, *args, status=None, kind=None, user=None, limit=30, **options):
        if limit < 1:
            raise CommandError("--limit must be at least 1")
        jobs = Job.objects.select_related("requested_by").order_by("-created_at", "-pk")
        if status:
            jobs = jobs.filter(status=status)
        if kind:
            jobs = jobs.filter(kind=kind)
        if user:
            jobs = jobs.filter(requested_by__username=user)
        rows = [
            (
                f"#{job.pk}",
                presenters.status_label(job),
                job.kind,
                job.started_at.strftime("%Y-%m-%d %H:%M:%S") if job.started_at else "-",
                presenters.progress_text(job) or "-",
                _outcome(job),
            )
            for job in jobs[:limit]
        ]
        if not rows:
            self.stdout.write(_("No job."))
            return
        header = (_("job"), _("status"), _("kind"), _("started"), _("progress"), _("outcome"))
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(5)]
        for row in [header, *rows]:
            cells = [cell.ljust(width) for cell, width in zip(row[:5], widths, strict=True)]
            self.stdout.write("  ".join([*cells, row[5]]).rstrip())


def _outcome(job: Job) -> str:
    outcome = presenters.outcome_text(job)
    if not outcome:
        return presenters.title(job)
    return _("%(label)s: %(outcome)s") % {"label": presenters.title(job), "outcome": outcome}
