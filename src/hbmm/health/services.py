"""Writes in the health app (epidemiological series, point-of-entry capacity and status).

Every write arrives here from the intake pipeline (file imports, XLSForm submissions, the web
forms, which submit through the same pipeline): the mapper validates, these services write,
one transaction per batch, each record linked to the submission it came from.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hbmm.accounts.models import AuditEvent
from hbmm.accounts.services import audit_log
from hbmm.health.epi.models import EpiValue
from hbmm.health.poe.models import CAPACITY_ITEM_FIELDS, CapacityAssessment, PoeStatus
from hbmm.places.models import AdminArea


@dataclass
class EpiEntry:
    """Cumulative values reported for one area on one day by one source."""

    area: AdminArea
    day: dt.date
    source: str
    values: dict[str, int]  # metric -> cumulative value
    submission: object | None = None  # intake.Submission
    replaces: list = field(default_factory=list)  # records of the submission's previous version


@transaction.atomic
def epi_values_record(*, entries: list[EpiEntry]) -> int:
    """Store reported cumulative values as reported (insert, or replace the value of the same
    area, day, metric and source). Records of an edited submission's previous version that the
    new version no longer reports are removed. Returns the number of values written."""
    now = timezone.now()
    rows: dict[tuple, EpiValue] = {}
    stale: set[int] = set()
    for entry in entries:
        keys = set()
        for metric, value in entry.values.items():
            key = (entry.area.pk, entry.day, metric, entry.source)
            keys.add(key)
            rows[key] = EpiValue(
                area=entry.area,
                day=entry.day,
                metric=metric,
                value=value,
                source=entry.source,
                submission=entry.submission,
                recorded_at=now,
            )
        stale.update(
            r.pk for r in entry.replaces if (r.area_id, r.day, r.metric, r.source) not in keys
        )
    if stale:
        EpiValue.objects.filter(pk__in=stale).delete()
    _audit_epi_revisions(rows)
    EpiValue.objects.bulk_create(
        list(rows.values()),
        update_conflicts=True,
        unique_fields=["area", "day", "metric", "source"],
        update_fields=["value", "submission", "recorded_at"],
    )
    return len(rows)


def _audit_epi_revisions(rows: dict[tuple, EpiValue]) -> None:
    """A reported value replaced by a different one (a source revised its figures) is written
    to the audit log: the new value is stored, the old one stays in its raw submission."""
    if not rows:
        return
    areas = {k[0] for k in rows}
    days = [k[1] for k in rows]
    current = EpiValue.objects.filter(
        area_id__in=areas,
        source__in={k[3] for k in rows},
        day__gte=min(days),
        day__lte=max(days),
    ).values_list("area_id", "day", "metric", "source", "value", "submission_id")
    changes = []
    for area_id, day, metric, source, value, submission_id in current:
        new = rows.get((area_id, day, metric, source))
        if new is not None and new.value != value:
            changes.append(
                {
                    "area": area_id,
                    "day": day.isoformat(),
                    "metric": metric,
                    "source": source,
                    "old": value,
                    "new": new.value,
                    "old_submission": submission_id,
                    "new_submission": getattr(new.submission, "pk", None),
                }
            )
    if changes:
        sender = next(
            (v.submission for v in rows.values() if getattr(v.submission, "submitter_id", None)),
            None,
        )
        audit_log(
            action=AuditEvent.Action.DATA_CHANGE,
            actor=sender.submitter if sender else None,
            target="health.epivalue",
            details={"revised": len(changes), "changes": changes[:50]},
        )


@dataclass
class RecordEntry:
    """One record's field values from one submission (capacity assessment or status)."""

    values: dict
    submission: object | None = None
    replaces: list = field(default_factory=list)


def _save_site_day_records(model, *, day_field: str, entries: list[RecordEntry], by=None):
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


@transaction.atomic
def capacity_assessments_record(*, entries: list[RecordEntry], by=None) -> list[CapacityAssessment]:
    """Store weekly capacity checklists (values: site, point_type, assessed_on, the items,
    health_staff_present, screening_hours_per_day, note)."""
    for entry in entries:
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
    return _save_site_day_records(
        CapacityAssessment, day_field="assessed_on", entries=entries, by=by
    )


@transaction.atomic
def poe_statuses_record(*, entries: list[RecordEntry], by=None) -> list[PoeStatus]:
    """Store point-of-entry statuses, each effective from its date until the next one."""
    return _save_site_day_records(PoeStatus, day_field="effective_from", entries=entries, by=by)
