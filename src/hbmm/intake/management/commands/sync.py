"""hbmm sync: pull every enabled ODK Central / KoboToolbox source (cron-friendly)."""

from django.core.management.base import BaseCommand, CommandError

from hbmm.intake.pulls import pull_sources_run


class Command(BaseCommand):
    help = (
        "Pull new submissions from every enabled ODK Central and KoboToolbox source. One line "
        "per source; exit status 1 when any source failed. --full sweeps everything again "
        "(finds KoboToolbox edits; nothing already stored is stored twice)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="ignore the watermarks")
        parser.add_argument("names", nargs="*", help="only these sources (by name)")

    def handle(self, *args, full=False, names=None, **options):
        failures = 0
        ran = 0
        for source, counts, error in pull_sources_run(full=full, names=names or None):
            ran += 1
            if counts is None:
                failures += 1
                self.stderr.write(f"{source.name} [{source.form_id}]: FAILED: {error}")
                continue
            self.stdout.write(
                f"{source.name} [{source.form_id}]: {counts.fetched} fetched in {counts.pages} "
                f"pages, {counts.new} new, {counts.known} already stored, {counts.accepted} "
                f"accepted, {counts.quarantined} quarantined, {counts.superseded} superseded, "
                f"{counts.refused} refused edits, {counts.attachments} attachments"
            )
        if not ran:
            self.stdout.write("no enabled pull source")
        if failures:
            raise CommandError(f"{failures} of {ran} sources failed")
