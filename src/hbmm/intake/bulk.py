"""Bulk: the rows of an imported file through the pipeline, a batch at a time, set by set.

A file is stored whole before any row is read (`channels.files.import_file_store`), so its bytes are
safe; each row then becomes a Submission (channel `file`, the row as JSON, its row number) and
goes through the form's mapper like any submission. Rows are numerous (a flow-monitoring history
is a million rows), so a batch is handled with a constant number of queries:

1. one query finds which rows were received before (same instance id): the same row again
   counts as already received;
2. the new rows are cleaned by the mapper in Python;
3. one insert stores every new row with its outcome (accepted or quarantined with its reasons),
   and the mapper saves the accepted ones with one call to its domain service;

all in one transaction. Step 1 is skipped while the file's rows are all new (the batch before
met no row received before): the insert itself then finds a row received before, by the unique
index on instance ids it has to update anyway, and the batch is rolled back and done again with
step 1. On PostgreSQL that query was a tenth of a 200,000-row import's CPU
(benchmarks/import_bench.py): the index was searched twice for each row, once to look and
once to insert. When that batch save fails (a domain check the mapper's `clean` does not
make, a concurrent writer), the transaction rolls back and the batch goes through the
submission-by-submission path instead (`receive.submission_receive` then
`process.submissions_process`), which finds the culprit rows and quarantines them alone.
Either way, a row is stored by the rules of `intake.submissions` (`submission_new`,
`submissions_insert`): the bulk path states none of its own.
A changed row under a known instance id goes through that path too, and is kept as a
conflict copy for review.
"""

import gc
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from hbmm.intake import submissions
from hbmm.intake.identifiers import Protection
from hbmm.intake.mappers import Item, Mapper, MappingError, get_mapper
from hbmm.intake.models import Channel, ImportFile, Submission, sha256
from hbmm.intake.parsing import alias_map, alias_plan, json_dumps
from hbmm.intake.process import sites_named, submissions_process
from hbmm.intake.receive import submission_receive
from hbmm.places.lookups import Lookups
from hbmm.tabular import TableError, read_rows

Status = Submission.Status
# Rows per batch, each batch one transaction. raw_kept's 10,000 (benchmarks/import_bench.py):
# at 2,000 a 200,000-row import on SQLite spent 4.0 CPU seconds in its 100 commits (each
# rewrites the index pages its hashed instance ids touched), 1.6 s in 20; fewer batches also
# update the month summaries fewer times. A batch still shows its progress in about a second.
BATCH_SIZE = 10_000
INSTANCE_ID_COLUMNS = ("instance_id", "instanceid", "meta/instanceID", "_uuid", "KEY", "uuid")


class RowCounter:
    """Occurrences of each row content within one file, in little memory (a 64-bit integer
    per distinct row; a counter only for rows that repeat)."""

    def __init__(self):
        self.once: set[int] = set()
        self.more: dict[int, int] = {}

    def next(self, digest: str) -> int:
        key = int(digest[:16], 16)
        if key not in self.once:
            self.once.add(key)
            return 0
        occurrence = self.more.get(key, 1)
        self.more[key] = occurrence + 1
        return occurrence


@dataclass
class Row:
    number: int
    instance_id: str
    values: dict  # the cells as text
    payload: str  # the same, as JSON: the raw row kept
    checksum: str


