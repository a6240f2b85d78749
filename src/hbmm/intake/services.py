"""The intake pipeline: receive (store raw, idempotently), process (map into the domain or
quarantine with reasons), correct and reprocess. Every channel goes through these functions.
"""

import hashlib
import logging
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import F as models_F
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hbmm.accounts.models import AuditEvent
from hbmm.accounts.services import audit_log
from hbmm.intake.mappers import FieldError, Item, MappingError, get_mapper
from hbmm.intake.models import Correction, ImportFile, Submission, sha256
from hbmm.intake.parsing import alias_map, apply_aliases, json_dumps

log = logging.getLogger(__name__)
Status = Submission.Status


@dataclass
class Received:
    submission: Submission
    created: bool  # False when this exact instance had been received before: nothing new


def _resolve_root(*, instance_id: str, root_id: str, deprecated_id: str) -> str:
    if root_id:
        return root_id
    if deprecated_id:
        previous = (
            Submission.objects.filter(instance_id=deprecated_id)
            .exclude(status=Status.CONFLICT)
            .values_list("root_id", flat=True)
            .first()
        )
        return previous or deprecated_id
    return instance_id


def submission_receive(
    *,
    channel: str,
    form_id: str,
    instance_id: str,
    payload: str,
    payload_format: str,
    data: dict,
    form_version: str = "",
    root_id: str = "",
    deprecated_id: str = "",
    submitter=None,
    submitter_name: str = "",
    device_id: str = "",
    source_file=None,
    row_number: int | None = None,
    is_demo: bool = False,
) -> Received:
    """Store a submission as received, before any parsing of its meaning.

    The same instance id received again (on any channel) stores nothing new when its payload
    is identical; a different payload under a known instance id is kept as a `conflict` copy
    for review, so no byte received is lost and the domain is not touched.
    """
    checksum = sha256(payload)
    for _attempt in range(2):
        existing = (
            Submission.objects.filter(instance_id=instance_id)
            .exclude(status=Status.CONFLICT)
            .first()
        )
        if existing is not None:
            if existing.checksum == checksum:
                return Received(existing, created=False)
            conflict = Submission.objects.create(
                channel=channel,
                form_id=form_id,
                form_version=form_version,
                instance_id=instance_id,
                root_id=existing.root_id,
                deprecated_id=deprecated_id,
                submitter=submitter,
                submitter_name=submitter_name,
                device_id=device_id,
                payload=payload,
                payload_format=payload_format,
                checksum=checksum,
                source_file=source_file,
                row_number=row_number,
                data=data,
                status=Status.CONFLICT,
                errors=[
                    FieldError(
                        "instanceID",
                        instance_id,
                        _(
                            "Another submission with this instance id and different content was "
                            "received before; this copy is kept for review."
                        ),
                    ).as_dict()
                ],
            )
            return Received(conflict, created=True)
        try:
            with transaction.atomic():
                submission = Submission.objects.create(
                    channel=channel,
                    form_id=form_id,
                    form_version=form_version,
                    instance_id=instance_id,
                    root_id=_resolve_root(
                        instance_id=instance_id, root_id=root_id, deprecated_id=deprecated_id
                    ),
                    deprecated_id=deprecated_id,
                    submitter=submitter,
                    submitter_name=submitter_name
                    or (submitter.get_username() if submitter else ""),
                    device_id=device_id,
                    payload=payload,
                    payload_format=payload_format,
                    checksum=checksum,
                    source_file=source_file,
                    row_number=row_number,
                    data=data,
                    is_demo=is_demo,
                )
            return Received(submission, created=True)
        except IntegrityError:
            continue  # a concurrent worker stored this instance first: look again
    raise RuntimeError(f"could not store submission {instance_id}")


def _quarantine(submission: Submission, errors: list[FieldError], *, site=None) -> None:
    submission.status = Status.QUARANTINED
    submission.errors = [e.as_dict() for e in errors]
    submission.processed_at = timezone.now()
    submission.site = site
    submission.save(update_fields=["status", "errors", "processed_at", "site"])


def _error_from(exc: Exception) -> list[FieldError]:
    if isinstance(exc, MappingError):
        return exc.errors
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return [
                FieldError(field, None, " ".join(m for e in errs for m in e.messages))
                for field, errs in exc.error_dict.items()
            ]
        return [FieldError("__all__", None, " ".join(exc.messages))]
    return [FieldError("__all__", None, _("The record could not be saved: %s") % exc)]


def submissions_process(submissions: Iterable[Submission]) -> dict[str, int]:
    """Map received submissions into domain records, or quarantine them with every reason.

    Submissions of one form are cleaned one by one and saved in one batch; if the batch save
    fails, each is saved on its own so that one bad row quarantines itself only.
    Returns counts by outcome.
    """
    counts = {Status.ACCEPTED: 0, Status.QUARANTINED: 0, Status.SUPERSEDED: 0}
    by_form: dict[str, list[Submission]] = {}
    for submission in submissions:
        if submission.status in (Status.RECEIVED, Status.QUARANTINED, Status.ACCEPTED):
            by_form.setdefault(submission.form_id, []).append(submission)
    for form_id, batch in by_form.items():
        for outcome, n in _process_form_batch(form_id, batch).items():
            counts[outcome] += n
    return counts


