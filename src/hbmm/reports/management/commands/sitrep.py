from datetime import UTC, date, datetime
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from hbmm.accounts.scope import user_scope
from hbmm.places.models import AdminArea
from hbmm.reports import sitrep
from hbmm.reports.archive.services import report_archive, report_publish
from hbmm.reports.registry import Context, latest_data_date


class Command(BaseCommand):
    help = (
        "Write the situation report for a date: hbmm sitrep --as-of 2020-05-15 --lang en "
        "--format pdf -o sitrep.pdf. National scope unless --user or --area narrows it. "
        "--as-known-on 2020-05-16T08:00 reproduces what HBMM knew then; --publish archives "
        "the report (its figures and PDFs) as published now."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="date of the report, YYYY-MM-DD (default: latest data)")
        parser.add_argument("--lang", default="fr", choices=["en", "fr"])
        parser.add_argument("--format", default="pdf", choices=list(sitrep.FORMATS))
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")
        parser.add_argument("--area", help="P-code of an admin area to narrow the report to")
        parser.add_argument("--user", help="compute as this user (their scope and permissions)")
        parser.add_argument(
            "--as-known-on",
            help="only the records HBMM knew at this moment, YYYY-MM-DDTHH:MM (UTC unless an "
            "offset is given): the report as it could be made then",
        )
        parser.add_argument(
            "--publish",
            action="store_true",
            help="archive the report as published now (figures, PDFs in French and English; "
            "see the archive page); prints the archive entry",
        )
        parser.add_argument(
            "--public",
            action="store_true",
            help="the public report: small counts suppressed as `hbmm publish` does",
        )
        parser.add_argument(
            "--min-cell",
            type=int,
            default=None,
            help="with --public: smallest count published (default HBMM_PUBLIC_MIN_CELL)",
        )

    def handle(self, *args, **options):
        if options["min_cell"] is not None and options["min_cell"] < 1:
            raise CommandError("--min-cell: at least 1")
        if options["min_cell"] is not None and not options["public"]:
            raise CommandError("--min-cell: only with --public")
        if options["user"]:
            try:
                reader = get_user_model().objects.get(username=options["user"])
            except get_user_model().DoesNotExist as exc:
                raise CommandError(f"--user: no user '{options['user']}'") from exc
        else:
            reader = sitrep.system_reader()
        area = None
        if options["area"]:
            try:
                area = AdminArea.objects.get(pcode=options["area"])
            except AdminArea.DoesNotExist as exc:
                raise CommandError(f"--area: unknown P-code '{options['area']}'") from exc
        if options["as_of"]:
            try:
                as_of = date.fromisoformat(options["as_of"])
            except ValueError as exc:
                raise CommandError(
                    f"--as-of: '{options['as_of']}' is not a date (YYYY-MM-DD)"
                ) from exc
        else:
            scope = user_scope(reader)
            as_of = latest_data_date(reader, scope.narrow(area) if area else scope) or date.today()
        known_on = None
        if options["as_known_on"]:
            try:
                known_on = datetime.fromisoformat(options["as_known_on"])
            except ValueError as exc:
                raise CommandError(
                    f"--as-known-on: '{options['as_known_on']}' is not a date and time "
                    "(YYYY-MM-DDTHH:MM)"
                ) from exc
            if known_on.tzinfo is None:
                known_on = known_on.replace(tzinfo=UTC)
        if options["publish"]:
            if known_on is not None or options["public"] or options["output"]:
                raise CommandError("--publish: alone (the archive keeps the PDFs)")
            report = report_publish(by=reader, as_of=as_of, area=area)
            report_archive(report=report, reader=reader)
            self.stdout.write(
                f"sitrep: published report {report.pk} as of {as_of.isoformat()}, "
                f"{report.figures.count()} figures, at {report.published_at.isoformat()}"
            )
            return
        ctx = Context.of(reader, as_of=as_of, area=area, known_on=known_on)
        body = sitrep.render(
            ctx,
            fmt=options["format"],
            lang=options["lang"],
            public=options["public"],
            threshold=options["min_cell"],
        )
        if options["output"]:
            Path(options["output"]).write_bytes(body)
            self.stderr.write(f"sitrep: wrote {options['output']} ({len(body):,} bytes)")
        elif options["format"] == "pdf":
            self.stdout.flush()
            self.stdout._out.buffer.write(body)  # binary: the underlying stream's buffer
        else:
            self.stdout.write(body.decode("utf-8"), ending="")