def cell_text(value) -> str:
    """File cells as text (the raw row is stored as JSON); Excel dates become ISO dates."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return text[:10] if text.endswith("T00:00:00") else text
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def row_prepare(kind: str, number: int, values: dict, seen: RowCounter) -> Row:
    """The row as it is kept, and its instance id: an explicit instance id column when the file
    has one (ODK/Kobo exports), else a hash of the row's content; identical rows within one
    file are told apart by their occurrence, so importing the same file twice adds nothing
    while two equal rows in one file both count."""
    # A CSV's cells are text already: cell_text is called only for the others (spreadsheets).
    text_values = {k: v if type(v) is str else cell_text(v) for k, v in values.items() if k}
    payload = json_dumps(text_values)
    checksum = sha256(payload)
    for column in INSTANCE_ID_COLUMNS:
        value = text_values.get(column)
        if value:
            return Row(number, value, text_values, payload, checksum)
    occurrence = seen.next(checksum)
    instance_id = f"file:{kind}:{checksum[:40]}" + (f":{occurrence}" if occurrence else "")
    return Row(number, instance_id, text_values, payload, checksum)


def batches_import(record: ImportFile, *, batch_size: int, options: dict):
    """Import the stored file's rows a batch at a time, yielding after each batch (the file's
    counters are then up to date)."""
    mapper = get_mapper(record.kind)
    if mapper is None:  # import_file_store refuses an unknown kind: its mapper was removed since
        raise TableError(_("Unknown import kind '%s'.") % record.kind)
    cleaner, seen = Cleaner(mapper, record.uploaded_by), RowCounter()
    # Each batch's rows live long enough to reach the oldest generation of the garbage
    # collector, whose full collections then walk every object the process holds (Django,
    # the translations...) again and again: a sixth of a 20,000-row import's CPU time
    # (benchmarks/import_bench.py). What exists before the import is set aside from those
    # collections while it runs, and given back after.
    gc.freeze()
    # A row allocates some hundred objects, nearly all freed by their reference counts: the
    # youngest generation's collections (every 700 allocations) walked the batch's live rows
    # for nothing, ten thousand times per 100,000 rows. Every 100,000 allocations while the
    # import runs (what is cyclic is still collected, later).
    thresholds = gc.get_threshold()
    gc.set_threshold(100_000, *thresholds[1:])
    try:
        yield from _batches(record, mapper, cleaner, seen, batch_size=batch_size, options=options)
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def _batches(record: ImportFile, mapper, cleaner, seen, *, batch_size: int, options: dict):
    with record.file.open("rb") as handle:
        rows = mapper.transform_rows(
            read_rows(handle, filename=record.original_name), options=options
        )
        batch: list[tuple[int, dict]] = []
        # A first run starts looking nothing up; a resumed or repeated run finds its first batch
        # received, and looks up until a batch is all new again.
        look_up = False
        for number, values in rows:
            batch.append((number, values))
            if len(batch) >= batch_size:
                look_up = rows_import(record, batch, seen, cleaner, look_up=look_up)
                batch = []
                yield
        if batch:
            rows_import(record, batch, seen, cleaner, look_up=look_up)
            yield


class Cleaner:
    """A mapper's `clean` over file rows: each row renamed to the mapper's field names (the
    rename plan is made once per header), cleaned, and turned into an outcome
    (row, cleaned values or None, reasons or None, site or site code)."""

    def __init__(self, mapper, submitter):
        self.mapper = mapper
        self.submitter = submitter
        self.aliases = alias_map(mapper.aliases)
        # header -> (the field name of each column, whether each column has one of its own)
        self.plans: dict[tuple, tuple[list, bool]] = {}

    def outcomes(self, rows: list[Row]) -> list[tuple]:
        mapper, site_field, plans = self.mapper, self.mapper.site_field, self.plans
        outcomes: list[tuple] = []
        lookups = Lookups()  # the reference data this batch of rows is checked against
        # Reasons are stored in the deployment's language (as process.submissions_process).
        with translation.override(settings.HBMM_DATA_LANGUAGE):
            for row in rows:
                keys = tuple(row.values)
                found = plans.get(keys)
                if found is None:
                    plan = alias_plan(keys, self.aliases)
                    found = plans[keys] = (plan, None not in plan)
                plan, whole = found
                if whole:  # no column left out: renamed in C, not by a comprehension
                    data = dict(zip(plan, row.values.values(), strict=True))
                else:
                    data = {n: v for n, v in zip(plan, row.values.values(), strict=True) if n}
                try:
                    cleaned = mapper.clean(data, submitter=self.submitter, lookups=lookups)
                except MappingError as exc:
                    code = data.get(site_field) if site_field else None
                    outcomes.append((row, None, exc.errors, code))
                    continue
                site = cleaned.get("site")
                outcomes.append((row, cleaned, None, site if hasattr(site, "pk") else None))
        return outcomes


def rows_import(
    record: ImportFile,
    rows: list[tuple[int, dict]],
    seen: RowCounter,
    cleaner,
    *,
    look_up: bool = True,
) -> bool:
    """Store and process one batch of the file's rows; the file's counters follow. Only the
    rows not received before are cleaned. `look_up=False` stores the batch without looking for
    its rows first (see the module's docstring). Returns whether the batch met rows received
    before (or repeated in it), so that the next batch looks its rows up first."""
    prepared = [row_prepare(record.kind, number, values, seen) for number, values in rows]
    cleaned: list = []
    if not look_up:
        fresh, again, _none = _split(record, prepared, known={})
        cleaned = cleaner.outcomes(fresh)
        if _store(record, cleaner.mapper, cleaned, again, (0, 0, 0), retry=True):
            return bool(again)
    fresh, again, before = _split(record, prepared)
    if cleaned:  # rows cleaned before the insert met a row received before: not cleaned again
        new = {id(row) for row in fresh}
        outcomes = [outcome for outcome in cleaned if id(outcome[0]) in new]
    else:
        outcomes = cleaner.outcomes(fresh)
    _store(record, cleaner.mapper, outcomes, again, before)
    return bool(again) or any(before)


def _split(
    record: ImportFile, rows: list[Row], known: dict | None = None
) -> tuple[list[Row], list[Row], tuple]:
    """(rows never received, changed copies of known rows, (accepted, quarantined, already
    received) among the rows stored before as they are). A row this file stored in an earlier
    run (one a restart interrupted) counts by its outcome; a row another file or channel
    brought counts as already received. `known`: the stored rows, when the caller knows them
    (by default they are read)."""
    if known is None:
        known = {
            instance_id: (checksum, file_id, status)
            for instance_id, checksum, file_id, status in _received([r.instance_id for r in rows])
        }
    fresh, again, in_batch = [], [], set()
    accepted = quarantined = duplicate = 0
    for row in rows:
        found = known.get(row.instance_id)
        if found is not None and found[0] == row.checksum:
            if found[1] != record.pk:
                duplicate += 1  # received before, byte for byte (the same rows imported again)
            elif found[2] == Status.QUARANTINED:
                quarantined += 1
            else:
                accepted += 1  # accepted, or accepted then superseded by an edit
        elif found is not None or row.instance_id in in_batch:
            again.append(row)  # a changed copy of a known row: kept apart as a conflict
        else:
            in_batch.add(row.instance_id)
            fresh.append(row)
    return fresh, again, (accepted, quarantined, duplicate)


def _received(instance_ids: list[str]) -> list[tuple]:
    """(instance id, checksum, file id, status) of the stored originals among `instance_ids`.
    Written in SQL: the ORM prepares each of a batch's thousands of parameters through the field, a
    twentieth of a million-row import's time (benchmarks/import_bench.py, profiled)."""
    if not instance_ids:
        return []
    marks = ", ".join(["%s"] * len(instance_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT instance_id, checksum, source_file_id, status FROM intake_submission"
            f" WHERE instance_id IN ({marks}) AND {Submission.not_a_copy().sql}",
            instance_ids,
        )
        return cursor.fetchall()


def _store(
    record: ImportFile,
    mapper,
    outcomes: list,
    again: list[Row],
    before: tuple,
    *,
    retry: bool = False,
) -> bool:
    """Store a batch's new rows (and count the rows stored before as `before` says). With
    `retry`, a batch whose set-based save fails is left to the caller (nothing stored,
    returns False): its rows were not looked up, and a row received before fails it too."""
    with translation.override(settings.HBMM_DATA_LANGUAGE):
        try:
            with transaction.atomic():
                accepted, quarantined = _outcomes_store(record, mapper, outcomes)
                _counters_add(
                    record,
                    len(outcomes) + sum(before),
                    accepted + before[0],
                    quarantined + before[1],
                    before[2],
                )
        except (MappingError, ValidationError, IntegrityError):
            if retry:
                return False
            _counters_add(record, sum(before), *before)
            # One by one, so that only the culprit rows are quarantined.
            again = [outcome[0] for outcome in outcomes] + again
        if again:
            with transaction.atomic():
                _counters_add(record, len(again), *_rows_one_by_one(record, again))
    record.refresh_from_db(
        fields=["rows_read", "rows_accepted", "rows_quarantined", "rows_duplicate"]
    )
    return True


def _counters_add(
    record: ImportFile, read: int, accepted: int, quarantined: int, duplicate: int
) -> None:
    ImportFile.objects.filter(pk=record.pk).update(
        heartbeat_at=timezone.now(),
        rows_read=F("rows_read") + read,
        rows_accepted=F("rows_accepted") + accepted,
        rows_quarantined=F("rows_quarantined") + quarantined,
        rows_duplicate=F("rows_duplicate") + duplicate,
    )


def _outcomes_store(record: ImportFile, mapper: Mapper, outcomes: list) -> tuple[int, int]:
    """Store each cleaned row with its outcome (one insert) and save the accepted ones into the
    domain (one call of the mapper): (accepted, quarantined)."""
    if not outcomes:
        return 0, 0
    # Quarantined rows are filed under their site (when it exists), so its reviewers see them.
    sites = sites_named([site for _r, cleaned, _e, site in outcomes if cleaned is None])
    now = timezone.now()
    shared = {
        "channel": Channel.FILE,
        "form_id": record.kind,
        "submitter": record.uploaded_by,
        "submitter_name": record.uploaded_by.get_username() if record.uploaded_by else "",
        "received_at": now,
        "payload_format": Submission.Format.ROW,
        "source_file": record,
        "is_demo": record.is_demo,
    }
    protection = Protection(mapper)
    stored = [
        submissions.submission_fields(
            {
                **shared,
                "instance_id": row.instance_id,
                "payload": row.payload,
                "data": row.values,
                "row_number": row.number,
            },
            protection=protection,
            # A file row is an original: its own root (an edit comes through a channel).
            root_id=submissions.root_resolve(instance_id=row.instance_id),
            status=Submission.Status.ACCEPTED
            if cleaned is not None
            else Submission.Status.QUARANTINED,
            errors=errors,
            site=site if cleaned is not None else sites.get(site),
            processed_at=now,
            checksum=row.checksum,
        )
        for row, cleaned, errors, site in outcomes
    ]
    inserted = submissions.submissions_insert(stored)
    items = [
        Item(
            submission_id=done.pk,
            load=done.load,
            cleaned=cleaned,
            submitter=record.uploaded_by,
            channel=Channel.FILE,
            is_demo=record.is_demo,
        )
        for done, (_row, cleaned, _e, _s) in zip(inserted, outcomes, strict=True)
        if cleaned is not None
    ]
    if items:
        mapper.save(items)
    return len(items), len(outcomes) - len(items)


def _rows_one_by_one(record: ImportFile, rows: list[Row]) -> tuple[int, int, int]:
    """The submission-by-submission path: rows received before (duplicates, conflicting
    copies) and batches whose set-based save failed. Returns (accepted, quarantined, already
    received)."""
    received, duplicate = [], 0
    for row in rows:
        result = submission_receive(
            channel=Channel.FILE,
            form_id=record.kind,
            instance_id=row.instance_id,
            payload=row.payload,
            payload_format=Submission.Format.ROW,
            data=row.values,
            submitter=record.uploaded_by,
            source_file=record,
            row_number=row.number,
            is_demo=record.is_demo,
        )
        if result.created and result.submission.status != Status.CONFLICT:
            received.append(result.submission)
        else:
            duplicate += 1
    counts = submissions_process(received)
    return counts[Status.ACCEPTED], counts[Status.QUARANTINED], duplicate
