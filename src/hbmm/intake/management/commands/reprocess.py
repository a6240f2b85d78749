"""hbmm reprocess --form FORM_ID: map a form's quarantined submissions again (after a fix)."""

from django.core.management.base import BaseCommand, CommandError

from hbmm.intake.mappers import registered_mappers
from hbmm.intake.models import Submission
from hbmm.intake.review import submissions_reprocess


class Command(BaseCommand):
    help = "Process again the quarantined (and never processed) submissions of a form."

    def add_arguments(self, parser):
        parser.add_argument("--form", dest="form_id", help="form id (default: every form)")
        parser.add_argument(
            "--status",
            action="append",
            choices=[Submission.Status.QUARANTINED, Submission.Status.RECEIVED],
            help="statuses to reprocess (default: quarantined and received)",
        )

    def handle(self, *args, form_id=None, status=None, **options):
        if form_id and form_id not in registered_mappers():
            raise CommandError(f"unknown form '{form_id}'")
        statuses = status or [Submission.Status.QUARANTINED, Submission.Status.RECEIVED]
        totals = submissions_reprocess(form_id=form_id, statuses=statuses)
        self.stdout.write(
            f"{form_id or 'all forms'}: {totals['accepted']} accepted, "
            f"{totals['quarantined']} still quarantined, {totals['superseded']} superseded, "
            f"{totals['refused']} refused edits"
        )
