"""Pulls from ODK Central (through pyodk): the OData `Submissions` table, paged by Central.

- No `$orderby`: Central's default order (newest first, by creation time and row id) is the
  one its `@odata.nextLink` follows with a `$skiptoken` (a cursor on the last row sent), so
  each page costs the same however many rows wait behind it. With `$orderby` a page cost 6 to
  15 s with 14,000 rows waiting (Central sorts them all for every page, and refuses
  `$skiptoken` with `$orderby`: HTTP 501, central-backend `QueryOptions.fromODataRequest`);
  without it 0.1 to 0.2 s (issue 19).
- `$filter=<stamp> ge <watermark - window>`: the window (`pull_common.stamp_earlier`) takes
  again what committed late; the nextLink carries the filter and the page size.
- Two passes: `__system/submissionDate` for new submissions, then `__system/updatedAt` for
  edits (an edit keeps the root `__id`, gets a new `meta/instanceID` and names the previous
  one in `meta/deprecatedID`; a review also moves `updatedAt`, and the row, already stored,
  is skipped). Central has no update time on a row never edited (null: excluded by any
  comparison), so the edits pass with no watermark reads every row ever edited.

The run (`pulls.py`) saves the nextLink with each stored page: a run killed between pages
resumes from it, and the watermark moves to the highest stamp read once a pass is complete.
"""

import logging
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from hbmm.intake.channels.pull_common import (
    MAX_PAGES,
    TIMEOUT,
    Page,
    Pass,
    PullError,
    Record,
    answer_json,
    lookback_seconds,
    page_rows,
    row_object,
    row_text,
    stamp_earlier,
)
from hbmm.intake.models import PullSource


class _CacheMiss:
    """pyodk logs an ERROR with a traceback when its token cache file is missing, before it
    asks for a new token as it should: every `hbmm sync` printed it on stderr (cron mailed
    it). Each client here has a new temporary cache, so the miss is the normal case: that
    record only is dropped; every other pyodk error is still logged."""

    def filter(self, record) -> bool:
        message = record.getMessage()
        return not ("hbmm-pyodk-" in message and "cache.toml" in message)


def _quiet_cache_miss() -> None:
    logger = logging.getLogger("pyodk._utils.config")
    if not any(isinstance(f, _CacheMiss) for f in logger.filters):
        logger.addFilter(_CacheMiss())


class CentralClient:
    # The edits pass with no watermark yet: every row edited (or reviewed) at any time.
    EVER = "1970-01-01T00:00:00.000Z"
    passes = (
        Pass("__system/submissionDate", "watermark"),
        Pass("__system/updatedAt", "edit_watermark"),
    )
    sweeps_edits = False

    def __init__(self, source: PullSource):
        # pyodk (and the pydantic it loads) only for a pull from ODK Central, not in every process.
        from pyodk._utils.config import CentralConfig, Config  # noqa: PLC0415
        from pyodk.client import Client  # noqa: PLC0415

        _quiet_cache_miss()
        self.source = source
        self.base_url = source.server_url.rstrip("/")
        self._tmp = tempfile.TemporaryDirectory(prefix="hbmm-pyodk-")
        config = Config(
            central=CentralConfig(
                base_url=self.base_url,
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

    def _own_link(self, link) -> str:
        """A next-page link of this server (a link elsewhere would be sent our session)."""
        ours = urlsplit(self.base_url)
        theirs = urlsplit(link) if isinstance(link, str) else None
        if theirs is None or (theirs.scheme, theirs.netloc) != (ours.scheme, ours.netloc):
            raise PullError(
                _("The link to the next page (%(link)s) is not on the server %(server)s.")
                % {"link": str(link)[:200], "server": self.base_url}
            )
        return link

    def pages(self, *, stamp: str, since: str, cursor: str = ""):
        """Pages of the rows stamped from `since` minus the window on (newest first), each
        with the link to the next one; from `cursor` (a saved link) when resuming."""
        if cursor:
            url, params = self._own_link(cursor), {}
        else:
            if since:
                lower = stamp_earlier(since, lookback_seconds())
            else:
                lower = self.EVER if stamp.endswith("updatedAt") else ""
            params = {"$top": str(self.source.page_size)}
            if lower:
                params["$filter"] = f"{stamp} ge {lower}"
            url = self.table_url
        for _page in range(MAX_PAGES):
            response = self.get(url, **params)
            body = answer_json(response)
            rows = page_rows(body, "value", response.request.url)
            following = body.get("@odata.nextLink") if rows else None
            following = self._own_link(following) if following else ""
            yield Page(rows, following)
            if not following:
                return
            url, params = following, {}

    @staticmethod
    def stamp_key(stamp: str):
        return str

    @staticmethod
    def stamp_of(row: dict, stamp: str) -> str:
        name = stamp.rsplit("/", 1)[-1]
        return row_text(row, row_object(row, "__system").get(name), name)

    def record(self, row: dict) -> Record:
        system = row_object(row, "__system")
        meta = row_object(row, "meta")
        root = row_text(row, row.get("__id"), "__id") or row_text(
            row, meta.get("instanceID"), "instanceID"
        )
        if not root:
            raise PullError(_("A submission of the page has no identifier (__id)."))
        return Record(
            instance_id=row_text(row, meta.get("instanceID"), "instanceID") or root,
            root_id=root,
            deprecated_id=row_text(row, meta.get("deprecatedID"), "deprecatedID"),
            form_version=str(system.get("formVersion") or ""),
            submitter_name=str(system.get("submitterName") or ""),
            device_id=str(system.get("deviceId") or ""),
            raw=row,
            attachments=[],
        )

    def attachments_of(self, record: Record) -> list[tuple[str, str]]:
        """(name, URL) of a record's files: asked of the server only for a record not stored
        yet (the rows re-read in the window are not asked again)."""
        if not row_object(record.raw, "__system").get("attachmentsPresent"):
            return []
        root = record.root_id
        listed = answer_json(self.get(f"{self.submission_url}/{root}/attachments"))
        if not isinstance(listed, list):
            raise PullError(
                _("The submission %(id)s: its list of attachments is not a list.") % {"id": root}
            )
        return [
            (a["name"], f"{self.submission_url}/{root}/attachments/{a['name']}")
            for a in listed
            if isinstance(a, dict) and a.get("exists") and isinstance(a.get("name"), str)
        ]

    def download(self, url: str) -> bytes:
        return self.get(url).content
