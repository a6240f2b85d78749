"""Review: a reviewer corrects a submission's parsed fields (never its raw payload) or has it
processed again, as theirs (their role and scope apply); the operator reprocesses a form's
submissions after a mapper fix. Every correction is logged (`Correction`, audit log);
identifier fields are corrected only with the form's identifier permission and kept
encrypted.
"""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from hbmm.accounts.models import AuditEvent
from hbmm.accounts.scope import restrict_to_scope
from hbmm.accounts.services import audit_log
from hbmm.intake.identifiers import identifier_keys
from hbmm.intake.mappers import get_mapper
from hbmm.intake.models import Correction, ImportFile, Submission
from hbmm.intake.parsing import json_dumps
from hbmm.intake.process import outcome_counts, submissions_process
from hbmm.intake.submissions import Status


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
    if hidden and not (mapper is not None and by.has_perm(mapper.identifier_permission)):
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
    before = {submission.pk: submission.status}
    submissions_process([submission], actor=by)
    submission.refresh_from_db()
    file_counts_follow(before)
    return submission


def file_counts_follow(before: dict[int, str]) -> None:
    """An imported file's accepted and quarantined counts follow its rows once a correction
    or a reprocessing changed their status (`before`: submission id -> status before): the file
    page said "4 accepted, 2 quarantined" after both quarantined rows were fixed."""
    counted: dict[str, str] = {
        Status.ACCEPTED: "rows_accepted",
        Status.QUARANTINED: "rows_quarantined",
    }
    moves: dict[int, dict[str, int]] = {}
    for pk, file_id, status in Submission.objects.filter(
        pk__in=list(before), source_file__isnull=False
    ).values_list("pk", "source_file_id", "status"):
        if status == before[pk]:
            continue
        counts = moves.setdefault(file_id, {})
        for old_or_new, step in ((before[pk], -1), (status, 1)):
            if old_or_new in counted:
                column = counted[old_or_new]
                counts[column] = counts.get(column, 0) + step
    for file_id, counts in moves.items():
        changes = {column: F(column) + n for column, n in counts.items() if n}
        if changes:
            ImportFile.objects.filter(pk=file_id).update(**changes)


def submission_reprocess(*, submission: Submission, by) -> Submission:
    """Process one quarantined (or still received) submission again, as the reviewer `by`:
    the same checks as a correction (submission_review_check), their scope applied, the outcome logged."""
    submission_review_check(submission=submission, by=by)
    if submission.status not in (Status.QUARANTINED, Status.RECEIVED):
        raise ValidationError(_("Only quarantined submissions are reprocessed."))
    before = {submission.pk: submission.status}
    submissions_process([submission], actor=by)
    submission.refresh_from_db()
    file_counts_follow(before)
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
    totals = outcome_counts()
    query = Q(status__in=list(statuses))
    if form_id:
        query &= Q(form_id=form_id)
    last_pk = 0
    while True:
        # Each batch locked, as the mapping job locks its own (`process.received_map_batch`):
        # a submission the job is mapping is skipped here (the job maps it), never mapped twice.
        with transaction.atomic():
            batch = list(
                Submission.objects.filter(query, pk__gt=last_pk)
                .select_related("submitter")
                .select_for_update(skip_locked=True, of=("self",))
                .order_by("pk")[:batch_size]
            )
            if not batch:
                return totals
            last_pk = batch[-1].pk
            before = {submission.pk: submission.status for submission in batch}
            for outcome, n in submissions_process(batch).items():
                totals[outcome] += n
            file_counts_follow(before)
