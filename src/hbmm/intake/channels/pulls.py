"""Pulls from ODK Central (through pyodk) and KoboToolbox (API v2): page by page, each page
stored with its watermark in one transaction, so a sync killed at any moment resumes with no
gap and no duplicate.

- ODK Central: OData `Submissions` with `$orderby=__system/submissionDate asc` (Central
  v2024.1+) and `$filter=__system/submissionDate ge <watermark>`; then a second pass on
  `__system/updatedAt` for edits (an edit keeps the root `__id`, gets a new `meta/instanceID`
  and names the previous one in `meta/deprecatedID`; a review also moves `updatedAt`, and the
  row, already stored, is skipped). Central refuses `$orderby` together with `$skiptoken`
  (HTTP 501, central-backend `lib/util/db.js` QueryOptions.fromODataRequest) and its
  `@odata.nextLink` keeps the `$orderby` of the request, so the nextLink cannot be followed:
  it only says that more rows remain, and the next page is asked for from the last stamp
  received (`ge`), `$skip` passing over the rows already received at exactly that stamp
  (Central orders ties by its row id, a stable order). The page size asked for is a wish.
- KoboToolbox: `/api/v2/assets/{uid}/data/` with `query={"_submission_time": {"$gte": w}}`,
  `sort={"_submission_time": 1}`, following `next`. Kobo keeps `_id` and `_submission_time`
  when a record is edited and serves no modification time (kpi `ParsedInstance.
  to_dict_for_mongo`; kobotoolbox/kpi#7259), so edits cannot be asked for "since" a time.
  An edit carries `meta/deprecatedID` (new `meta/instanceID`, same `meta/rootUuid`): the
  second pass sweeps the edited records only, `query={"meta/deprecatedID": {"$exists":
  true}, "_id": {"$gt": cursor}}` sorted by `_id`; the cursor (`edit_watermark`) commits with
  each stored page, so a killed sweep resumes where it stopped, and returns to empty when the
  sweep is complete, so the next run sweeps again from the start.

`ge` rather than `gt`: records sharing the watermark's exact timestamp across a page boundary
are fetched again rather than missed; an instance id already stored is skipped, so nothing is
stored twice.
"""

import hashlib
import json
import logging
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import requests
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hbmm.intake.mappers import get_mapper
from hbmm.intake.models import PullSource, Submission, SubmissionAttachment
from hbmm.intake.parsing import flatten_json, json_dumps
from hbmm.intake.process import submissions_process
from hbmm.intake.receive import submission_receive
from hbmm.intake.submissions import Status

log = logging.getLogger(__name__)
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


def _uuid(value) -> str:
    text = str(value or "").strip()
    return text if not text or text.startswith("uuid:") else f"uuid:{text}"


# --- What the servers answer: checked, so that a broken answer is a clear PullError ----------


def _json(response):
    """The JSON of a server's answer, or a PullError saying that it is not JSON."""
    try:
        return response.json()
    except ValueError:
        start = response.text[:60].strip()
        raise PullError(
            _("%(url)s: the answer is not JSON (it begins with “%(start)s”).")
            % {"url": response.request.url, "start": start}
        ) from None


def _page_rows(body, key: str, url: str) -> list[dict]:
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


def _object(row: dict, key: str) -> dict:
    """`row[key]`, an object or absent ({}); PullError when it is something else."""
    value = row.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise PullError(
            _("The submission %(id)s: “%(key)s” is not an object.")
            % {"id": _row_label(row), "key": key}
        )
    return value


def _text(row: dict, value, what: str) -> str:
    """A stamp or an identifier: text (or a number, as Kobo's `_id`); PullError otherwise."""
    if value is None or isinstance(value, str):
        return value or ""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise PullError(
        _("The submission %(id)s: its %(what)s is not text (%(value)s).")
        % {"id": _row_label(row), "what": what, "value": json_dumps(value)[:60]}
    )


def _row_label(row: dict) -> str:
    for key in ("__id", "_id", "_uuid"):
        value = row.get(key)
        if isinstance(value, str | int) and not isinstance(value, bool) and value != "":
            return str(value)
    return _("without an identifier")


# --- ODK Central -----------------------------------------------------------------------------


