"""Set-based inserts for the paths that write many rows at once (file imports).

The ORM's `bulk_create` prepares every value through its field and, on SQLite, splits a batch
into 999-parameter statements: on a million-row import that preparation costs more than the
database. `insert_rows` adapts only the columns whose type needs it, then writes the whole
batch with one COPY (PostgreSQL) or one executemany (SQLite).
"""

import json
from collections.abc import Callable, Collection, Sequence
from operator import itemgetter

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Model

# Values of these field types go to the driver as Python gives them.
_PLAIN_TYPES = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "ForeignKey",
    "IntegerField",
    "PositiveBigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SlugField",
    "SmallIntegerField",
    "TextField",
}


# One encoder (json.dumps with an option builds one per call, once per row and JSON column).
_JSON = json.JSONEncoder(ensure_ascii=False).encode


def _adapter(field, conn) -> Callable | None:
    # `conn` is the connection itself, not django.db.connection: that proxy looks the
    # connection up on every attribute read, once per value of a million-row import.
    kind = field.get_internal_type()
    if not type(field).__module__.startswith("django."):
        # A project field that stores a plain type prepares its values itself (an encrypted
        # text field reports itself a TextField: written as given, it would be clear text).
        return lambda value: field.get_db_prep_save(value, conn)
    if kind in _PLAIN_TYPES:
        return None
    if kind == "JSONField":
        # COPY takes JSON as text; SQLite stores it as text.
        return lambda value: None if value is None else _JSON(value)
    if kind == "DateField":
        return conn.ops.adapt_datefield_value
    if kind == "DateTimeField":
        return lambda value: field.get_db_prep_value(value, conn)
    if kind == "DecimalField":
        adapt, digits, places = (
            conn.ops.adapt_decimalfield_value,
            field.max_digits,
            field.decimal_places,
        )
        return lambda value: adapt(value, digits, places)
    return lambda value: field.get_db_prep_save(value, conn)


def insert_rows(
    model: type[Model],
    columns: Sequence[str],
    rows: Sequence[Sequence],
    *,
    serialised: Collection[str] = (),
) -> None:
    """Insert `rows` (tuples of values for the model fields `columns`, by attribute name:
    `site_id`, not `site`) into the model's table; the values of the `serialised` columns are
    given as the database takes them (JSON as text). Constraints apply as for any insert; an
    IntegrityError leaves the surrounding transaction to roll back."""
    if not rows:
        return
    meta = model._meta
    fields = [meta.get_field(name) for name in columns]  # get_field knows attnames too
    conn = connections[DEFAULT_DB_ALIAS]  # writes go to the primary (hbmm.routers)
    adapters = [
        (i, adapt)
        for i, (field, adapt) in enumerate(
            zip(fields, (_adapter(f, conn) for f in fields), strict=True)
        )
        if adapt is not None and field.attname not in serialised
    ]
    if adapters:
        # A value repeated down a column (the batch's timestamp, an empty JSON object) is
        # adapted once.
        last = [(object(), None)] * len(fields)
        adapted = []
        for row in rows:
            row = list(row)
            for i, adapt in adapters:
                value = row[i]
                previous = last[i][0]
                if value is not previous and (
                    type(value) is not type(previous) or value != previous
                ):
                    last[i] = (value, adapt(value))
                row[i] = last[i][1]
            adapted.append(row)
        rows = adapted
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    names = ", ".join(quote(f.column) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The driver's own cursor: its errors are made Django's here (a unique violation
            # is an IntegrityError, which callers catch), as Django's cursor does for its own.
            with (
                conn.wrap_database_errors,
                cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", rows)


def ids_reserve(model: type[Model], count: int) -> list[int]:
    """`count` new primary keys for rows `insert_rows` will insert with their `id`, so that no
    query has to find the inserted rows again. Call it inside the transaction that inserts
    them: on SQLite that transaction holds the write lock, so nobody else takes these ids."""
    if count <= 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return sorted(row[0] for row in cursor.fetchall())
        # AUTOINCREMENT never gives an id again, even one whose row was deleted: start above
        # both the largest id and the largest ever given.
        cursor.execute(
            f"SELECT MAX(COALESCE((SELECT MAX(id) FROM {connection.ops.quote_name(table)}), 0),"
            " COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0))",
            [table],
        )
        start = cursor.fetchone()[0] + 1
    return list(range(start, start + count))


_ABSENT = object()


def dict_rows(model: type[Model], columns: Sequence[str], dicts: Sequence[dict]) -> list[tuple]:
    """Tuples of `columns` (attribute names) for insert_rows, from dicts keyed by field name.
    A relation is given as its object (`site`) or its id (`site_id`); a field left out takes
    its default, computed once for the batch (one `entered_at` for rows entered together)."""
    meta = model._meta
    keys, defaults, relations = [], {}, []
    for i, attname in enumerate(columns):
        field = meta.get_field(attname)
        default = field.get_default()
        keys.append(field.name)
        if field.is_relation:
            defaults[field.name] = _ABSENT  # then the id, or the default
            relations.append((i, attname, default))
        else:
            defaults[field.name] = default
    # A million-row import goes through here twice a row: each row is completed with the
    # defaults and read with one itemgetter (both in C), not a Python call per column.
    get = itemgetter(*keys) if len(keys) > 1 else (lambda d, key=keys[0]: (d[key],))
    if not relations:
        return [get({**defaults, **d}) for d in dicts]
    rows = []
    for d in dicts:
        row = list(get({**defaults, **d}))
        for i, attname, default in relations:
            related = row[i]
            if related is _ABSENT:
                row[i] = d.get(attname, default)
            elif related is not None:
                row[i] = related.pk
        rows.append(tuple(row))
    return rows


def concrete_columns(model: type[Model]) -> list[str]:
    """Every stored column of `model` but its automatic primary key, by attribute name."""
    return [f.attname for f in model._meta.concrete_fields if not f.primary_key]
