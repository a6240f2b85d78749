"""Writes of the points of entry: capacity assessments and operational statuses.

They arrive from the intake pipeline (the XLSForms and web forms): the mapper
(`poe.intake_mappers`) validates, these services write, one transaction per batch, each record
linked to the submission it came from.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hbmm.accounts.models import AuditEvent
from hbmm.accounts.services import audit_log
from hbmm.health.poe.models import Answer, CapacityAssessment, PoeStatus
from hbmm.intake.mappers import BatchContext, BatchResult, Row
from hbmm.places.models import Site


@dataclass(frozen=True, slots=True)
class CapacityRow(Row):
    """One `poe_capacity` form, cleaned (`CapacityMapper.clean`): a row of
    `capacity_assessments_save_batch`. Each checklist item is a field (`CAPACITY_ITEM_FIELDS`),
    a missing answer "not assessed". `existing` is the checklist the submission's previous
    version made (an edit updates it)."""

    submission_id: int
    site: Site
    assessed_on: dt.date
    point_type: str = ""
    health_staff_present: int | None = None
    screening_hours_per_day: Decimal | None = None
    note: str = ""
    surveillance_system: str = Answer.NOT_ASSESSED
    traveller_awareness: str = Answer.NOT_ASSESSED
    community_awareness: str = Answer.NOT_ASSESSED
    isolation_space: str = Answer.NOT_ASSESSED
    handwashing: str = Answer.NOT_ASSESSED
    screening_equipment: str = Answer.NOT_ASSESSED
    ppe_stock: str = Answer.NOT_ASSESSED
    trained_staff: str = Answer.NOT_ASSESSED
    referral_pathway: str = Answer.NOT_ASSESSED
    data_tool: str = Answer.NOT_ASSESSED
    existing: CapacityAssessment | None = None

    @property
    def day(self) -> dt.date:
        return self.assessed_on


@dataclass(frozen=True, slots=True)
class StatusRow(Row):
    """One `poe_status` form, cleaned (`StatusMapper.clean`): a row of
    `poe_statuses_save_batch`. `existing` is the status the submission's previous version
    made (an edit updates it)."""

    submission_id: int
    site: Site
    effective_from: dt.date
    status: str
    restriction: str = ""
    populations_affected: list[str] = field(default_factory=list)
    health_measures: list[str] = field(default_factory=list)
    daily_inflow: int | None = None
    daily_outflow: int | None = None
    note: str = ""
    existing: PoeStatus | None = None

    @property
    def day(self) -> dt.date:
        return self.effective_from


PoeRow = CapacityRow | StatusRow


def _save_site_day_records(model, *, day_field: str, rows: Sequence[PoeRow], by=None):
    """Create or update records keyed by (site, day): an edit of a submission updates the
    record made from its previous version; another submission for the same point and day is
    refused (it would silently overwrite someone else's record)."""
    saved = []
    for row in rows:
        record = row.existing
        clash = (
            model.objects.filter(site=row.site, **{day_field: row.day})
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
                        "site": row.site.code,
                        "day": row.day,
                        "sub": clash.submission.instance_id if clash.submission else "-",
                    }
                }
            )
        if record is None:
            record = model()
        for name, value in row.fields().items():  # the submission's id among them
            setattr(record, name, value)
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
                details={"replaced_by_submission": row.submission_id},
            )
        saved.append(record)
    return saved


def _result(rows: Sequence[PoeRow]) -> BatchResult:
    edits = sum(1 for row in rows if row.existing is not None)
    return BatchResult(created=len(rows) - edits, updated=edits)


@transaction.atomic
def capacity_assessments_save_batch(
    rows: Sequence[CapacityRow], *, ctx: BatchContext
) -> BatchResult:
    """Store weekly capacity checklists, as `ctx.by`'s (intake's contract)."""
    _save_site_day_records(CapacityAssessment, day_field="assessed_on", rows=rows, by=ctx.by)
    return _result(rows)


@transaction.atomic
def poe_statuses_save_batch(rows: Sequence[StatusRow], *, ctx: BatchContext) -> BatchResult:
    """Store point-of-entry statuses, each effective from its date until the next one, as
    `ctx.by`'s (intake's contract)."""
    _save_site_day_records(PoeStatus, day_field="effective_from", rows=rows, by=ctx.by)
    return _result(rows)
