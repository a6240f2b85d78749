"""Pulls from KoboToolbox (API v2, `/api/v2/assets/{uid}/data/`), paged by record id.

- Every page is a new query `_id > <last _id received>` sorted by `_id` with `limit`: what
  the server does for a page does not depend on how many rows came before it (following
  `next` means `start=<offset>`, a skip that grows with the backlog). The run saves the last
  `_id` with each stored page, so a run killed between pages resumes after it.
- New submissions: `query={"_submission_time": {"$gte": <watermark - window>}}` (the window,
  `pull_common.stamp_earlier`, takes again what was stored late).
- Edits: Kobo keeps `_id` and `_submission_time` when a record is edited and serves no
  modification time (kpi `ParsedInstance.to_dict_for_mongo`; kobotoolbox/kpi#7259), so edits
  cannot be asked for "since" a time. An edit carries `meta/deprecatedID` (new
  `meta/instanceID`, same `meta/rootUuid`): the second pass sweeps the edited records only,
  `query={"meta/deprecatedID": {"$exists": true}, "_id": {"$gt": cursor}}`; the cursor
  (`edit_watermark`) commits with each stored page and returns to empty when the sweep is
  complete, so the next run sweeps again from the start.
"""

import json

import requests
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
    row_label,
    row_text,
    stamp_earlier,
    uuid_text,
)
from hbmm.intake.models import PullSource


class KoboClient:
    passes = (Pass("_submission_time", "watermark"), Pass("_id", "edit_watermark", sweep=True))
    sweeps_edits = True  # the edits pass has no time to start from: it reads every edited record

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

    def pages(self, *, stamp: str, since: str, cursor: str = ""):
        """Pages in `_id` order, each with the last `_id` it holds ("" after the last page)."""
        if stamp == "_id":  # the sweep of edited records, resumed after `since` (an _id)
            condition: dict = {"meta/deprecatedID": {"$exists": True}}
            after = cursor or since
        else:
            condition = {stamp: {"$gte": stamp_earlier(since, lookback_seconds())}} if since else {}
            after = cursor
        for _page in range(MAX_PAGES):
            query = dict(condition)
            if after:
                query["_id"] = {"$gt": int(after)}
            params = {
                "format": "json",
                "sort": json.dumps({"_id": 1}),
                "limit": str(self.source.page_size),
            }
            if query:
                params["query"] = json.dumps(query)
            response = self.get(self.data_url, **params)
            body = answer_json(response)
            rows = page_rows(body, "results", response.request.url)
            following = body.get("next")
            if following and not isinstance(following, str):
                raise PullError(
                    _("%(url)s: the link to the next page is not a URL.")
                    % {"url": response.request.url}
                )
            ids = [self.stamp_of(row, "_id") for row in rows]
            for row, value in zip(rows, ids, strict=True):
                if not value:
                    raise PullError(
                        _(
                            "The submission %(id)s has no %(stamp)s: the server's answer "
                            "cannot be paged."
                        )
                        % {"id": row_label(row), "stamp": "_id"}
                    )
            last = max((int(value) for value in ids), default=0)
            more = bool(following) and last > int(after or 0)
            yield Page(rows, str(last) if more else "")
            if not more:
                return
            after = str(last)

    @staticmethod
    def stamp_of(row: dict, stamp: str) -> str:
        value = row_text(row, row.get(stamp), stamp)
        if stamp == "_id" and value and not value.isdigit():
            raise PullError(
                _("The submission %(id)s: its _id is not a number.") % {"id": row_label(row)}
            )
        return value

    @staticmethod
    def stamp_key(stamp: str):
        return int if stamp == "_id" else str

    def record(self, row: dict) -> Record:
        instance_id = uuid_text(
            row_text(row, row.get("meta/instanceID"), "meta/instanceID")
            or row_text(row, row.get("_uuid"), "_uuid")
        )
        if not instance_id:
            raise PullError(
                _("The submission %(id)s has no instance id (meta/instanceID or _uuid).")
                % {"id": row_label(row)}
            )
        listed = row.get("_attachments") or []
        if not isinstance(listed, list):
            raise PullError(
                _("The submission %(id)s: its _attachments is not a list.") % {"id": instance_id}
            )
        return Record(
            instance_id=instance_id,
            root_id=uuid_text(row_text(row, row.get("meta/rootUuid"), "meta/rootUuid"))
            or instance_id,
            deprecated_id=uuid_text(
                row_text(row, row.get("meta/deprecatedID"), "meta/deprecatedID")
            ),
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

    @staticmethod
    def attachments_of(record: Record) -> list[tuple[str, str]]:
        return record.attachments

    def download(self, url: str) -> bytes:
        return self.get(url).content
