"""The intake pipeline: receive (store raw, idempotently), process (map into the domain or
quarantine with reasons), correct and reprocess. Every channel goes through these functions.
"""

import hashlib
import logging
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from hbmm.accounts.models import AuditEvent
from hbmm.accounts.scope import restrict_to_scope, user_scope
from hbmm.accounts.services import audit_log
from hbmm.intake.identifiers import error_dicts, identifier_keys, protect
from hbmm.intake.mappers import FieldError, Item, MappingError, get_mapper
from hbmm.intake.models import Correction, ImportFile, Submission, sha256
from hbmm.intake.parsing import alias_map, apply_aliases, json_dumps
from hbmm.places.lookups import Lookups

log = logging.getLogger(__name__)
Status = Submission.Status
COPIES = Submission.COPY_STATUSES


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
            .exclude(status__in=COPIES)
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
    for review, so no byte received is lost and the domain is not touched. A form that
    carries identifiers is stored with its payload and identifier fields encrypted
    (identifiers.protect).
    """
    fields = {
        "channel": channel,
        "form_id": form_id,
        "form_version": form_version,
        "instance_id": instance_id,
        "deprecated_id": deprecated_id,
        "submitter": submitter,
        "submitter_name": submitter_name or (submitter.get_username() if submitter else ""),
        "device_id": device_id,
        "payload": payload,
        "payload_format": payload_format,
        "source_file": source_file,
        "row_number": row_number,
        "data": data,
        "is_demo": is_demo,
    }
    for _attempt in range(2):
        existing = (
            Submission.objects.filter(instance_id=instance_id).exclude(status__in=COPIES).first()
        )
        if existing is not None:
            if existing.checksum == sha256(payload):
                return Received(existing, created=False)
            reason = FieldError(
                "instanceID",
                instance_id,
                _(
                    "Another submission with this instance id and different content was "
                    "received before; this copy is kept for review."
                ),
            )
            return _copy_keep(
                Status.CONFLICT, reason, root_id=existing.root_id, site=None, **fields
            )
        resolved_root = _resolve_root(
            instance_id=instance_id, root_id=root_id, deprecated_id=deprecated_id
        )
        try:
            with transaction.atomic():
                submission = Submission.objects.create(
                    root_id=resolved_root, **_stored_fields(fields)
                )
            return Received(submission, created=True)
        except IntegrityError:
            continue  # a concurrent worker stored this instance first: look again
    raise RuntimeError(f"could not store submission {instance_id}")


def _stored_fields(fields: dict) -> dict:
    """The model fields of a submission from what was received: the checksum of the raw
    payload, and the payload and identifier fields protected when the form carries any."""
    payload, data, envelope = protect(
        mapper=get_mapper(fields["form_id"]), payload=fields["payload"], data=fields["data"]
    )
    return {
        **fields,
        "payload": payload,
        "data": data,
        "protected": envelope,
        "checksum": sha256(fields["payload"]),
    }


def _copy_keep(status: str, reason: FieldError, *, root_id: str, site, **fields) -> Received:
    """Keep a copy for review beside the stored submission of its instance id (a conflicting
    copy, or a refused edit); the same copy sent again (a phone retrying) is not stored twice."""
    known = Submission.objects.filter(
        instance_id=fields["instance_id"], status=status, checksum=sha256(fields["payload"])
    ).first()
    if known is not None:
        return Received(known, created=False)
    copy = Submission.objects.create(
        root_id=root_id,
        status=status,
        site=site,
        errors=error_dicts([reason], get_mapper(fields["form_id"])),
        processed_at=timezone.now() if status == Status.REFUSED else None,
        **_stored_fields(fields),
    )
    return Received(copy, created=True)


def submission_refused_keep(
    *,
    channel: str,
    form_id: str,
    instance_id: str,
    payload: str,
    payload_format: str,
    data: dict,
    reason: FieldError,
    site=None,
    form_version: str = "",
    deprecated_id: str = "",
    submitter=None,
    device_id: str = "",
) -> Received:
    """Keep a refused edit for review (status `refused`, filed under the site it names so that
    the reviewers of that site see it); nothing else is touched. The same copy sent again is
    not stored twice, and a copy never blocks the instance id: once allowed, it is stored."""
    return _copy_keep(
        Status.REFUSED,
        reason,
        root_id=instance_id,
        site=site,
        channel=channel,
        form_id=form_id,
        form_version=form_version,
        instance_id=instance_id,
        deprecated_id=deprecated_id,
        submitter=submitter,
        submitter_name=submitter.get_username() if submitter else "",
        device_id=device_id,
        payload=payload,
        payload_format=payload_format,
        source_file=None,
        row_number=None,
        data=data,
        is_demo=False,
    )


def _quarantine(submission: Submission, errors: list[FieldError], *, mapper, site=None) -> None:
    submission.status = Status.QUARANTINED
    submission.errors = error_dicts(errors, mapper)
    submission.processed_at = timezone.now()
    submission.site = site
    submission.save(update_fields=["status", "errors", "processed_at", "site"])


def _refuse(submission: Submission, error: FieldError, *, mapper, site=None) -> None:
    """An edit its sender may not make: kept as a refused copy, out of the instance's slot."""
    submission.status, submission.is_current = Status.REFUSED, False
    submission.errors = error_dicts([error], mapper)
    submission.processed_at = timezone.now()
    submission.site = site
    submission.save(update_fields=["status", "is_current", "errors", "processed_at", "site"])


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


