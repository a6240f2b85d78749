"""Keyset pagination of the API's lists: stable (a page never repeats or skips a row when rows
are added meanwhile) and as fast on the thousandth page as on the first.

A list of records (a table whose rows are a QuerySet) is read in primary-key order: the cursor
is the last key sent, and the next page is `pk > cursor ORDER BY pk LIMIT n`, an index range
scan. Rows added later have larger keys, so a client that keeps the last `next` link gets them
on its next call (incremental sync). Computed tables (a list of tuples, e.g. each point's
latest status) are small: their cursor is an offset.
"""

import base64
import binascii
from dataclasses import dataclass

from django.db.models import QuerySet
from rest_framework.exceptions import ValidationError

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


@dataclass(frozen=True)
class Page:
    rows: list  # tuples in column order
    next_cursor: str | None


def encode_cursor(kind: str, position: int) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{position}".encode()).decode().rstrip("=")


def decode_cursor(text: str | None) -> tuple[str, int] | None:
    if not text:
        return None
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
        kind, _sep, position = raw.partition(":")
        value = int(position)
    except (binascii.Error, UnicodeError, ValueError) as exc:
        raise ValidationError({"cursor": "not a cursor of this API"}) from exc
    if kind not in ("k", "o") or value < 0:
        raise ValidationError({"cursor": "not a cursor of this API"})
    return kind, value


def parse_limit(text: str | None) -> int:
    if not text:
        return DEFAULT_LIMIT
    try:
        limit = int(text)
    except ValueError as exc:
        raise ValidationError({"limit": f"'{text}' is not a number"}) from exc
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationError({"limit": f"must be from 1 to {MAX_LIMIT}"})
    return limit


def keyset_page(rows, keys: list[str], *, cursor: str | None, limit: int) -> Page:
    """One page of `rows` (a QuerySet of records, or an iterable of tuples) as tuples of
    `keys` (the QuerySet's values_list paths)."""
    position = decode_cursor(cursor)
    if isinstance(rows, QuerySet):
        if position is not None and position[0] != "k":
            raise ValidationError({"cursor": "not a cursor of this list"})
        queryset = rows.order_by("pk")
        if position is not None:
            queryset = queryset.filter(pk__gt=position[1])
        values = list(queryset.values_list("pk", *keys)[: limit + 1])
        more = len(values) > limit
        values = values[:limit]
        return Page(
            rows=[v[1:] for v in values],
            next_cursor=encode_cursor("k", values[-1][0]) if more else None,
        )
    if position is not None and position[0] != "o":
        raise ValidationError({"cursor": "not a cursor of this list"})
    offset = position[1] if position is not None else 0
    everything = list(rows)
    page = everything[offset : offset + limit]
    more = offset + limit < len(everything)
    return Page(rows=page, next_cursor=encode_cursor("o", offset + limit) if more else None)