class CentralClient:
    def __init__(self, source: PullSource):
        # pyodk (and the pydantic it loads) only for a pull from ODK Central, not in every process.
        from pyodk._utils.config import CentralConfig, Config  # noqa: PLC0415
        from pyodk.client import Client  # noqa: PLC0415

        self.source = source
        self._tmp = tempfile.TemporaryDirectory(prefix="hbmm-pyodk-")
        config = Config(
            central=CentralConfig(
                base_url=source.server_url.rstrip("/"),
                username=source.username,
                password=source.get_secret(),
                default_project_id=int(source.project_id) if source.project_id else None,
            )
        )
        self.client = Client(config=config, cache_path=Path(self._tmp.name) / "cache.toml")
        self.client.open()
        base = f"projects/{source.project_id}/forms/{source.remote_form_id}"
        self.table_url = f"{base}.svc/Submissions"
        self.submission_url = f"{base}/submissions"

    def close(self):
        try:
            self.client.session.close()
        finally:
            self._tmp.cleanup()

    def get(self, url: str, **params):
        response = self.client.session.get(url, params=params or None, timeout=TIMEOUT)
        if response.status_code != 200:
            raise PullError(f"{response.request.url}: HTTP {response.status_code}")
        return response

    passes = (("__system/submissionDate", "watermark"), ("__system/updatedAt", "edit_watermark"))
    # The edits pass with no watermark yet: every row edited (or reviewed) at any time. Central
    # has no update time on a row never edited (null: excluded by any comparison).
    EVER = "1970-01-01T00:00:00.000Z"

    def pages(self, *, stamp: str, since: str):
        """Rows page by page, oldest stamp first (see the module docstring for the keyset)."""
        if stamp.endswith("updatedAt"):
            since = since or self.EVER
        seen_at_since = 0  # rows already yielded whose stamp is exactly `since`
        for _page in range(MAX_PAGES):
            params = {"$orderby": f"{stamp} asc", "$top": str(self.source.page_size)}
            if since:
                params["$filter"] = f"{stamp} ge {since}"
            if seen_at_since:
                params["$skip"] = str(seen_at_since)
            response = self.get(self.table_url, **params)
            body = _json(response)
            rows = _page_rows(body, "value", response.request.url)
            yield rows
            if not rows or not body.get("@odata.nextLink"):
                return
            last = self.stamp_of(rows[-1], stamp)
            at_last = sum(1 for row in rows if self.stamp_of(row, stamp) == last)
            seen_at_since = seen_at_since + at_last if last == since else at_last
            since = last

    @staticmethod
    def stamp_key(stamp: str):
        return str

    @staticmethod
    def stamp_of(row: dict, stamp: str) -> str:
        name = stamp.rsplit("/", 1)[-1]
        return _text(row, _object(row, "__system").get(name), name)

    def record(self, row: dict) -> Record:
        system = _object(row, "__system")
        meta = _object(row, "meta")
        root = _text(row, row.get("__id"), "__id") or _text(
            row, meta.get("instanceID"), "instanceID"
        )
        if not root:
            raise PullError(_("A submission of the page has no identifier (__id)."))
        attachments = []
        if system.get("attachmentsPresent"):
            listed = _json(self.get(f"{self.submission_url}/{root}/attachments"))
            if not isinstance(listed, list):
                raise PullError(
                    _("The submission %(id)s: its list of attachments is not a list.")
                    % {"id": root}
                )
            attachments = [
                (a["name"], f"{self.submission_url}/{root}/attachments/{a['name']}")
                for a in listed
                if isinstance(a, dict) and a.get("exists") and isinstance(a.get("name"), str)
            ]
        return Record(
            instance_id=_text(row, meta.get("instanceID"), "instanceID") or root,
            root_id=root,
            deprecated_id=_text(row, meta.get("deprecatedID"), "deprecatedID"),
            form_version=str(system.get("formVersion") or ""),
            submitter_name=str(system.get("submitterName") or ""),
            device_id=str(system.get("deviceId") or ""),
            raw=row,
            attachments=attachments,
        )

    def download(self, url: str) -> bytes:
        return self.get(url).content


# --- KoboToolbox ------------------------------------------------------------------------------