def _counts() -> dict[str, int]:
    return {Status.ACCEPTED: 0, Status.QUARANTINED: 0, Status.SUPERSEDED: 0, Status.REFUSED: 0}


def submissions_process(submissions: Iterable[Submission], *, actor=None) -> dict[str, int]:
    """Map received submissions into domain records, or quarantine them with every reason.

    Submissions of one form are cleaned one by one and saved in one batch; if the batch save
    fails, each is saved on its own so that one bad row quarantines itself only. `actor`: the
    reviewer who corrects or reprocesses them (their role and scope apply, and the writes are
    theirs); by default each submission's submitter.
    Returns counts by outcome.
    """
    counts = _counts()
    by_form: dict[str, list[Submission]] = {}
    for submission in submissions:
        if submission.status in (Status.RECEIVED, Status.QUARANTINED, Status.ACCEPTED):
            by_form.setdefault(submission.form_id, []).append(submission)
    # Reasons are stored in the deployment's language, whoever triggered the processing (a
    # phone set to English, a French reviewer): one language in the quarantine.
    with translation.override(settings.HBMM_DATA_LANGUAGE):
        for form_id, batch in by_form.items():
            for outcome, n in _process_form_batch(form_id, batch, actor).items():
                counts[outcome] += n
    return counts


# --- Edits: who may replace which version ----------------------------------------------------

# Reasons an edit is refused (translated when shown: to the phone, and in the stored reason).
EDIT_OTHER_FORM = gettext_noop(
    "The submission this one edits (%(previous)s) is of another form (%(form)s): an edit "
    "keeps the form of the submission it edits."
)
EDIT_OUT_OF_SCOPE = gettext_noop(
    "The submission this one edits (%(previous)s) is about a site outside your geographic "
    "scope: you may not change it."
)
EDIT_NOT_ALLOWED = gettext_noop(
    "Your role does not allow you to send the form '%(form)s', so you may not edit %(previous)s."
)
EDIT_UNKNOWN = gettext_noop(
    "The submission this one edits (%(previous)s) has not been received by this server: send "
    "it first, then this edit."
)


