"""Re-encrypting stored personal data with the current field key (`hbmm rotate_keys`).

Every `EncryptedTextField` of every installed model is found by its class, so a new model is
covered the day it is written. Values are read as stored (tokens), batch by batch in primary
key order; a value not encrypted with the first key of FIELD_ENCRYPTION_KEY is re-encrypted
with it. Each batch is one short transaction, and each row is written only if it still holds
the token that was read (a value changed meanwhile was written with the first key already):
the application keeps serving during a rotation, because MultiFernet reads a value under any
configured key.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field

from django.apps import apps
from django.db import connection, transaction
from django.db.models import Model

from hbmm.crypto import DecryptionError, is_current, reencrypt
from hbmm.fields import EncryptedTextField


@dataclass
class ColumnCount:
    """What a rotation (or a check) found in one encrypted column."""

    label: str  # app_label.Model.field
    current: int = 0  # already under the first key
    rotated: int = 0  # re-encrypted now (or, for a check, not under the first key)
    unreadable: int = 0  # no configured key decrypts it
    unreadable_ids: list = field(default_factory=list)  # the first few, to look at


def encrypted_fields() -> dict[type[Model], list[EncryptedTextField]]:
    """Every model that stores encrypted values, with those fields (its own table's)."""
    found = {}
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        fields = [f for f in meta.local_concrete_fields if isinstance(f, EncryptedTextField)]
        if fields:
            found[model] = fields
    return found


def _batches(model: type[Model], columns: list[str], batch_size: int) -> Iterator[list[tuple]]:
    """(pk, token, token...) rows with at least one non-empty value, in primary key order."""
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    selected = ", ".join(quote(c) for c in columns)
    any_value = " OR ".join(f"({quote(c)} IS NOT NULL AND {quote(c)} <> '')" for c in columns)
    last = None
    while True:
        after = f"{pk} > %s AND " if last is not None else ""
        params: list[int] = [last] if last is not None else []
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {pk}, {selected} FROM {table} WHERE {after}({any_value}) "
                f"ORDER BY {pk} LIMIT %s",
                [*params, batch_size],
            )
            rows = cursor.fetchall()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def encrypted_values_rotate(*, batch_size: int = 500, dry_run: bool = False) -> list[ColumnCount]:
    """Re-encrypt with the first key every encrypted value stored under another key.

    With `dry_run`, write nothing: `rotated` then counts the values a rotation would rewrite
    (0 everywhere means the older keys can be removed from FIELD_ENCRYPTION_KEY)."""
    quote = connection.ops.quote_name
    counts = []
    for model, fields in encrypted_fields().items():
        columns = [f.column for f in fields]
        column_counts = [ColumnCount(f"{model._meta.label}.{f.name}") for f in fields]
        table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
        for rows in _batches(model, columns, batch_size):
            updates: list[list[tuple]] = [[] for _ in columns]
            for row in rows:
                for i, token in enumerate(row[1:]):
                    count = column_counts[i]
                    if not token:
                        continue
                    if is_current(token):
                        count.current += 1
                        continue
                    try:
                        new = token if dry_run else reencrypt(token)
                    except DecryptionError:
                        count.unreadable += 1
                        if len(count.unreadable_ids) < 10:
                            count.unreadable_ids.append(row[0])
                        continue
                    count.rotated += 1
                    updates[i].append((new, row[0], token))
            if dry_run:
                continue
            with transaction.atomic(), connection.cursor() as cursor:
                for column, values in zip(columns, updates, strict=True):
                    if values:
                        cursor.executemany(
                            f"UPDATE {table} SET {quote(column)} = %s "
                            f"WHERE {pk} = %s AND {quote(column)} = %s",
                            values,
                        )
        counts.extend(column_counts)
    return counts