def _process_form_batch(form_id: str, batch: list[Submission]) -> dict[str, int]:
    counts = {Status.ACCEPTED: 0, Status.QUARANTINED: 0, Status.SUPERSEDED: 0}
    mapper = get_mapper(form_id)
    if mapper is None:
        for submission in batch:
            _quarantine(submission, [FieldError("form_id", form_id, _("Unknown form."))])
        counts[Status.QUARANTINED] += len(batch)
        return counts
    aliases = alias_map(mapper.aliases)
    instance_ids = [s.instance_id for s in batch]
    later_edits = set(
        Submission.objects.filter(deprecated_id__in=instance_ids)
        .exclude(status__in=[Status.CONFLICT, Status.QUARANTINED])
        .values_list("deprecated_id", flat=True)
    )
    current = {
        s.root_id: s
        for s in Submission.objects.filter(root_id__in={s.root_id for s in batch}, is_current=True)
    }
    # Only edits (and re-processing of accepted submissions) have a current version already.
    previous_records = {sub.pk: list(mapper.records_for(sub)) for sub in current.values()}

    items: list[Item] = []
    for submission in batch:
        if submission.instance_id in later_edits:
            submission.status = Status.SUPERSEDED
            submission.processed_at = timezone.now()
            submission.save(update_fields=["status", "processed_at"])
            counts[Status.SUPERSEDED] += 1
            continue
        data = apply_aliases(submission.effective_data, aliases)
        try:
            cleaned = mapper.clean(data, submitter=submission.submitter)
        except MappingError as exc:
            site = None
            _quarantine(submission, exc.errors, site=site)
            counts[Status.QUARANTINED] += 1
            continue
        previous = current.get(submission.root_id)
        existing = previous_records.get(previous.pk, []) if previous else []
        items.append(Item(submission=submission, cleaned=cleaned, existing=existing))

    saved = _save_items(mapper, items)
    for item, error in saved:
        if error is not None:
            _quarantine(item.submission, error, site=item.cleaned.get("site"))
            counts[Status.QUARANTINED] += 1
        else:
            counts[Status.ACCEPTED] += 1
    return counts


def _mark_accepted(items: list[Item]) -> None:
    now = timezone.now()
    roots = [i.submission.root_id for i in items]
    own = [i.submission.pk for i in items]
    Submission.objects.filter(root_id__in=roots, is_current=True).exclude(pk__in=own).update(
        is_current=False, status=Status.SUPERSEDED
    )
    for item in items:
        sub = item.submission
        sub.status, sub.is_current, sub.errors, sub.processed_at = Status.ACCEPTED, True, [], now
        site = item.cleaned.get("site")
        sub.site = site if hasattr(site, "pk") else None
    Submission.objects.bulk_update(
        [i.submission for i in items], ["status", "is_current", "errors", "processed_at", "site"]
    )


def _save_items(mapper, items: list[Item]) -> list[tuple[Item, list[FieldError] | None]]:
    if not items:
        return []
    try:
        with transaction.atomic():
            mapper.save(items)
            _mark_accepted(items)
        return [(item, None) for item in items]
    except (MappingError, ValidationError, IntegrityError) as exc:
        if len(items) == 1:
            return [(items[0], _error_from(exc))]
    results = []
    for item in items:  # find the culprit(s): each item alone
        results.extend(_save_items(mapper, [item]))
    return results


def submission_correct(*, submission: Submission, changes: dict, by, note: str = "") -> Submission:
    """Apply a reviewer's corrections to the parsed fields (never to the raw payload), log
    them, and reprocess the submission."""
    if submission.status not in (Status.QUARANTINED, Status.ACCEPTED):
        raise ValidationError(_("Only quarantined or accepted submissions can be corrected."))
    effective = submission.effective_data
    diff = {k: [effective.get(k), v] for k, v in changes.items() if effective.get(k) != v}
    if not diff:
        return submission
    with transaction.atomic():
        Correction.objects.create(submission=submission, by=by, changes=diff, note=note)
        submission.corrections = {**submission.corrections, **changes}
        submission.save(update_fields=["corrections"])
        audit_log(
            action=AuditEvent.Action.DATA_CHANGE,
            actor=by,
            target=f"intake.submission:{submission.pk}",
            details={"changes": diff, "note": note},
        )
    submissions_process([submission])
    submission.refresh_from_db()
    return submission