@dataclass(frozen=True)
class Refusal:
    """Why a submission is refused: an HTTP status for the phone, the field and value at
    fault, and a message (a gettext_noop text and its parameters, translated when shown)."""

    status: int
    field: str
    value: str
    text: str
    params: dict | tuple

    def message(self) -> str:
        return _(self.text) % self.params

    def reason(self) -> FieldError:
        """The reason as stored with the copy, in the deployment's language."""
        with translation.override(settings.HBMM_DATA_LANGUAGE):
            return FieldError(self.field, self.value, self.message())


def _may_write(sender, version: Submission) -> bool:
    """Whether `sender` may change what `version` recorded: its site is in the sender's scope
    (a version with no site: a national sender, or its own submitter). No sender: the
    operator's command line (hbmm import without --user, demo data), trusted."""
    if sender is None:
        return True
    scope = user_scope(sender)
    if version.site_id is None:
        return scope.is_national or version.submitter_id == sender.pk
    return scope.contains_site(version.site)


def edit_refusal(
    *, submission_form: str, deprecated_id: str, versions: list[Submission], sender, mapper
) -> Refusal | None:
    """Why an edit (naming `deprecated_id`) may not replace `versions` (the version it names
    and its root's current version, those known), or None when it may: each is of the same
    form, the sender holds the form's permission, and each version's site is in the sender's
    scope. The new site is the mapper's to check, with the same sender."""
    for version in versions:
        params = {"previous": version.instance_id, "form": version.form_id}
        if version.form_id != submission_form:
            return Refusal(403, "deprecatedID", deprecated_id, EDIT_OTHER_FORM, params)
        if sender is not None and mapper is not None and not sender.has_perm(mapper.permission):
            return Refusal(403, "deprecatedID", deprecated_id, EDIT_NOT_ALLOWED, params)
        if not _may_write(sender, version):
            return Refusal(403, "deprecatedID", deprecated_id, EDIT_OUT_OF_SCOPE, params)
    return None


def _versions_replaced(*, instance_id: str, root_id: str, deprecated_id: str) -> list[Submission]:
    """The stored versions an edit would replace: the one it names and its root's current one."""
    query = Q(instance_id=deprecated_id) | Q(root_id=root_id, is_current=True)
    return list(
        Submission.objects.filter(query)
        .exclude(status__in=COPIES)
        .exclude(instance_id=instance_id)
        .select_related("site__area")
    )


