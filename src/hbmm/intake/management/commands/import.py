"""hbmm import <kind> <file>: import a CSV or XLSX file through a form's mapper.
hbmm import --resume: run again the imports a restart interrupted."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from hbmm.intake.bulk import BATCH_SIZE
from hbmm.intake.channels.files import import_file_run, import_file_store
from hbmm.intake.mappers import registered_mappers
from hbmm.intake.models import ImportFile
from hbmm.intake.selectors import import_file_rows, import_files_interrupted
from hbmm.intake.tasks import import_target
from hbmm.jobs.selectors import job_active_for


class Command(BaseCommand):
    help = (
        "Import a CSV or XLSX file of KIND (a form id: flow_count, ...). Each row is kept as "
        "received and mapped like any submission; rows that fail validation are quarantined "
        "and listed with their reasons. Importing the same file again adds nothing. "
        "--resume runs again, in this process, every import that stopped half-way (process "
        "killed) and that no background job holds (a web import whose worker died is run "
        "again by the workers): rows already stored are skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", nargs="?", help="the form id whose mapper reads the rows")
        parser.add_argument("file", nargs="?", help="path of the .csv or .xlsx file")
        parser.add_argument(
            "--resume", action="store_true", help="run again the imports that were interrupted"
        )
        parser.add_argument(
            "--user", help="user name recorded as uploader (and whose scope applies)"
        )
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")
        parser.add_argument(
            "--max-report", type=int, default=200, help="quarantined rows listed at most"
        )
        parser.add_argument(
            "--option",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="an import option of KIND (its mapper's import_options; repeatable), e.g. "
            "--option countries=MLI,SEN --option neighbours=yes",
        )

    def handle(
        self,
        *args,
        kind=None,
        file=None,
        resume=False,
        user=None,
        batch_size=BATCH_SIZE,
        no_progress=False,
        max_report=200,
        option=(),
        **options,
    ):
        if resume:
            if kind or file:
                raise CommandError("--resume takes no KIND or FILE")
            records = list(import_files_interrupted())
            if not records:
                self.stdout.write("no interrupted import")
            for record in records:
                job = job_active_for(target=import_target(record.pk))
                if job is not None:  # a worker will read it (or is reading it)
                    self.stdout.write(f"{record.original_name}: skipped: job #{job.pk} holds it")
                    continue
                self._run(record, batch_size=batch_size, quiet=no_progress, max_report=max_report)
            return
        if not (kind and file):
            raise CommandError("give KIND and FILE (or --resume)")
        if kind not in registered_mappers():
            known = ", ".join(sorted(registered_mappers())) or "none"
            raise CommandError(f"unknown kind '{kind}' (known: {known})")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        uploader = None
        if user:
            uploader = get_user_model().objects.filter(username=user).first()
            if uploader is None:
                raise CommandError(f"no such user: {user}")
        try:
            with path.open("rb") as source:
                record = import_file_store(
                    kind=kind,
                    source=source,
                    original_name=path.name,
                    uploaded_by=uploader,
                    options=_parse_options(option),
                )
        except (OSError, ValidationError) as exc:
            raise CommandError(_error_text(exc)) from exc
        self._run(record, batch_size=batch_size, quiet=no_progress, max_report=max_report)

    def _run(self, record: ImportFile, *, batch_size: int, quiet: bool, max_report: int) -> None:
        bar = tqdm(total=None, unit="rows", disable=quiet, file=self.stderr._out, leave=True)
        done = {"n": 0}

        def progress(rows_read: int) -> None:
            if bar.total is None and record.rows_total:
                bar.total = record.rows_total
            bar.update(rows_read - done["n"])
            done["n"] = rows_read

        record = import_file_run(import_file=record, batch_size=batch_size, progress=progress)
        bar.close()
        name = record.original_name
        if record.status == ImportFile.Status.FAILED:
            raise CommandError(f"{name}: the file cannot be read: {record.error}")
        quarantined = import_file_rows(import_file=record, status="quarantined")
        for submission in quarantined[:max_report]:
            reasons = "; ".join(
                f"{e['field']}: {e['message']}" + (f" ({e['value']!r})" if e.get("value") else "")
                for e in submission.errors
            )
            self.stdout.write(f"row {submission.row_number}: quarantined: {reasons}")
        if record.rows_quarantined > max_report:
            self.stdout.write(
                f"... and {record.rows_quarantined - max_report} more quarantined rows"
            )
        self.stdout.write(
            f"{name}: {record.rows_read} rows read, {record.rows_accepted} accepted, "
            f"{record.rows_quarantined} quarantined, {record.rows_duplicate} already received "
            f"(import #{record.pk})"
        )


def _parse_options(pairs) -> dict[str, str]:
    """NAME=VALUE pairs as given; import_file_store checks them against the kind's options."""
    values = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise CommandError(f"--option {pair!r}: write NAME=VALUE")
        values[name.strip()] = value.strip()
    return values


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)
