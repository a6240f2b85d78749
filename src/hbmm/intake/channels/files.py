"""The file channel: a CSV/XLSX file is stored as received (`import_file_store`, audited),
then read a batch at a time through the bulk path (`import_file_run`, `intake.bulk`), on the
web as a background job (`intake.tasks`) or at once (`hbmm import`, `file_import`).
"""

import hashlib
import tempfile

from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils import timezone
from django.utils.translation import gettext as _

from hbmm.accounts.models import AuditEvent
from hbmm.accounts.services import audit_log
from hbmm.intake.bulk import BATCH_SIZE, batches_import
from hbmm.intake.import_options import import_options_clean
from hbmm.intake.mappers import get_mapper
from hbmm.intake.models import ImportFile
from hbmm.tabular import TableError, count_rows


def _store_file(*, kind: str, source, original_name: str, uploaded_by) -> ImportFile:
    digest, size = hashlib.sha256(), 0
    with tempfile.TemporaryFile() as spool:
        for chunk in iter(lambda: source.read(1024 * 1024), b""):
            digest.update(chunk)
            size += len(chunk)
            spool.write(chunk)
        spool.seek(0)
        record = ImportFile(
            kind=kind,
            original_name=original_name,
            checksum=digest.hexdigest(),
            size=size,
            uploaded_by=uploaded_by,
        )
        record.file.save(original_name.rsplit("/", 1)[-1] or "upload", File(spool), save=False)
    record.save()
    return record


def import_file_store(
    *,
    kind: str,
    source,
    original_name: str,
    uploaded_by=None,
    is_demo: bool = False,
    options: dict | None = None,
) -> ImportFile:
    """Keep an uploaded file as received (status pending); `import_file_run` reads it.
    `options` (checked against the mapper's `import_options`) are kept on the record, so that
    running the file again (`import_file_run`, which reads them) reads it the same way."""
    mapper = get_mapper(kind)
    if mapper is None:
        raise ValidationError(_("Unknown import kind '%s'.") % kind)
    options = import_options_clean(mapper=mapper, values=options or {})
    record = _store_file(
        kind=kind, source=source, original_name=original_name, uploaded_by=uploaded_by
    )
    if is_demo or options:
        record.is_demo, record.options = is_demo, options
        record.save(update_fields=["is_demo", "options"])
    audit_log(
        action=AuditEvent.Action.DATA_CHANGE,
        actor=uploaded_by,
        target=f"intake.importfile:{record.pk}",
        details={
            "event": "upload",
            "kind": kind,
            "name": record.original_name,
            "size": record.size,
            "checksum": record.checksum,
            "options": options,
        },
    )
    return record


def import_file_start(import_file: ImportFile) -> None:
    """Mark the file as running now, before a background run starts reading it: the page the
    user is sent to then shows it running, not (still) interrupted or pending."""
    import_file.status, import_file.heartbeat_at = ImportFile.Status.RUNNING, timezone.now()
    ImportFile.objects.filter(pk=import_file.pk).update(
        status=import_file.status, heartbeat_at=import_file.heartbeat_at
    )


def import_file_run(
    *,
    import_file: ImportFile,
    batch_size: int = BATCH_SIZE,
    progress=None,
    options: dict | None = None,
    by=None,
) -> ImportFile:
    """Read a stored file's rows in batches: each row becomes a Submission (channel `file`, with
    its row number) and goes through the form's mapper. Each batch commits on its own, so the
    progress is visible while it runs; running a file again adds nothing already received.
    `progress(rows_read)` is called after each batch; `options` go to the mapper's
    `transform_rows` (by default, those stored with the file). The run is logged in the audit
    log as `by`'s (default: the uploader); its rows are checked against the uploader's scope."""
    record = import_file
    import_file_start(record)
    record.rows_read = record.rows_accepted = record.rows_quarantined = record.rows_duplicate = 0
    record.error, record.finished_at = "", None
    try:
        with record.file.open("rb") as handle:
            record.rows_total = count_rows(handle, filename=record.original_name)
    except TableError:
        record.rows_total = None
    record.save()
    try:
        if options is None:
            options = record.options  # as checked and stored with the file
        for _batch in batches_import(record, batch_size=batch_size, options=options):
            if progress:
                progress(record.rows_read)
    except TableError as exc:
        record.status, record.error = ImportFile.Status.FAILED, str(exc)
    except Exception as exc:  # keep the file's status truthful, then let it propagate
        record.status, record.error = ImportFile.Status.FAILED, f"{type(exc).__name__}: {exc}"
        record.finished_at = timezone.now()
        record.save(update_fields=["status", "error", "finished_at"])
        _import_run_log(record, by)
        raise
    else:
        record.status = ImportFile.Status.DONE
    record.finished_at = timezone.now()
    record.save(update_fields=["status", "error", "finished_at"])
    _import_run_log(record, by)
    return record


def _import_run_log(record: ImportFile, by) -> None:
    audit_log(
        action=AuditEvent.Action.DATA_CHANGE,
        actor=by if by is not None else record.uploaded_by,
        target=f"intake.importfile:{record.pk}",
        details={
            "event": "run",
            "status": record.status,
            "rows_read": record.rows_read,
            "rows_accepted": record.rows_accepted,
            "rows_quarantined": record.rows_quarantined,
            "rows_duplicate": record.rows_duplicate,
        },
    )


def file_import(
    *,
    kind: str,
    source,
    original_name: str,
    uploaded_by=None,
    batch_size: int = BATCH_SIZE,
    progress=None,
    is_demo: bool = False,
    options: dict | None = None,
) -> ImportFile:
    """Import a CSV/XLSX file of `kind` (a registered mapper's form id), streaming its rows.

    The file is stored as received (`import_file_store`), then read (`import_file_run`).
    `is_demo` flags demonstration data; `options` go to the mapper's `transform_rows` (e.g.
    which countries to take from a multi-country file).
    """
    record = import_file_store(
        kind=kind,
        source=source,
        original_name=original_name,
        uploaded_by=uploaded_by,
        is_demo=is_demo,
        options=options,
    )
    return import_file_run(import_file=record, batch_size=batch_size, progress=progress)