def _process_form_batch(form_id: str, batch: list[Submission], actor=None) -> dict[str, int]:
    counts = _counts()
    mapper = get_mapper(form_id)
    if mapper is None:
        for submission in batch:
            error = FieldError("form_id", form_id, _("Unknown form."))
            _quarantine(submission, [error], mapper=None)
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
        .exclude(status__in=[*COPIES, Status.QUARANTINED])
        .values_list("deprecated_id", flat=True)
    )
    current = {
        s.root_id: s
        for s in Submission.objects.filter(
            root_id__in={s.root_id for s in batch}, is_current=True
        ).select_related("site__area")
    }
    # The versions edits name (only edits have a deprecated id: none in a file's batch).
    named_ids = {s.deprecated_id for s in batch if s.deprecated_id}
    named = (
        {
            s.instance_id: s
            for s in Submission.objects.filter(instance_id__in=named_ids)
            .exclude(status__in=COPIES)
            .select_related("site__area")
        }
        if named_ids
        else {}
    )
    # Only edits (and re-processing of accepted submissions) have a current version already.
    previous_records = {sub.pk: list(mapper.records_for(sub)) for sub in current.values()}

    items: list[Item] = []
    lookups = Lookups()  # the reference data this batch is checked against
    for submission in batch:
        previous = current.get(submission.root_id)
        # Reprocessing (a correction of) the current version itself: it replaces its own
        # records only, what it replaced when accepted is not in question again.
        is_current = previous is not None and previous.pk == submission.pk
        if is_current:
            previous = None
        if submission.instance_id in later_edits or (
            previous is not None and not submission.deprecated_id
        ):
            # Arrived after an edit of it (or claims a root without naming the version it
            # edits): a past version, never applied over the current one.
            submission.status = Status.SUPERSEDED
            submission.processed_at = timezone.now()
            submission.save(update_fields=["status", "processed_at"])
            counts[Status.SUPERSEDED] += 1
            continue
        data = mapped[id(submission)]
        sender = actor if actor is not None else submission.submitter
        if submission.deprecated_id and not is_current:
            versions = {v.pk: v for v in (named.get(submission.deprecated_id), previous) if v}
            versions.pop(submission.pk, None)
            refusal = edit_refusal(
                submission_form=form_id,
                deprecated_id=submission.deprecated_id,
                versions=list(versions.values()),
                sender=sender,
                mapper=mapper,
            )
            if refusal is not None:
                _refuse(
                    submission,
                    refusal.reason(),
                    mapper=mapper,
                    site=sites.get(data.get(site_field)),
                )
                counts[Status.REFUSED] += 1
                continue
        try:
            cleaned = mapper.clean(data, submitter=sender, lookups=lookups)
        except MappingError as exc:
            _quarantine(submission, exc.errors, mapper=mapper, site=sites.get(data.get(site_field)))
            counts[Status.QUARANTINED] += 1
            continue
        existing = previous_records.get(previous.pk, []) if previous else []
        if previous is None and submission.pk in previous_records:
            existing = previous_records[submission.pk]
        items.append(Item(submission=submission, cleaned=cleaned, existing=existing, actor=actor))

    saved = _save_items(mapper, items, current_roots=set(current))
    for item, error in saved:
        if error is not None:
            _quarantine(item.submission, error, mapper=mapper, site=item.cleaned.get("site"))
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


def submission_review_check(*, submission: Submission, by) -> None:
    """What a reviewer needs to correct or reprocess `submission` (PermissionDenied
    otherwise): the review permission, the submission in their scope, and the domain
    permission of the form's records: the form's (to make them) and, once they exist (an
    accepted submission), the change permission of its records."""
    if by is None or not by.has_perm("intake.review_submission"):
        raise PermissionDenied(_("Your role does not allow you to review submissions."))
    if not restrict_to_scope(Submission.objects.filter(pk=submission.pk), by).exists():
        raise PermissionDenied(_("This submission is outside your geographic scope."))
    mapper = get_mapper(submission.form_id)
    if mapper is None:
        return  # nothing can reach the domain: it stays in quarantine
    needed = [mapper.permission]
    if submission.status == Status.ACCEPTED:
        meta = mapper.model._meta
        needed.append(f"{meta.app_label}.change_{meta.model_name}")
    if not all(by.has_perm(permission) for permission in needed):
        raise PermissionDenied(
            _("Your role does not allow you to change the records of the form '%s'.")
            % submission.form_id
        )


def submission_correct(*, submission: Submission, changes: dict, by, note: str = "") -> Submission:
    """Apply a reviewer's corrections to the parsed fields (never to the raw payload), log
    them, and reprocess the submission as the reviewer's: their permissions (submission_review_check)
    and scope apply to the corrected values, and the writes are attributed to them. Changes
    of identifier fields need the form's identifier permission and are kept encrypted (the
    correction log and the audit event name the field, not its values)."""
    submission_review_check(submission=submission, by=by)
    if submission.status not in (Status.QUARANTINED, Status.ACCEPTED):
        raise ValidationError(_("Only quarantined or accepted submissions can be corrected."))
    mapper = get_mapper(submission.form_id)
    hidden = identifier_keys(mapper, changes)
    if hidden and not by.has_perm(mapper.identifier_permission):
        raise PermissionDenied(_("Your role does not allow you to see or change identifiers."))
    effective = submission.effective_data
    diff = {k: [effective.get(k), v] for k, v in changes.items() if effective.get(k) != v}
    if not diff:
        return submission
    shown = {k: None if k in hidden else change for k, change in diff.items()}
    kept_apart = {k: change for k, change in diff.items() if k in hidden}
    with transaction.atomic():
        Correction.objects.create(
            submission=submission,
            by=by,
            changes=shown,
            note=note,
            protected=json_dumps(kept_apart) if kept_apart else "",
        )
        submission.corrections = {
            **submission.corrections,
            **{k: v for k, v in changes.items() if k not in hidden},
        }
        if kept_apart:
            envelope = submission.protected_values
            envelope["corrections"] = {
                **envelope.get("corrections", {}),
                **{k: v for k, v in changes.items() if k in hidden},
            }
            submission.protected = json_dumps(envelope)
        submission.save(update_fields=["corrections", "protected"])
        audit_log(
            action=AuditEvent.Action.DATA_CHANGE,
            actor=by,
            target=f"intake.submission:{submission.pk}",
            details={"changes": shown, "note": note},
        )
    submissions_process([submission], actor=by)
    submission.refresh_from_db()
    return submission


