"""Writes of laboratories and samples: the registry, and a sample's steps (taken, shipped,
received, tested with its result, result communicated), each in order and timed (a step is not
before the steps recorded before it nor in the future: `health.steps.moment_check`), audited.

A sample taken from a suspect case's screening is the one truth of that screening's sample
and result: every step that changes them writes the screening's `sampled_at`, `sample_lab`,
`lab_result` and `result_at` in the same transaction (`_screening_sync`), whether it comes from
the screening's page (`screening.workflow.screening_sample/screening_result` call these
services), the sample's page or the laboratory's result file."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hbmm.accounts.models import AuditEvent
from hbmm.accounts.services import audit_log, audit_log_many
from hbmm.health.labs.models import (
    STEP_FIELDS,
    LabKind,
    Laboratory,
    LabStatus,
    Sample,
    SampleResult,
    SampleType,
    sample_id_validator,
)
from hbmm.health.steps import WorkflowError, moment_check, screening_changed
from hbmm.intake.mappers import BatchContext, BatchResult, Row
from hbmm.places.models import Site, SiteKind

POINT_KINDS = (
    SiteKind.BORDER_CROSSING_POINT,
    SiteKind.INTERNAL_TRANSIT_POINT,
    SiteKind.SANITARY_CORDON,
)
STEP_LABELS = {
    "taken_at": gettext_lazy("the sampling"),
    "shipped_at": gettext_lazy("the shipment"),
    "received_at": gettext_lazy("the reception"),
    "tested_at": gettext_lazy("the test"),
    "communicated_at": gettext_lazy("the communication of the result"),
}
# The screening's result for a sample's: a rejected sample gives the screening no result.
SCREENING_RESULTS = {"positive", "negative", "inconclusive"}


def _is_lab(site: Site) -> bool:
    return site.kinds.filter(code=SiteKind.LABORATORY).exists()


def _event(target: str, *, by, details: dict) -> dict:
    return {
        "action": AuditEvent.Action.DATA_CHANGE,
        "actor": by,
        "target": target,
        "details": details,
    }


# --- Registry --------------------------------------------------------------------------------


@transaction.atomic
def laboratory_save(
    *,
    site: Site,
    kind: str,
    status: str,
    by,
    point: Site | None = None,
    since: dt.date | None = None,
    daily_capacity: int | None = None,
    note: str = "",
) -> Laboratory:
    """Register a laboratory (a site of kind lab) or update its record."""
    errors: dict[str, list] = {}
    if not _is_lab(site):
        errors.setdefault("site", []).append(_("The site is not a laboratory."))
    if kind not in LabKind.values:
        errors.setdefault("kind", []).append(_("Choose a kind of laboratory."))
    if status not in LabStatus.values:
        errors.setdefault("status", []).append(_("Choose an operational status."))
    if kind == LabKind.MOBILE and point is None:
        errors.setdefault("point", []).append(_("A mobile laboratory names its point of entry."))
    if point is not None and not point.kinds.filter(code__in=POINT_KINDS).exists():
        errors.setdefault("point", []).append(_("The site is not a point of entry."))
    if since is not None and since > timezone.now().date():
        errors.setdefault("since", []).append(_("The date is in the future."))
    if errors:
        raise WorkflowError(errors)
    laboratory, created = Laboratory.objects.update_or_create(
        site=site,
        defaults={
            "kind": kind,
            "status": status,
            "point": point if kind == LabKind.MOBILE else None,
            "since": since,
            "daily_capacity": daily_capacity,
            "note": note,
            "updated_at": timezone.now(),
            "updated_by": by,
        },
    )
    audit_log(
        **_event(
            f"health.laboratory:{laboratory.pk}",
            by=by,
            details={
                "step": "registered" if created else "updated",
                "site": site.code,
                "kind": kind,
                "status": status,
                "point": point.code if point is not None else "",
                "daily_capacity": daily_capacity,
            },
        )
    )
    return laboratory


# --- A sample's steps ------------------------------------------------------------------------


def step_problems(sample: Sample, *, field: str, at, now=None) -> list[str]:
    """Why `field` cannot be recorded at `at` on `sample` (empty: it can): already recorded,
    a later step already recorded, the result missing before its communication, or a time in
    the future or before the latest step recorded before it."""
    if at is None:
        return [_("Give the time.")]
    problems = []
    if getattr(sample, field):
        return [
            _("This step was already recorded on %s.")
            % timezone.localtime(getattr(sample, field)).strftime("%Y-%m-%d %H:%M")
        ]
    index = STEP_FIELDS.index(field)
    later = [f for f in STEP_FIELDS[index + 1 :] if getattr(sample, f)]
    if later:
        problems.append(
            _("%(step)s is already recorded: this step can no longer be added.")
            % {"step": str(STEP_LABELS[later[0]]).capitalize()}
        )
    if field == "communicated_at" and not sample.result:
        problems.append(_("Record the result first."))
    earlier = [(getattr(sample, f), f) for f in STEP_FIELDS[:index] if getattr(sample, f)]
    errors: dict[str, list] = {}
    latest, label = max(earlier) if earlier else (None, "taken_at")
    moment_check(at, "at", errors, not_before=latest, before_label=STEP_LABELS[label], now=now)
    return problems + errors.get("at", [])


def _guard(sample: Sample, *, field: str, at) -> dt.datetime:
    at = at or timezone.now()
    problems = step_problems(sample, field=field, at=at)
    if problems:
        raise WorkflowError(problems[0])
    return at


def _screening_sync(sample: Sample) -> None:
    """The screening the sample comes from says what the sample says (one truth)."""
    screening = sample.screening
    if screening is None:
        return
    screening.sampled_at, screening.sample_lab_id = sample.taken_at, sample.lab_id
    valid = sample.result in SCREENING_RESULTS
    screening.lab_result = sample.result if valid else ""
    screening.result_at = sample.tested_at if valid else None
    screening.save(update_fields=["sampled_at", "sample_lab", "lab_result", "result_at"])
    screening_changed.send(sender=Sample, screening=screening)  # its day summary follows


def _step_save(sample: Sample, *, by, step: str, fields: list[str], details=None) -> Sample:
    sample.save(update_fields=fields)
    _screening_sync(sample)
    audit_log(
        **_event(
            f"health.sample:{sample.pk}",
            by=by,
            details={"step": step, "sample_id": sample.sample_id, **(details or {})},
        )
    )
    return sample


def _check_lab(lab: Site | None) -> None:
    if lab is not None and not _is_lab(lab):
        raise WorkflowError(_("The sample must go to a laboratory."))


@transaction.atomic
def sample_take(
    *,
    sample_id: str,
    point: Site,
    taken_at: dt.datetime,
    by,
    sample_type: str = SampleType.NASOPHARYNGEAL,
    lab: Site | None = None,
    taken_by_name: str = "",
    screening=None,
) -> Sample:
    """Record a sample taken at `point` (from `screening` when it comes from one). The sample
    id is its barcode, unique."""
    sample_id = (sample_id or "").strip()
    errors: dict[str, list] = {}
    try:
        sample_id_validator(sample_id)
    except ValidationError as exc:
        errors.setdefault("sample_id", []).extend(exc.messages)
    if sample_id and Sample.objects.filter(sample_id=sample_id).exists():
        errors.setdefault("sample_id", []).append(_("This sample id is already recorded."))
    if sample_type not in SampleType.values:
        errors.setdefault("sample_type", []).append(_("Choose a sample type."))
    not_before = screening.screened_at if screening is not None else None
    moment_check(
        taken_at,
        "taken_at",
        errors,
        not_before=not_before,
        before_label=gettext_lazy("the screening"),
    )
    if screening is not None and screening.point_id != point.pk:
        errors.setdefault("point", []).append(_("The sample is taken where the screening was."))
    if errors:
        raise WorkflowError(errors)
    _check_lab(lab)
    try:
        with transaction.atomic():
            sample = Sample.objects.create(
                sample_id=sample_id,
                sample_type=sample_type,
                point=point,
                taken_at=taken_at,
                taken_by=by,
                taken_by_name=taken_by_name,
                lab=lab,
                screening=screening,
            )
    except IntegrityError:  # the same barcode saved by another request since the check
        raise WorkflowError({"sample_id": [_("This sample id is already recorded.")]}) from None
    return _step_save(
        sample,
        by=by,
        step="taken",
        fields=["taken_at"],
        details={"point": point.code, "lab": lab.code if lab else ""},
    )


@transaction.atomic
def sample_ship(*, sample: Sample, by, lab: Site, transport: str, at=None) -> Sample:
    at = _guard(sample, field="shipped_at", at=at)
    _check_lab(lab)
    if transport not in Sample.Transport.values:
        raise WorkflowError(_("Choose a transport."))
    sample.shipped_at, sample.lab, sample.transport = at, lab, transport
    return _step_save(
        sample,
        by=by,
        step="shipped",
        fields=["shipped_at", "lab", "transport"],
        details={"lab": lab.code, "transport": transport},
    )


@transaction.atomic
def sample_receive(*, sample: Sample, by, at=None) -> Sample:
    at = _guard(sample, field="received_at", at=at)
    if sample.lab_id is None:
        raise WorkflowError(_("Say which laboratory the sample went to (the shipment) first."))
    sample.received_at = at
    return _step_save(sample, by=by, step="received", fields=["received_at"])


def result_problems(result: str, rejection_reason: str) -> list[tuple[str, str]]:
    """(field, message) of a result that cannot be recorded as given."""
    problems = []
    if result not in SampleResult.values:
        problems.append(
            ("result", _("The result must be positive, negative, inconclusive or rejected."))
        )
    if result == SampleResult.REJECTED and not rejection_reason.strip():
        problems.append(("rejection_reason", _("A rejected sample needs the reason.")))
    return problems


@transaction.atomic
def sample_result(
    *, sample: Sample, by, result: str, at=None, rejection_reason: str = "", submission=None
) -> Sample:
    """The test and its result (or the sample's rejection, with the reason)."""
    at = _guard(sample, field="tested_at", at=at)
    problems = result_problems(result, rejection_reason)
    if problems:
        raise WorkflowError(problems[0][1])
    sample.tested_at, sample.result = at, result
    sample.rejection_reason = rejection_reason.strip() if result == SampleResult.REJECTED else ""
    fields = ["tested_at", "result", "rejection_reason"]
    if submission is not None:
        sample.result_submission = submission
        fields.append("result_submission")
    return _step_save(
        sample,
        by=by,
        step="tested",
        fields=fields,
        details={"result": result, "reason": sample.rejection_reason},
    )


@transaction.atomic
def sample_communicate(*, sample: Sample, by, at=None) -> Sample:
    at = _guard(sample, field="communicated_at", at=at)
    sample.communicated_at = at
    return _step_save(sample, by=by, step="communicated", fields=["communicated_at"])


# --- The laboratory's result file ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ResultRow(Row):
    """One row of a laboratory's result file, cleaned (`labs.intake_mappers`)."""

    submission_id: int
    sample: Sample
    tested_at: dt.datetime
    result: str
    rejection_reason: str
    received_at: dt.datetime | None
    existing: object = None


def sample_results_save_batch(rows: Iterable[ResultRow], *, ctx: BatchContext) -> BatchResult:
    """Record the rows' receptions (when the file gives one the sample lacks) and results; the
    mapper checked each row's order against the sample, so a refusal here is a bug."""
    done = BatchResult()
    events = []
    with transaction.atomic():
        for row in rows:
            sample = row.sample
            if row.received_at is not None:  # the mapper gives one only when none was recorded
                sample.received_at = row.received_at
                sample.save(update_fields=["received_at"])
            sample.tested_at, sample.result = row.tested_at, row.result
            sample.rejection_reason = row.rejection_reason
            sample.result_submission_id = row.submission_id
            sample.save(
                update_fields=["tested_at", "result", "rejection_reason", "result_submission"]
            )
            _screening_sync(sample)
            events.append(
                _event(
                    f"health.sample:{sample.pk}",
                    by=ctx.by,
                    details={
                        "step": "tested",
                        "sample_id": sample.sample_id,
                        "result": row.result,
                        "reason": row.rejection_reason,
                        "submission": row.submission_id,
                    },
                )
            )
            done.updated += 1
        audit_log_many(events)
    return done