class KoboClient:
    def __init__(self, source: PullSource):
        self.source = source
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Token {source.get_secret()}"
        self.session.headers["Accept"] = "application/json"
        base = source.server_url.rstrip("/")
        self.data_url = f"{base}/api/v2/assets/{source.remote_form_id}/data/"

    def close(self):
        self.session.close()

    def get(self, url: str, **params):
        try:
            response = self.session.get(url, params=params or None, timeout=TIMEOUT)
        except requests.RequestException as exc:
            raise PullError(f"{url}: {exc}") from exc
        if response.status_code != 200:
            raise PullError(f"{response.request.url}: HTTP {response.status_code}")
        return response

    passes = (("_submission_time", "watermark"), ("_id", "edit_watermark"))
    sweeps_edits = True  # the edits pass has no time to start from: it reads every edited record

    def pages(self, *, stamp: str, since: str):
        if stamp == "_id":  # the sweep of edited records, resumed after `since` (an _id)
            query = {"meta/deprecatedID": {"$exists": True}}
            if since:
                query["_id"] = {"$gt": int(since)}
        else:
            query = {stamp: {"$gte": since}} if since else None
        params = {
            "format": "json",
            "sort": json.dumps({stamp: 1}),
            "limit": str(self.source.page_size),
        }
        if query:
            params["query"] = json.dumps(query)
        response = self.get(self.data_url, **params)
        for _page in range(MAX_PAGES):
            body = _json(response)
            yield _page_rows(body, "results", response.request.url)
            following = body.get("next")
            if not following:
                return
            if not isinstance(following, str):
                raise PullError(
                    _("%(url)s: the link to the next page is not a URL.")
                    % {"url": response.request.url}
                )
            response = self.get(following)

    @staticmethod
    def stamp_of(row: dict, stamp: str) -> str:
        value = _text(row, row.get(stamp), stamp)
        if stamp == "_id" and value and not value.isdigit():
            raise PullError(
                _("The submission %(id)s: its _id is not a number.") % {"id": _row_label(row)}
            )
        return value

    @staticmethod
    def stamp_key(stamp: str):
        return int if stamp == "_id" else str

    def record(self, row: dict) -> Record:
        instance_id = _uuid(
            _text(row, row.get("meta/instanceID"), "meta/instanceID")
            or _text(row, row.get("_uuid"), "_uuid")
        )
        if not instance_id:
            raise PullError(
                _("The submission %(id)s has no instance id (meta/instanceID or _uuid).")
                % {"id": _row_label(row)}
            )
        listed = row.get("_attachments") or []
        if not isinstance(listed, list):
            raise PullError(
                _("The submission %(id)s: its _attachments is not a list.") % {"id": instance_id}
            )
        return Record(
            instance_id=instance_id,
            root_id=_uuid(_text(row, row.get("meta/rootUuid"), "meta/rootUuid")) or instance_id,
            deprecated_id=_uuid(_text(row, row.get("meta/deprecatedID"), "meta/deprecatedID")),
            form_version=str(row.get("__version__") or ""),
            submitter_name=str(row.get("_submitted_by") or ""),
            device_id=str(row.get("deviceid") or ""),
            raw=row,
            attachments=[
                (str(a.get("filename") or "").rsplit("/", 1)[-1], a["download_url"])
                for a in listed
                if isinstance(a, dict) and isinstance(a.get("download_url"), str)
            ],
        )

    def download(self, url: str) -> bytes:
        return self.get(url).content


# --- The run ----------------------------------------------------------------------------------


def _client(source: PullSource):
    if source.channel == PullSource.Kind.ODK_CENTRAL:
        return CentralClient(source)
    if source.channel == PullSource.Kind.KOBO:
        return KoboClient(source)
    raise PullError(f"unknown server type '{source.channel}'")


def _store_page(source, client, rows: list[dict], *, stamp: str, watermark_field: str, counts):
    """Store one page and move the watermark, in one transaction; returns the new submissions."""
    stamps = [client.stamp_of(row, stamp) for row in rows]
    for row, value in zip(rows, stamps, strict=True):
        if not value:
            # The pages are read in the order of this stamp: a row without it cannot be placed.
            raise PullError(
                _("The submission %(id)s has no %(stamp)s: the server's answer cannot be paged.")
                % {"id": _row_label(row), "stamp": stamp}
            )
    records = [client.record(row) for row in rows]
    ids = [r.instance_id for r in records]
    # Stored, or kept as a copy for review: two look-ups the indexes answer.
    known = set(
        Submission.objects.filter(Submission.not_a_copy(), instance_id__in=ids).values_list(
            "instance_id", flat=True
        )
    ) | set(
        Submission.objects.filter(
            status__in=Submission.COPY_STATUSES, instance_id__in=ids
        ).values_list("instance_id", flat=True)
    )
    # Downloads happen before the transaction: a slow server does not hold the database.
    files = {
        r.instance_id: [(name, client.download(url)) for name, url in r.attachments]
        for r in records
        if r.instance_id not in known
    }
    stored = []
    with transaction.atomic():
        for record in records:
            if record.instance_id in known:
                counts.known += 1
                continue
            known.add(record.instance_id)
            received = submission_receive(
                channel=source.channel,
                form_id=source.form_id,
                form_version=record.form_version,
                instance_id=record.instance_id,
                root_id=record.root_id,
                deprecated_id=record.deprecated_id,
                payload=json_dumps(record.raw),
                payload_format=Submission.Format.JSON,
                data=flatten_json(record.raw),
                # The owner answers for the source: their role and scope are the checks.
                submitter=source.owner,
                submitter_name=record.submitter_name[:150],
                device_id=record.device_id[:150],
            )
            if not received.created:
                counts.known += 1
                continue
            counts.new += 1
            stored.append(received.submission)
            for name, content in files.get(record.instance_id, []):
                attachment = SubmissionAttachment(
                    submission=received.submission,
                    name=name[:255],
                    size=len(content),
                    checksum=hashlib.sha256(content).hexdigest(),
                )
                attachment.file.save(name or "attachment", ContentFile(content), save=False)
                attachment.save()
                counts.attachments += 1
        current = getattr(source, watermark_field)
        latest = max(stamps + ([current] if current else []), key=client.stamp_key(stamp))
        PullSource.objects.filter(pk=source.pk).update(**{watermark_field: latest})
        setattr(source, watermark_field, latest)
    return stored