def submission_reprocess(*, submission: Submission, by) -> Submission:
    """Process one quarantined (or still received) submission again, as the reviewer `by`:
    the same checks as a correction (submission_review_check), their scope applied, the outcome logged."""
    submission_review_check(submission=submission, by=by)
    if submission.status not in (Status.QUARANTINED, Status.RECEIVED):
        raise ValidationError(_("Only quarantined submissions are reprocessed."))
    submissions_process([submission], actor=by)
    submission.refresh_from_db()
    audit_log(
        action=AuditEvent.Action.DATA_CHANGE,
        actor=by,
        target=f"intake.submission:{submission.pk}",
        details={"reprocessed": True, "status": submission.status},
    )
    return submission


def submissions_reprocess(
    *,
    form_id: str | None = None,
    statuses: Iterable[str] = (Status.QUARANTINED, Status.RECEIVED),
    batch_size: int = 500,
) -> dict[str, int]:
    """Process again the submissions of a form (e.g. after a mapper fix), each as its own
    submitter's (the operator's command: no reviewer)."""
    totals = _counts()
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
    batch_size: int = 2000,
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


# Why an OpenRosa submission is refused (translated for the phone and for a refused copy).
FORM_NOT_ALLOWED = gettext_noop("Your role does not allow you to send the form '%s'.")
SITE_UNKNOWN = gettext_noop(
    "Unknown site '%(code)s' (field %(field)s): update the form's site list."
)
SITE_OUT_OF_SCOPE = gettext_noop(
    "The site '%(code)s' (field %(field)s) is outside your geographic scope."
)


def _unreadable(exc: Exception) -> SubmissionRefused:
    from hbmm.intake.parsing import DocumentTypeRefused, RepeatedField

    if isinstance(exc, RepeatedField):
        message = (
            _(
                "The field '%s' is given more than once in the submission; only the fields of a "
                "repeat group may be. Correct the form and send it again."
            )
            % exc.field
        )
    elif isinstance(exc, DocumentTypeRefused):
        message = _(
            "The submission declares a document type (DTD) or entities, which this server "
            "refuses: send the XForm instance as ODK Collect writes it."
        )
    else:
        message = _("The submission is not a readable XForm instance: %s") % exc
    return SubmissionRefused(400, message)


