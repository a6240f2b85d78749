"""`hbmm summaries`: compare the flow counts' month summary with the records (`--check`, exit
status 1 and the differing rows when they disagree) or rewrite it from them (`--rebuild`)."""

from django.core.management.base import BaseCommand, CommandError

from hbmm.mobility.summaries import flow_summaries_drift, flow_summaries_rebuild


class Command(BaseCommand):
    help = (
        "Check the summary tables against their records (default), or rebuild them from the "
        "records (--rebuild). The write services keep them up to date; drift is a defect."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="rewrite them from the records")
        parser.add_argument("--check", action="store_true", help="report drift (the default)")

    def handle(self, *args, rebuild: bool = False, check: bool = False, **options):
        if rebuild:
            rows = flow_summaries_rebuild()
            self.stdout.write(f"flow month summary: rebuilt, {rows} rows")
        drift = flow_summaries_drift()
        for site_id, month, stored, computed in drift[:50]:
            self.stderr.write(
                f"flow month summary: site {site_id}, {month:%Y-%m}: stored {stored},"
                f" records give {computed}"
            )
        if drift:
            raise CommandError(
                f"flow month summary: {len(drift)} rows differ from the records"
                " (hbmm summaries --rebuild rewrites them)"
            )
        self.stdout.write("flow month summary: agrees with the records")
