"""The intake pipeline: receive (store raw, idempotently), process (map into the domain or
quarantine with reasons), correct and reprocess. Every channel goes through these functions.
"""

import hashlib
import logging
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from hbmm.accounts.models import AuditEvent
from hbmm.accounts.services import audit_log
from hbmm.intake.mappers import FieldError, Item, MappingError, get_mapper
from hbmm.intake.models import Correction, ImportFile, Submission, sha256
from hbmm.intake.parsing import alias_map, apply_aliases

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
            # The same differing copy sent again (a phone retrying) is not stored twice.
            known_copy = Submission.objects.filter(
                instance_id=instance_id, status=Status.CONFLICT, checksum=checksum
            ).first()
            if known_copy is not None:
                return Received(known_copy, created=False)
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
                is_demo=is_demo,
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
        resolved_root = _resolve_root(
            instance_id=instance_id, root_id=root_id, deprecated_id=deprecated_id
        )
        try:
            with transaction.atomic():
                submission = Submission.objects.create(
                    channel=channel,
                    form_id=form_id,
                    form_version=form_version,
                    instance_id=instance_id,
                    root_id=resolved_root,
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
    # Reasons are stored in the deployment's language, whoever triggered the processing (a
    # phone set to English, a French reviewer): one language in the quarantine.
    with translation.override(settings.HBMM_DATA_LANGUAGE):
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
    site_field = getattr(mapper, "site_field", None)
    mapped = {id(s): apply_aliases(s.effective_data, aliases) for s in batch}
    sites = sites_named([d.get(site_field) for d in mapped.values()] if site_field else [])
    instance_ids = [s.instance_id for s in batch]
    later_edits = set(
        Submission.objects.filter(deprecated_id__in=instance_ids)
        # Never true of an instance id, but it lets SQLite use the partial index.
        .exclude(deprecated_id="")
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
        data = mapped[id(submission)]
        try:
            cleaned = mapper.clean(data, submitter=submission.submitter)
        except MappingError as exc:
            _quarantine(submission, exc.errors, site=sites.get(data.get(site_field)))
            counts[Status.QUARANTINED] += 1
            continue
        previous = current.get(submission.root_id)
        existing = previous_records.get(previous.pk, []) if previous else []
        items.append(Item(submission=submission, cleaned=cleaned, existing=existing))

    saved = _save_items(mapper, items, current_roots=set(current))
    for item, error in saved:
        if error is not None:
            _quarantine(item.submission, error, site=item.cleaned.get("site"))
            counts[Status.QUARANTINED] += 1
        else:
            counts[Status.ACCEPTED] += 1
    return counts


class _SitesByCode(dict):
    def get(self, code, default=None):
        if not isinstance(code, str):
            return default
        return super().get(code.strip().upper(), default)


def sites_named(codes: list) -> dict:
    """Sites by (upper-case) code, so a quarantined item is filed under its site and the
    reviewers of that area see it."""
    from hbmm.places.models import Site

    wanted = {c.strip().upper() for c in codes if isinstance(c, str) and c.strip()}
    if not wanted:
        return _SitesByCode()
    found = Site.objects.filter(code__in=wanted)
    return _SitesByCode({site.code.upper(): site for site in found})


def _mark_accepted(items: list[Item], current_roots: set | None = None) -> None:
    """Accept `items`, superseding the current version of their roots. `current_roots`: the
    roots known to have a current version (None: look for them all)."""
    now = timezone.now()
    roots = [i.submission.root_id for i in items]
    if current_roots is not None:
        roots = [r for r in roots if r in current_roots]
    if roots:
        own = [i.submission.pk for i in items]
        Submission.objects.filter(root_id__in=roots, is_current=True).exclude(pk__in=own).update(
            is_current=False, status=Status.SUPERSEDED
        )
    # One UPDATE per site (a batch usually covers a handful), not a CASE over every row.
    by_site: dict = {}
    for item in items:
        sub = item.submission
        sub.status, sub.is_current, sub.errors, sub.processed_at = Status.ACCEPTED, True, [], now
        site = item.cleaned.get("site")
        sub.site = site if hasattr(site, "pk") else None
        by_site.setdefault(sub.site, []).append(sub.pk)
    for site, pks in by_site.items():
        Submission.objects.filter(pk__in=pks).update(
            status=Status.ACCEPTED, is_current=True, errors=[], processed_at=now, site=site
        )


def _save_items(
    mapper, items: list[Item], current_roots: set | None = None
) -> list[tuple[Item, list[FieldError] | None]]:
    if not items:
        return []
    try:
        with transaction.atomic():
            mapper.save(items)
            _mark_accepted(items, current_roots)
        return [(item, None) for item in items]
    except (MappingError, ValidationError, IntegrityError) as exc:
        if len(items) == 1:
            return [(items[0], _error_from(exc))]
    results = []
    for item in items:  # find the culprit(s): each item alone
        results.extend(_save_items(mapper, [item], current_roots))
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
    from hbmm.intake.import_options import import_options_clean

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
    return record


def import_file_start(import_file: ImportFile) -> None:
    """Mark the file as running now, before a background run starts reading it: the page the
    user is sent to then shows it running, not (still) interrupted or pending."""
    import_file.status, import_file.heartbeat_at = ImportFile.Status.RUNNING, timezone.now()
    ImportFile.objects.filter(pk=import_file.pk).update(
        status=import_file.status, heartbeat_at=import_file.heartbeat_at
    )


def import_file_run(
    *, import_file: ImportFile, batch_size: int = 2000, progress=None, options: dict | None = None
) -> ImportFile:
    """Read a stored file's rows in batches: each row becomes a Submission (channel `file`, with
    its row number) and goes through the form's mapper. Each batch commits on its own, so the
    progress is visible while it runs; running a file again adds nothing already received.
    `progress(rows_read)` is called after each batch; `options` go to the mapper's
    `transform_rows` (by default, those stored with the file)."""
    from hbmm.intake.file_rows import batches_import
    from hbmm.tabular import TableError, count_rows

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
        raise
    else:
        record.status = ImportFile.Status.DONE
    record.finished_at = timezone.now()
    record.save(update_fields=["status", "error", "finished_at"])
    return record


def file_import(
    *,
    kind: str,
    source,
    original_name: str,
    uploaded_by=None,
    batch_size: int = 2000,
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


# --- OpenRosa (ODK Collect, Enketo) ---------------------------------------------------------


class SubmissionRefused(Exception):
    """An OpenRosa submission refused before anything is stored; `status` is the HTTP code."""

    def __init__(self, status: int, message: str):
        self.status = status
        self.message = message
        super().__init__(message)


@dataclass
class OpenRosaResult:
    submission: Submission
    created: bool
    conflict: bool
    attachments_added: int
    completed: bool = False  # this post completed a submission sent in several parts


def _store_attachment(submission: Submission, upload) -> bool:
    """Keep one uploaded file beside its submission, with its checksum; a file of that name
    already stored is not stored again (split or repeated posts)."""
    from hbmm.intake.models import SubmissionAttachment

    name = (upload.name or "").rsplit("/", 1)[-1][:255]
    if not name or submission.attachments.filter(name=name).exists():
        return False
    digest, size = hashlib.sha256(), 0
    for chunk in upload.chunks():
        digest.update(chunk)
        size += len(chunk)
    upload.seek(0)
    attachment = SubmissionAttachment(
        submission=submission,
        name=name,
        content_type=(getattr(upload, "content_type", "") or "")[:100],
        size=size,
        checksum=digest.hexdigest(),
    )
    attachment.file.save(name, upload, save=False)
    try:
        with transaction.atomic():
            attachment.save()
    except IntegrityError:  # the same file arrived through a concurrent post
        attachment.file.delete(save=False)
        return False
    return True


def openrosa_submission_receive(
    *, xml: bytes, attachments: list, user, device_id: str = "", incomplete: bool = False
) -> OpenRosaResult:
    """One OpenRosa POST: check it, store the raw XML and the files, process the submission.

    Refused before anything is stored (SubmissionRefused): malformed XML (400), a form this
    server does not know (404), a form the user's role may not fill (403), a site code that is
    unknown (400) or outside the user's scope (403). The same instance posted again (Collect
    splits large submissions over several posts, or retries) stores only the files not yet
    received; a different XML under a known instance id is kept as a conflict copy (409).
    `incomplete` (Collect's `*isIncomplete*` on every part but the last): store the XML and the
    files, but map the submission only when its last part arrives.
    """
    from hbmm.accounts.scope import user_scope
    from hbmm.intake.parsing import PayloadError, parse_xml
    from hbmm.places.models import Site

    try:
        text = xml.decode("utf-8")
        parsed = parse_xml(xml)
    except (UnicodeDecodeError, PayloadError) as exc:
        message = _("The submission is not a readable XForm instance: %s") % exc
        raise SubmissionRefused(400, message) from exc
    mapper = get_mapper(parsed.form_id)
    if mapper is None:
        raise SubmissionRefused(
            404, _("The form '%s' is not known to this server.") % parsed.form_id
        )
    if not user.has_perm(mapper.permission):
        raise SubmissionRefused(
            403, _("Your role does not allow you to send the form '%s'.") % parsed.form_id
        )
    data = apply_aliases(parsed.data, alias_map(mapper.aliases))
    site_field = getattr(mapper, "site_field", None)
    code = data.get(site_field) if site_field else None
    if isinstance(code, str) and code.strip():
        site = Site.objects.select_related("area").filter(code__iexact=code.strip()).first()
        if site is None:
            raise SubmissionRefused(
                400,
                _("Unknown site '%(code)s' (field %(field)s): update the form's site list.")
                % {"code": code, "field": site_field},
            )
        if not user_scope(user).contains_site(site):
            raise SubmissionRefused(
                403,
                _("The site '%(code)s' (field %(field)s) is outside your geographic scope.")
                % {"code": code, "field": site_field},
            )
    received = submission_receive(
        channel="openrosa",
        form_id=parsed.form_id,
        form_version=parsed.form_version,
        instance_id=parsed.instance_id,
        root_id=parsed.root_id,
        deprecated_id=parsed.deprecated_id,
        payload=text,
        payload_format=Submission.Format.XML,
        data=parsed.data,
        submitter=user,
        device_id=(device_id or str(parsed.data.get("deviceid") or ""))[:150],
    )
    submission = received.submission
    added = sum(_store_attachment(submission, upload) for upload in attachments)
    conflict = submission.status == Status.CONFLICT
    processed = False
    if not conflict and not incomplete:
        submission, processed = _process_if_received(submission)
    return OpenRosaResult(
        submission=submission,
        created=received.created,
        conflict=conflict,
        attachments_added=added,
        completed=processed and not received.created,
    )


def _process_if_received(submission: Submission) -> tuple[Submission, bool]:
    """Map a submission still waiting (its last part just arrived, or a first complete post);
    the row lock (an IMMEDIATE transaction on SQLite) makes two racing posts process it once."""
    with transaction.atomic():
        locked = Submission.objects.select_for_update().get(pk=submission.pk)
        waiting = locked.status == Status.RECEIVED
        if waiting:
            submissions_process([locked])
    locked.refresh_from_db()
    return locked, waiting