def _openrosa_refusal(*, parsed, mapper, user) -> tuple[Refusal | None, object]:
    """(why the submission is refused or None, the site it names if known): the form's
    permission, the site known and in the sender's scope, and for an edit, the version it
    names received and writable by the sender (edit_refusal)."""
    from hbmm.places.models import Site

    form_id = parsed.form_id
    site = None
    site_field = getattr(mapper, "site_field", None)
    code = apply_aliases(parsed.data, alias_map(mapper.aliases)).get(site_field)
    if site_field and isinstance(code, str) and code.strip():
        site = Site.objects.select_related("area").filter(code__iexact=code.strip()).first()
    if not user.has_perm(mapper.permission):
        return Refusal(403, "form_id", form_id, FORM_NOT_ALLOWED, (form_id,)), site
    params = {"code": code, "field": site_field}
    if site is None and isinstance(code, str) and code.strip():
        return Refusal(400, site_field, code, SITE_UNKNOWN, params), None
    if site is not None and not user_scope(user).contains_site(site):
        return Refusal(403, site_field, code, SITE_OUT_OF_SCOPE, params), site
    already = Submission.objects.filter(instance_id=parsed.instance_id).exclude(status__in=COPIES)
    if parsed.deprecated_id and not already.exists():
        # Over OpenRosa the version edited must have been received here: an edit of an
        # unknown version is refused (the phone keeps it), never taken as a claim on it.
        named = (
            Submission.objects.filter(instance_id=parsed.deprecated_id)
            .exclude(status__in=COPIES)
            .select_related("site__area")
            .first()
        )
        if named is None:
            params = {"previous": parsed.deprecated_id, "form": form_id}
            return Refusal(403, "deprecatedID", parsed.deprecated_id, EDIT_UNKNOWN, params), site
        versions = _versions_replaced(
            instance_id=parsed.instance_id,
            root_id=named.root_id,
            deprecated_id=parsed.deprecated_id,
        )
        refusal = edit_refusal(
            submission_form=form_id,
            deprecated_id=parsed.deprecated_id,
            versions=versions,
            sender=user,
            mapper=mapper,
        )
        return refusal, site
    return None, site


def openrosa_submission_receive(
    *, xml: bytes, attachments: list, user, device_id: str = "", incomplete: bool = False
) -> OpenRosaResult:
    """One OpenRosa POST: check it, store the raw XML and the files, process the submission.

    Refused before anything is stored (SubmissionRefused): malformed XML, a document type
    declaration or a field given twice outside a repeat group (400), a form this server does
    not know (404), a form the user's role may not fill (403), a site code that is unknown
    (400) or outside the user's scope (403). An edit (meta/deprecatedID) is refused (403) when
    the version it names was not received, is of another form or about a site outside the
    user's scope; its XML is then kept as a `refused` copy for review. The root of an edit is
    the root of the version it names (a meta/rootUuid sent by the phone is not trusted).
    The same instance posted again (Collect splits large submissions over several posts, or
    retries) stores only the files not yet received; a different XML under a known instance
    id is kept as a conflict copy (409). `incomplete` (Collect's `*isIncomplete*` on every
    part but the last): store the XML and the files, but map the submission only when its
    last part arrives.
    """
    from hbmm.intake.parsing import PayloadError, parse_xml

    try:
        text = xml.decode("utf-8")
        parsed = parse_xml(xml)
    except (UnicodeDecodeError, PayloadError) as exc:
        raise _unreadable(exc) from exc
    mapper = get_mapper(parsed.form_id)
    if mapper is None:
        raise SubmissionRefused(
            404, _("The form '%s' is not known to this server.") % parsed.form_id
        )
    fields = {
        "channel": "openrosa",
        "form_id": parsed.form_id,
        "form_version": parsed.form_version,
        "instance_id": parsed.instance_id,
        "deprecated_id": parsed.deprecated_id,
        "payload": text,
        "payload_format": Submission.Format.XML,
        "data": parsed.data,
        "submitter": user,
        "device_id": (device_id or str(parsed.data.get("deviceid") or ""))[:150],
    }
    refusal, site = _openrosa_refusal(parsed=parsed, mapper=mapper, user=user)
    if refusal is not None:
        if parsed.deprecated_id:  # an attempted edit: kept, with its reason, for review
            submission_refused_keep(**fields, reason=refusal.reason(), site=site)
        raise SubmissionRefused(refusal.status, refusal.message())
    received = submission_receive(**fields)
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
