"""Keeping the flow counts' month summary (`FlowMonthSummary`) equal to the records.

The one write of flow counts (`hbmm.mobility.services.flow_counts_save`: creates, batch saves
from the intake, edits that replace a record, corrections and reprocessing, which all replace
through it) keeps the summary in its own transaction, so summary and records commit or roll
back together: a batch that only adds counts adds its sums (`flow_summaries_add`, one atomic
upsert); a batch that replaces records recomputes the (point, month) rows it touched from the
records (`flow_summaries_refresh`).

`flow_summaries_drift` recomputes everything and lists the rows that differ (`hbmm summaries
--check`); `flow_summaries_rebuild` rewrites the table from the records (`--rebuild`).
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet, Sum

from hbmm.mobility.models import Direction, FlowCount
from hbmm.mobility.summary_models import FlowMonthSummary

FIELDS = ("individuals", "incoming", "outgoing", "internal", "records", "days_mask")
_DIRECTION_FIELDS = {
    Direction.INCOMING: "incoming",
    Direction.OUTGOING: "outgoing",
    Direction.INTERNAL: "internal",
}


_DIRECTION_INDEX = {Direction.INCOMING: 0, Direction.OUTGOING: 1, Direction.INTERNAL: 2}


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _month_end(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def summarise(records: QuerySet) -> dict[tuple[int, dt.date], dict]:
    """{(site id, month): the summary values} of the flow counts `records`, computed from them."""
    found: dict[tuple[int, dt.date], dict] = {}
    rows = (
        records.order_by()
        .values_list("site_id", "observation_date", "direction")
        .annotate(n=Sum("total"), c=Count("pk"))
    )
    for site_id, day, direction, n, c in rows:
        row = found.setdefault(
            (site_id, month_of(day)),
            {"individuals": 0, "incoming": 0, "outgoing": 0, "internal": 0, "records": 0,
             "days_mask": 0},
        )  # fmt: skip
        row["individuals"] += n
        row[_DIRECTION_FIELDS[direction]] += n
        row["records"] += c
        row["days_mask"] |= 1 << (day.day - 1)
    return found


def _months(keys: Iterable[tuple[int, dt.date]]) -> dict[dt.date, set[int]]:
    by_month: dict[dt.date, set[int]] = defaultdict(set)
    for site_id, month in keys:
        by_month[month_of(month)].add(site_id)
    return by_month


@transaction.atomic
def flow_summaries_refresh(*, keys: Iterable[tuple[int, dt.date]]) -> None:
    """Recompute the summary rows of the (site id, any day of the month) pairs `keys` from the
    flow counts (a pair left without any count loses its row). Three queries whatever the
    months a batch touches (tests/intake/test_file_rows.py: no cost per row)."""
    by_month = _months(keys)
    if not by_month:
        return
    rows, records = Q(), Q()
    for month, site_ids in by_month.items():
        ids = sorted(site_ids)
        rows |= Q(month=month, site_id__in=ids)
        records |= Q(site_id__in=ids, observation_date__range=(month, _month_end(month)))
    FlowMonthSummary.objects.filter(rows).delete()
    FlowMonthSummary.objects.bulk_create(
        FlowMonthSummary(site_id=site_id, month=key_month, **values)
        for (site_id, key_month), values in summarise(FlowCount.objects.filter(records)).items()
    )


_ADDED = ("individuals", "incoming", "outgoing", "internal", "records")


def flow_summaries_add(*, rows: Sequence[dict]) -> None:
    """Add new flow counts (dicts with `site`, `observation_date`, `direction`, `total`) to
    their months' summary rows, in one statement: the batch's sums added, the days or-ed in.

    An import's batch adds rows and replaces none, so its months need not be recomputed: a
    recompute read every count of each touched month again (a third of a 20,000-row import's
    CPU), and two imports recomputing one month at once could each miss the other's rows. The
    upsert adds atomically under the row's lock on both engines (INSERT ... ON CONFLICT)."""
    deltas: dict[tuple[int, dt.date], list[int]] = {}
    for row in rows:
        day, n = row["observation_date"], row.get("total") or 0
        sums = deltas.setdefault((row["site"].pk, month_of(day)), [0, 0, 0, 0, 0, 0])
        sums[0] += n
        sums[1 + _DIRECTION_INDEX[row["direction"]]] += n
        sums[4] += 1
        sums[5] |= 1 << (day.day - 1)
    if not deltas:
        return
    table = connection.ops.quote_name(FlowMonthSummary._meta.db_table)
    columns = ("site_id", "month", *_ADDED, "days_mask")
    marks = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(deltas))
    added = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in _ADDED)
    params = [
        value
        for (site_id, month), sums in sorted(deltas.items())
        for value in (site_id, connection.ops.adapt_datefield_value(month), *sums)
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES {marks}"
            f" ON CONFLICT (site_id, month) DO UPDATE SET {added},"
            f" days_mask = {table}.days_mask | excluded.days_mask",
            params,
        )


def _record_months() -> list[dt.date]:
    return list(FlowCount.objects.dates("observation_date", "month"))


@transaction.atomic
def flow_summaries_rebuild() -> int:
    """Rewrite the whole summary from the flow counts, a month at a time; returns the rows."""
    FlowMonthSummary.objects.all().delete()
    written = 0
    for month in _record_months():
        values = summarise(
            FlowCount.objects.filter(
                observation_date__gte=month, observation_date__lte=_month_end(month)
            )
        )
        FlowMonthSummary.objects.bulk_create(
            (FlowMonthSummary(site_id=s, month=m, **v) for (s, m), v in values.items()),
            batch_size=2000,
        )
        written += len(values)
    return written


def flow_summaries_drift() -> list[tuple[int, dt.date, dict | None, dict | None]]:
    """The summary rows that differ from their records: (site id, month, stored values or None,
    values computed from the records or None), by month and site; empty when they agree."""
    stored: dict[tuple[int, dt.date], dict] = {}
    for row in FlowMonthSummary.objects.values("site_id", "month", *FIELDS):
        stored[(row.pop("site_id"), row.pop("month"))] = row
    months = sorted(set(_record_months()) | {m for _s, m in stored})
    drift = []
    for month in months:
        computed = summarise(
            FlowCount.objects.filter(
                observation_date__gte=month, observation_date__lte=_month_end(month)
            )
        )
        keys = {k for k in stored if k[1] == month} | set(computed)
        for key in sorted(keys):
            have, want = stored.get(key), computed.get(key)
            if have != want:
                drift.append((key[0], key[1], have, want))
    return drift
