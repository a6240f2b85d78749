"""Keeping the screenings' day summary (`ScreeningDay`) equal to the records.

As for the flow counts (`hbmm.mobility.summaries`): a summary row is never adjusted by a
difference, it is recomputed from the screenings of its point and day. Every write of a
screening calls `screening_days_refresh` with the (point, day) pairs it touched, inside its own
transaction: `screening_create`, `_screenings_create_many` (intake batches), `screening_update`
(edits, corrections and reprocessing: the old and the new pair), `screening_decide` and the
workflow's `step_save` (isolation, notification, referral, sampling, result); a sample's
steps (`hbmm.health.labs`) send `screening_changed`, received below.
"""

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import QuerySet

from hbmm.health.screening.models import Screening
from hbmm.health.screening.summary_models import COUNTED, ScreeningDay
from hbmm.health.steps import screening_changed
from hbmm.periods import midnight


def key_of(screening: Screening) -> tuple[int, dt.date]:
    """The (point id, UTC day) a screening is counted under."""
    return screening.point_id, screening.screened_at.astimezone(dt.UTC).date()


def summarise(records: QuerySet) -> dict[tuple[int, dt.date], dict]:
    """{(point id, day): counts} of the screenings `records`, computed from them."""
    found: dict[tuple[int, dt.date], dict] = {}
    rows = records.order_by().values_list(
        "point_id",
        "screened_at",
        "has_symptoms",
        "is_suspect",
        "isolated_at",
        "notified_at",
        "referred_at",
        "sampled_at",
        "lab_result",
    )
    for point_id, at, symptoms, suspect, isolated, notified, referred, sampled, result in rows:
        key = (point_id, at.astimezone(dt.UTC).date())
        row = found.setdefault(key, dict.fromkeys(COUNTED, 0))
        row["screened"] += 1
        row["with_symptoms"] += bool(symptoms)
        row["suspect"] += bool(suspect)
        row["isolated"] += isolated is not None
        row["notified"] += notified is not None
        row["referred"] += referred is not None
        row["sampled"] += sampled is not None
        row["positive"] += result == Screening.LabResult.POSITIVE
    return found


def _runs(days: Iterable[dt.date], gap: int = 31) -> list[list[dt.date]]:
    """The days in runs whose consecutive days are at most `gap` days apart."""
    runs: list[list[dt.date]] = []
    for day in sorted(set(days)):
        if runs and (day - runs[-1][-1]).days <= gap:
            runs[-1].append(day)
        else:
            runs.append([day])
    return runs


@transaction.atomic
def screening_days_refresh(*, keys: Iterable[tuple[int, dt.date]]) -> None:
    """Recompute the summary rows of the (point id, day) pairs `keys` from the screenings: the
    rows of every point and day of `keys` (their cross product, a few more than `keys`), three
    queries per run of days (a batch of field submissions is one run: a constant cost)."""
    keys = list(keys)
    point_ids = sorted({point_id for point_id, _day in keys})
    for run in _runs(day for _point, day in keys):
        ScreeningDay.objects.filter(day__in=run, point_id__in=point_ids).delete()
        records = Screening.objects.filter(
            point_id__in=point_ids,
            screened_at__gte=midnight(run[0]),
            screened_at__lt=midnight(run[-1] + dt.timedelta(days=1)),
        )
        wanted = set(run)
        ScreeningDay.objects.bulk_create(
            ScreeningDay(point_id=p, day=d, **values)
            for (p, d), values in summarise(records).items()
            if d in wanted
        )


def _days() -> list[dt.date]:
    times = Screening.objects.order_by("screened_at").values_list("screened_at", flat=True)
    earliest, latest = times.first(), times.last()
    if earliest is None or latest is None:
        return []
    first, last = earliest.astimezone(dt.UTC).date(), latest.astimezone(dt.UTC).date()
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def _of_month(days: list[dt.date]):
    """The days in runs of about a month (one read of the records each)."""
    for index in range(0, len(days), 31):
        chunk = days[index : index + 31]
        yield chunk[0], chunk[-1]


@transaction.atomic
def screening_days_rebuild() -> int:
    """Rewrite the whole summary from the screenings; returns the rows written."""
    ScreeningDay.objects.all().delete()
    written = 0
    for first, last in _of_month(_days()):
        values = summarise(
            Screening.objects.filter(
                screened_at__gte=midnight(first),
                screened_at__lt=midnight(last + dt.timedelta(days=1)),
            )
        )
        ScreeningDay.objects.bulk_create(
            (ScreeningDay(point_id=p, day=d, **v) for (p, d), v in values.items()),
            batch_size=2000,
        )
        written += len(values)
    return written


def screening_days_drift() -> list[tuple[int, dt.date, dict | None, dict | None]]:
    """The summary rows that differ from their records (point id, day, stored, computed)."""
    stored = {
        (row.pop("point_id"), row.pop("day")): row
        for row in ScreeningDay.objects.values("point_id", "day", *COUNTED)
    }
    computed: dict[tuple[int, dt.date], dict] = {}
    for first, last in _of_month(_days()):
        computed.update(
            summarise(
                Screening.objects.filter(
                    screened_at__gte=midnight(first),
                    screened_at__lt=midnight(last + dt.timedelta(days=1)),
                )
            )
        )
    return [
        (key[0], key[1], stored.get(key), computed.get(key))
        for key in sorted(set(stored) | set(computed))
        if stored.get(key) != computed.get(key)
    ]


def _on_screening_changed(sender, *, screening: Screening, **kwargs) -> None:
    screening_days_refresh(keys=[key_of(screening)])


# A sample's steps (hbmm.health.labs) write the screening's sample and result; the day summary
# follows, in their transaction (a receiver runs inside the send).
screening_changed.connect(_on_screening_changed, dispatch_uid="screening_day_summary")
