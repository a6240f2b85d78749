"""What the pulls from ODK Central (`pull_central`) and KoboToolbox (`pull_kobo`) share: the
errors, the counts, a pulled record in the pipeline's terms, the checks that turn a broken
server answer into a clear PullError, and the window re-read behind a watermark.

The window (settings.HBMM_PULL_LOOKBACK_SECONDS, 15 minutes by default): a server stamps a
submission when its insert transaction starts and the row becomes visible when that
transaction commits, so a row stamped earlier can appear after a later-stamped one was pulled.
Each run asks again for everything stamped from `watermark - window` on; the rows already
stored are recognised by their instance id and skipped (docs/forms.md, "Pulls").
"""

import datetime as dt
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from hbmm.intake.parsing import json_dumps

TIMEOUT = 60
MAX_PAGES = 100_000  # a server answering `next` forever is a server bug: stop somewhere


class PullError(Exception):
    """The server could not be read (network, authentication, unexpected answer)."""


@dataclass
class PullCounts:
    pages: int = 0
    fetched: int = 0
    new: int = 0
    known: int = 0
    accepted: int = 0
    quarantined: int = 0
    superseded: int = 0
    refused: int = 0
    attachments: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "errors"}


@dataclass
class Record:
    """One pulled submission, in the pipeline's terms."""

    instance_id: str
    root_id: str
    deprecated_id: str
    form_version: str
    submitter_name: str
    device_id: str
    raw: dict
    attachments: list[tuple[str, str]]  # (file name, URL to fetch it)


@dataclass(frozen=True)
class Pass:
    """One reading of a source: by `stamp`, its high mark kept in the source's `field`.
    `sweep`: the field holds a cursor (KoboToolbox's edited records), not a time."""

    stamp: str
    field: str
    sweep: bool = False


@dataclass
class Page:
    """The rows of a page and the cursor to the next one ("" when this one is the last)."""

    rows: list[dict]
    cursor: str


def lookback_seconds() -> int:
    return int(getattr(settings, "HBMM_PULL_LOOKBACK_SECONDS", 900))


_STAMP = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)?")


def stamp_earlier(stamp: str, seconds: int) -> str:
    """`stamp` (ISO 8601 as the server writes it) moved `seconds` back, written the same way
    (same fraction digits, same zone suffix), so that servers comparing stamps as text (Kobo's
    MongoDB) and as times (Central) both read it right."""
    match = _STAMP.fullmatch(stamp.strip())
    if match is None:
        raise PullError(
            _("The time %(stamp)s of the last pull cannot be read (ISO 8601 expected).")
            % {"stamp": stamp}
        )
    whole, fraction, zone = match.groups()
    moment = dt.datetime.fromisoformat(whole + (fraction or "")[:7])
    earlier = moment - dt.timedelta(seconds=seconds)
    text = earlier.strftime("%Y-%m-%dT%H:%M:%S")
    if fraction:
        digits = len(fraction) - 1
        text += "." + f"{earlier.microsecond:06d}"[:digits].ljust(digits, "0")
    return text + (zone or "")


def uuid_text(value) -> str:
    text = str(value or "").strip()
    return text if not text or text.startswith("uuid:") else f"uuid:{text}"


# --- What the servers answer: checked, so that a broken answer is a clear PullError ----------


def answer_json(response):
    """The JSON of a server's answer, or a PullError saying that it is not JSON."""
    try:
        return response.json()
    except ValueError:
        start = response.text[:60].strip()
        raise PullError(
            _("%(url)s: the answer is not JSON (it begins with “%(start)s”).")
            % {"url": response.request.url, "start": start}
        ) from None


def page_rows(body, key: str, url: str) -> list[dict]:
    """The rows of a page: `body[key]`, a list of objects (PullError otherwise)."""
    rows = body.get(key) if isinstance(body, dict) else None
    if not isinstance(rows, list):
        raise PullError(
            _("%(url)s: the answer is not a page of submissions (no “%(key)s” list).")
            % {"url": url, "key": key}
        )
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            raise PullError(
                _("%(url)s: row %(number)d of the page is not a submission (not an object).")
                % {"url": url, "number": number}
            )
    return rows


def row_object(row: dict, key: str) -> dict:
    """`row[key]`, an object or absent ({}); PullError when it is something else."""
    value = row.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise PullError(
            _("The submission %(id)s: “%(key)s” is not an object.")
            % {"id": row_label(row), "key": key}
        )
    return value


def row_text(row: dict, value, what: str) -> str:
    """A stamp or an identifier: text (or a number, as Kobo's `_id`); PullError otherwise."""
    if value is None or isinstance(value, str):
        return value or ""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise PullError(
        _("The submission %(id)s: its %(what)s is not text (%(value)s).")
        % {"id": row_label(row), "what": what, "value": json_dumps(value)[:60]}
    )


def row_label(row: dict) -> str:
    for key in ("__id", "_id", "_uuid"):
        value = row.get(key)
        if isinstance(value, str | int) and not isinstance(value, bool) and value != "":
            return str(value)
    return _("without an identifier")
