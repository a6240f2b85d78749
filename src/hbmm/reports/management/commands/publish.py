"""hbmm publish --as-of DATE [--area PCODE] -o DIR: the HDX-ready public release."""

from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from hbmm.accounts.models import AuditEvent
from hbmm.accounts.services import audit_log
from hbmm.places.models import AdminArea
from hbmm.reports.publish import release_write


class Command(BaseCommand):
    help = (
        "Write the public release as of a date: aggregated CSVs with HXL, small counts "
        "suppressed, the public situation report (PDF, French and English) and datapackage.json "
        "(HDX metadata)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", required=True, help="date of the release, YYYY-MM-DD")
        parser.add_argument("--area", help="P-code of an admin area: only its figures")
        parser.add_argument("-o", "--output", required=True, help="directory to write")
        parser.add_argument(
            "--min-cell",
            type=int,
            default=None,
            help=f"smallest count published (default HBMM_PUBLIC_MIN_CELL, "
            f"{settings.HBMM_PUBLIC_MIN_CELL})",
        )
        parser.add_argument(
            "--include-demo", action="store_true", help="keep demonstration data (trials)"
        )

    def handle(self, *args, **options):
        try:
            as_of = date.fromisoformat(options["as_of"])
        except ValueError as exc:
            raise CommandError(f"--as-of: '{options['as_of']}' is not a date (YYYY-MM-DD)") from exc
        area = None
        if options["area"]:
            area = AdminArea.objects.filter(pcode=options["area"].strip().upper()).first()
            if area is None:
                raise CommandError(f"--area: unknown P-code '{options['area']}'")
        threshold = options["min_cell"]
        if threshold is not None and threshold < 1:
            raise CommandError("--min-cell: at least 1")
        directory = Path(options["output"])
        package = release_write(
            directory,
            as_of=as_of,
            area=area,
            threshold=threshold,
            include_demo=options["include_demo"],
        )
        audit_log(
            action=AuditEvent.Action.EXPORT,
            target="reports.publish",
            details={
                "as_of": as_of.isoformat(),
                "area": area.pcode if area else None,
                "files": [r["path"] for r in package["resources"]],
                "suppressed": sum(r.get("suppressed", 0) for r in package["resources"]),
            },
        )
        for resource in package["resources"]:
            if resource["format"] == "csv":
                self.stdout.write(
                    f"{directory / resource['path']}: {resource['rows']} rows, "
                    f"{resource['suppressed']} counts suppressed"
                )
            else:
                self.stdout.write(f"{directory / resource['path']}: {resource['title']}")
        self.stdout.write(f"{directory / 'datapackage.json'}")