def _set_watermark(source: PullSource, field_name: str, value: str) -> None:
    PullSource.objects.filter(pk=source.pk).update(**{field_name: value})
    setattr(source, field_name, value)


def _process(stored: list[Submission], counts: PullCounts) -> None:
    result = submissions_process([s for s in stored if s.status == Status.RECEIVED])
    counts.accepted += result[Status.ACCEPTED]
    counts.quarantined += result[Status.QUARANTINED]
    counts.superseded += result[Status.SUPERSEDED]
    counts.refused += result[Status.REFUSED]


def _owner_check(source: PullSource) -> None:
    """A source runs only under an active owner whose role may send its form: the owner's
    scope is what the pulled data is checked against (sites, edits)."""
    owner = source.owner
    if owner is None or not owner.is_active:
        raise PullError(
            _(
                "The source has no active owner: set the account answerable for it (its role "
                "and geographic scope apply to what is pulled) in the pull source's settings."
            )
        )
    mapper = get_mapper(source.form_id)
    if mapper is None:
        raise PullError(_("The form '%s' is not known to this server.") % source.form_id)
    if not (owner.has_perm("intake.submit_data") and owner.has_perm(mapper.permission)):
        raise PullError(
            _("The owner %(owner)s may not send the form '%(form)s'.")
            % {"owner": owner.get_username(), "form": source.form_id}
        )


def pull_source_run(*, source: PullSource, full: bool = False) -> PullCounts:
    """Pull what is new on `source` since its watermarks (everything with `full`), as its
    owner's: a source without an owner allowed to send its form does not run."""
    _owner_check(source)
    counts = PullCounts()
    # Left "received" by an interrupted run (stored, then killed before processing).
    leftovers = list(
        Submission.objects.filter(
            channel=source.channel, form_id=source.form_id, status=Status.RECEIVED
        )
    )
    if leftovers:
        _process(leftovers, counts)
    client = None
    try:
        client = _client(source)
        complete = False  # whether the submissions pass read everything (first run, --full)
        for stamp, watermark_field in client.passes:
            since = "" if full else getattr(source, watermark_field)
            if watermark_field == "watermark":
                complete = not since
            elif getattr(client, "sweeps_edits", False) and complete:
                # Every current version was just read: no sweep of the edited records needed.
                _set_watermark(source, watermark_field, "")
                continue
            for rows in client.pages(stamp=stamp, since=since):
                if not rows:
                    continue
                counts.pages += 1
                counts.fetched += len(rows)
                stored = _store_page(
                    source,
                    client,
                    rows,
                    stamp=stamp,
                    watermark_field=watermark_field,
                    counts=counts,
                )
                _process(stored, counts)
            if getattr(client, "sweeps_edits", False) and watermark_field == "edit_watermark":
                _set_watermark(source, watermark_field, "")  # complete: start over next run
    except PullError:
        raise
    except Exception as exc:  # pyodk and requests errors, unreadable JSON
        raise PullError(f"{type(exc).__name__}: {exc}") from exc
    finally:
        if client is not None:
            client.close()
    return counts


def pull_sources_run(*, full: bool = False, names: list[str] | None = None):
    """Run every enabled source; yields (source, counts or None, error message)."""
    sources = PullSource.objects.filter(enabled=True).order_by("name")
    if names:
        sources = sources.filter(name__in=names)
    for source in sources:
        try:
            counts = pull_source_run(source=source, full=full)
        except PullError as exc:
            PullSource.objects.filter(pk=source.pk).update(
                last_run_at=timezone.now(),
                last_status=PullSource.RunStatus.FAILED,
                last_message=str(exc)[:2000],
            )
            yield source, None, str(exc)
        else:
            PullSource.objects.filter(pk=source.pk).update(
                last_run_at=timezone.now(),
                last_status=PullSource.RunStatus.OK,
                last_message="",
                last_counts=counts.as_dict(),
            )
            yield source, counts, ""
