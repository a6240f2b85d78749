"""Writes of the points of entry: capacity assessments and operational statuses.

They arrive from the intake pipeline (the XLSForms and web forms): the mapper
(`poe.intake_mappers`) validates, these services write, one transaction per batch, each record
linked to the submission it came from.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hbmm.accounts.models import AuditEvent
from hbmm.accounts.services import audit_log
from hbmm.health.poe.models import CAPACITY_ITEM_FIELDS, CapacityAssessment, PoeStatus
from hbmm.intake.mappers import BatchContext, BatchResult


@dataclass
class RecordEntry:
    """One record's field values from one submission (capacity assessment or status)."""

    values: dict
    submission: object | None = None
    replaces: list = field(default_factory=list)


def _save_site_day_records(model, *, day_field: str, entries: Sequence[RecordEntry], by=None):
    """Create or update records keyed by (site, day): an edit of a submission updates the
    record made from its previous version; another submission for the same point and day is
    refused (it would silently overwrite someone else's record)."""
    saved = []
    for entry in entries:
        values = entry.values
        record = entry.replaces[0] if entry.replaces else None
        clash = (
            model.objects.filter(site=values["site"], **{day_field: values[day_field]})
            .exclude(pk=record.pk if record else None)
            .select_related("submission")
            .first()
        )
        if clash is not None:
            raise ValidationError(
                {
                    day_field: _(
                        "%(site)s already has a record for %(day)s (submission %(sub)s); "
                        "edit that one instead."
                    )
                    % {
                        "site": values["site"].code,
                        "day": values[day_field],
                        "sub": clash.submission.instance_id if clash.submission else "-",
                    }
                }
            )
        if record is None:
            record = model()
        for name, value in values.items():
            setattr(record, name, value)
        record.submission = entry.submission
        record.recorded_at = timezone.now()
        # Field and model checks; uniqueness was checked above and the database enforces it.
        record.full_clean(exclude=["submission", "site"], validate_constraints=False)
        updating = record.pk is not None
        record.save()
        if updating:
            audit_log(
                action=AuditEvent.Action.DATA_CHANGE,
                actor=by,
                target=f"health.{model._meta.model_name}:{record.pk}",
                details={"replaced_by_submission": getattr(entry.submission, "pk", None)},
            )
        saved.append(record)
    return saved


def _result(rows: Sequence[RecordEntry]) -> BatchResult:
    edits = sum(1 for row in rows if row.replaces)
    return BatchResult(created=len(rows) - edits, updated=edits)


@transaction.atomic
def capacity_assessments_save_batch(
    rows: Sequence[RecordEntry], *, ctx: BatchContext
) -> BatchResult:
    """Store weekly capacity checklists (values: site, point_type, assessed_on, the items,
    health_staff_present, screening_hours_per_day, note), as `ctx.by`'s (intake's contract)."""
    for entry in rows:
        unknown = set(entry.values) - {
            "site",
            "point_type",
            "assessed_on",
            "health_staff_present",
            "screening_hours_per_day",
            "note",
            *CAPACITY_ITEM_FIELDS,
        }
        if unknown:
            raise TypeError(f"unknown capacity fields: {sorted(unknown)}")
    _save_site_day_records(CapacityAssessment, day_field="assessed_on", entries=rows, by=ctx.by)
    return _result(rows)


@transaction.atomic
def poe_statuses_save_batch(rows: Sequence[RecordEntry], *, ctx: BatchContext) -> BatchResult:
    """Store point-of-entry statuses, each effective from its date until the next one, as
    `ctx.by`'s (intake's contract)."""
    _save_site_day_records(PoeStatus, day_field="effective_from", entries=rows, by=ctx.by)
    return _result(rows)