def submissions_reprocess(
    *,
    form_id: str | None = None,
    statuses: Iterable[str] = (Status.QUARANTINED, Status.RECEIVED),
    batch_size: int = 500,
) -> dict[str, int]:
    """Process again the submissions of a form (e.g. after a mapper fix)."""
    totals = {Status.ACCEPTED: 0, Status.QUARANTINED: 0, Status.SUPERSEDED: 0}
    query = Q(status__in=list(statuses))
    if form_id:
        query &= Q(form_id=form_id)
    last_pk = 0
    while True:
        batch = list(
            Submission.objects.filter(query, pk__gt=last_pk)
            .select_related("submitter")
            .order_by("pk")[:batch_size]
        )
        if not batch:
            return totals
        last_pk = batch[-1].pk
        for outcome, n in submissions_process(batch).items():
            totals[outcome] += n


# --- File imports ---------------------------------------------------------------------------

INSTANCE_ID_COLUMNS = ("instance_id", "instanceid", "meta/instanceID", "_uuid", "KEY", "uuid")


def _row_instance_id(kind: str, values: dict, seen: dict[str, int]) -> str:
    """An explicit instance id column when the file has one (ODK/Kobo exports), else a hash of
    the row's content; identical rows within one file are told apart by their occurrence, so
    importing the same file twice adds nothing while two equal rows in one file both count."""
    for column in INSTANCE_ID_COLUMNS:
        value = values.get(column)
        if value not in (None, ""):
            return str(value)
    digest = sha256(json_dumps(values))[:40]
    occurrence = seen.get(digest, 0)
    seen[digest] = occurrence + 1
    return f"file:{kind}:{digest}" + (f":{occurrence}" if occurrence else "")


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


def file_import(
    *,
    kind: str,
    source,
    original_name: str,
    uploaded_by=None,
    batch_size: int = 1000,
    progress=None,
    is_demo: bool = False,
) -> ImportFile:
    """Import a CSV/XLSX file of `kind` (a registered mapper's form id), streaming its rows.

    The file is stored as received; each row becomes a Submission (channel `file`, with its row
    number) and goes through the same mapping as any other submission. Rows are handled in
    batches (bounded memory), each committed on its own, so progress is visible while it runs.
    `progress(rows_read)` is called after each batch. `is_demo` flags demonstration data.
    """
    from hbmm.intake.mappers import get_mapper
    from hbmm.tabular import TableError, read_rows

    if get_mapper(kind) is None:
        raise ValidationError(_("Unknown import kind '%s'.") % kind)
    record = _store_file(
        kind=kind, source=source, original_name=original_name, uploaded_by=uploaded_by
    )
    record.status, record.is_demo = ImportFile.Status.RUNNING, is_demo
    record.save(update_fields=["status", "is_demo"])
    seen: dict[str, int] = {}
    batch: list[tuple[int, dict]] = []
    try:
        with record.file.open("rb") as handle:
            for number, values in read_rows(handle, filename=original_name):
                batch.append((number, values))
                if len(batch) >= batch_size:
                    _import_batch(record, kind, batch, seen, uploaded_by)
                    batch = []
                    if progress:
                        progress(record.rows_read)
            if batch:
                _import_batch(record, kind, batch, seen, uploaded_by)
                if progress:
                    progress(record.rows_read)
    except TableError as exc:
        record.status, record.error = ImportFile.Status.FAILED, str(exc)
    else:
        record.status = ImportFile.Status.DONE
    record.finished_at = timezone.now()
    record.save(update_fields=["status", "error", "finished_at"])
    return record


def _cell_text(value) -> str:
    """File cells as text (the raw row is stored as JSON); Excel dates become ISO dates."""
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return text[:10] if text.endswith("T00:00:00") else text
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _import_batch(record, kind: str, rows: list[tuple[int, dict]], seen: dict, uploaded_by) -> None:

    received = []
    duplicates = 0
    with transaction.atomic():
        for number, values in rows:
            text_values = {k: _cell_text(v) for k, v in values.items() if k}
            result = submission_receive(
                channel="file",
                form_id=kind,
                instance_id=_row_instance_id(kind, text_values, seen),
                payload=json_dumps(text_values),
                payload_format=Submission.Format.ROW,
                data=text_values,
                submitter=uploaded_by,
                source_file=record,
                row_number=number,
                is_demo=record.is_demo,
            )
            if result.created and result.submission.status != Status.CONFLICT:
                received.append(result.submission)
            else:
                duplicates += 1
        counts = submissions_process(received)
        ImportFile.objects.filter(pk=record.pk).update(
            rows_read=models_F("rows_read") + len(rows),
            rows_accepted=models_F("rows_accepted") + counts[Status.ACCEPTED],
            rows_quarantined=models_F("rows_quarantined") + counts[Status.QUARANTINED],
            rows_duplicate=models_F("rows_duplicate") + duplicates,
        )
    record.refresh_from_db(
        fields=["rows_read", "rows_accepted", "rows_quarantined", "rows_duplicate"]
    )
