"""Writes of the epidemiological series: values reported by a source for an area and a day.

They arrive from the intake pipeline (series files, the bulletin's XLSForm and web form): the
mapper (`epi.intake_mappers`) validates, `epi_values_save_batch` writes one batch in one
transaction, each value linked to the submission it came from.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from hbmm.accounts.models import AuditEvent
from hbmm.accounts.services import audit_log
from hbmm.health.epi.models import EpiValue
from hbmm.intake.mappers import BatchContext, BatchResult
from hbmm.places.models import AdminArea


@dataclass(frozen=True, slots=True)
class EpiEntry:
    """Cumulative values reported for one area on one day by one source."""

    area: AdminArea
    day: dt.date
    source: str
    values: dict[str, int]  # metric -> cumulative value
    submission: object | None = None  # intake.Submission
    replaces: list = field(default_factory=list)  # records of the submission's previous version


@transaction.atomic
def epi_values_save_batch(rows: Sequence[EpiEntry], *, ctx: BatchContext) -> BatchResult:
    """Store reported cumulative values as reported (insert, or replace the value of the same
    area, day, metric and source): intake's contract. Records of an edited submission's
    previous version that the new version no longer reports are removed. `created` counts the
    values written."""
    now = timezone.now()
    written: dict[tuple, EpiValue] = {}
    stale: set[int] = set()
    for entry in rows:
        keys = set()
        for metric, value in entry.values.items():
            key = (entry.area.pk, entry.day, metric, entry.source)
            keys.add(key)
            written[key] = EpiValue(
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
    _audit_epi_revisions(written)
    EpiValue.objects.bulk_create(
        list(written.values()),
        update_conflicts=True,
        unique_fields=["area", "day", "metric", "source"],
        update_fields=["value", "submission", "recorded_at"],
    )
    return BatchResult(created=len(written))


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
