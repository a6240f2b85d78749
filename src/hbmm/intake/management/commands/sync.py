"""hbmm sync: pull every enabled ODK Central / KoboToolbox source now (scheduled pulls need
no cron: a worker starts them, see PullSource.pull_interval)."""

from django.core.management.base import BaseCommand, CommandError

from hbmm.intake.models import PullSource
from hbmm.intake.tasks import pull_run_here
from hbmm.jobs.models import Job

PULL_COUNTS = (
    "fetched",
    "pages",
    "new",
    "known",
    "accepted",
    "quarantined",
    "superseded",
    "refused",
    "attachments",
)


class Command(BaseCommand):
    help = (
        "Pull new submissions from every enabled ODK Central and KoboToolbox source, in this "
        "process. One line per source; exit status 1 when any source failed. A source whose "
        "pull is already running (a worker's scheduled pull) is skipped. --full sweeps "
        "everything again (finds KoboToolbox edits; nothing already stored is stored twice)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="ignore the watermarks")
        parser.add_argument("names", nargs="*", help="only these sources (by name)")

    def handle(self, *args, full=False, names=None, **options):
        sources = PullSource.objects.filter(enabled=True).order_by("name")
        if names:
            sources = sources.filter(name__in=names)
        failures = ran = 0
        for source in sources:
            ran += 1
            job, started = pull_run_here(source=source, full=full)
            name = f"{source.name} [{source.form_id}]"
            if not started:
                self.stdout.write(f"{name}: skipped: already being pulled (job #{job.pk})")
                continue
            if job.status != Job.Status.SUCCEEDED:
                failures += 1
                self.stderr.write(f"{name}: FAILED: {job.error}")
                continue
            counts = {k: job.outcome.get(k, 0) for k in PULL_COUNTS}
            self.stdout.write(
                f"{name}: {counts['fetched']} fetched in {counts['pages']} "
                f"pages, {counts['new']} new, {counts['known']} already stored, "
                f"{counts['accepted']} accepted, {counts['quarantined']} quarantined, "
                f"{counts['superseded']} superseded, {counts['refused']} refused edits, "
                f"{counts['attachments']} attachments"
            )
        if not ran:
            self.stdout.write("no enabled pull source")
        if failures:
            raise CommandError(f"{failures} of {ran} sources failed")
