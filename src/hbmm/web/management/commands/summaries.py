"""`hbmm summaries`: compare the summary tables with their records (`--check`, the default:
exit status 1 and the differing rows when they disagree) or rewrite them from the records
(`--rebuild`). The summaries: the flow counts' month summary (mobility) and the screenings'
day summary (health). The write services keep them up to date; drift is a defect."""

from django.core.management.base import BaseCommand, CommandError

from hbmm.health.screening.summaries import screening_days_drift, screening_days_rebuild
from hbmm.mobility.summaries import flow_summaries_drift, flow_summaries_rebuild

SUMMARIES = {
    "flow month summary": (flow_summaries_rebuild, flow_summaries_drift),
    "screening day summary": (screening_days_rebuild, screening_days_drift),
}


class Command(BaseCommand):
    help = (
        "Check the summary tables against their records (default), or rebuild them from the "
        "records (--rebuild). The write services keep them up to date; drift is a defect."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="rewrite them from the records")
        parser.add_argument("--check", action="store_true", help="report drift (the default)")

    def handle(self, *args, rebuild: bool = False, check: bool = False, **options):
        drifted = 0
        for name, (rebuild_all, drift_of) in SUMMARIES.items():
            if rebuild:
                self.stdout.write(f"{name}: rebuilt, {rebuild_all()} rows")
            drift = drift_of()
            for key, day, stored, computed in drift[:50]:
                self.stderr.write(
                    f"{name}: site {key}, {day}: stored {stored}, records give {computed}"
                )
            if drift:
                self.stderr.write(f"{name}: {len(drift)} rows differ from the records")
                drifted += len(drift)
            else:
                self.stdout.write(f"{name}: agrees with the records")
        if drifted:
            raise CommandError(
                f"{drifted} rows differ from the records (hbmm summaries --rebuild rewrites them)"
            )
