"""Local fake ODK Central and KoboToolbox servers for the pull tests: real HTTP on loopback,
answering with the shapes the real APIs document (OData `value` + `@odata.nextLink` with a
`$skiptoken`; Kobo `count`/`next`/`previous`/`results`), and a 100-row page cap whatever
page size is asked for."""

import base64
import json
import re
import threading
from urllib.parse import parse_qs, quote, urlencode
from wsgiref.simple_server import WSGIRequestHandler, make_server

PAGE_CAP = 100


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class FakeServer:
    def __init__(self):
        self.requests: list[str] = []
        self.fail_on: set[int] = set()  # data page requests (1-based) answered with HTTP 500
        self.data_requests = 0
        self._server = make_server("127.0.0.1", 0, self.app, handler_class=_Quiet)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()

    def app(self, environ, start_response):
        path = environ["PATH_INFO"]
        query = parse_qs(environ.get("QUERY_STRING", ""))
        self.requests.append(f"{environ['REQUEST_METHOD']} {path}?{environ.get('QUERY_STRING')}")
        status, headers, body = self.handle(environ, path, {k: v[0] for k, v in query.items()})
        start_response(status, headers)
        return [body]

    @staticmethod
    def json(data, status="200 OK"):
        return status, [("Content-Type", "application/json")], json.dumps(data).encode()

    def data_page_allowed(self) -> bool:
        self.data_requests += 1
        return self.data_requests not in self.fail_on


class FakeCentral(FakeServer):
    """ODK Central: POST /v1/sessions, OData Submissions, submission attachments."""

    TOKEN = "central-session-token"
    NOT_IMPLEMENTED = (
        "501 Not Implemented",
        [("Content-Type", "application/json")],
        json.dumps(
            {
                "code": 501.1,
                "message": "The requested feature using $orderby and $skiptoken together "
                "is not supported by this server.",
            }
        ).encode(),
    )

    def __init__(self, *, project=1, form="flow_count"):
        super().__init__()
        self.project, self.form = project, form
        self.rows: list[dict] = []
        self.files: dict[str, dict[str, bytes]] = {}

    def add(self, root: str, date: str, fields: dict, *, files=None, version="2020050101"):
        self.rows.append(
            {
                "__id": root,
                **fields,
                "meta": {"instanceID": root},
                "__system": {
                    "submissionDate": date,
                    "updatedAt": None,
                    "submitterId": "7",
                    "submitterName": "enumerator.kayes",
                    "attachmentsPresent": len(files or {}),
                    "attachmentsExpected": len(files or {}),
                    "status": None,
                    "reviewState": None,
                    "deviceId": "collect:xyz",
                    "edits": 0,
                    "formVersion": version,
                },
            }
        )
        if files:
            self.files[root] = dict(files)

    def edit(self, root: str, new_instance: str, updated_at: str, changes: dict):
        row = next(r for r in self.rows if r["__id"] == root)
        for key, value in changes.items():
            group, _, leaf = key.rpartition("/")
            (row[group] if group else row)[leaf] = value
        row["meta"] = {"instanceID": new_instance, "deprecatedID": row["meta"]["instanceID"]}
        row["__system"]["updatedAt"] = updated_at
        row["__system"]["edits"] += 1

    def handle(self, environ, path, query):
        base = f"/v1/projects/{self.project}/forms/{self.form}"
        if path == "/v1/sessions" and environ["REQUEST_METHOD"] == "POST":
            return self.json({"createdAt": "2020-04-30T00:00:00Z", "token": self.TOKEN})
        if environ.get("HTTP_AUTHORIZATION") != f"Bearer {self.TOKEN}":
            return self.json(
                {"code": 401.2, "message": "Could not authenticate"}, "401 Unauthorized"
            )
        if path == f"{base}.svc/Submissions":
            if not self.data_page_allowed():
                return self.json({"code": 500.1, "message": "Internal Server Error"}, "500 Error")
            table = self.table(query)
            return table if table is self.NOT_IMPLEMENTED else self.json(table)
        match = re.fullmatch(rf"{base}/submissions/([^/]+)/attachments(?:/(.+))?", path)
        if match:
            root, name = match.groups()
            files = self.files.get(root, {})
            if name is None:
                return self.json([{"name": n, "exists": True} for n in sorted(files)])
            return "200 OK", [("Content-Type", "application/octet-stream")], files[name]
        return self.json({"code": 404.1, "message": "Not found"}, "404 Not Found")

    def table(self, query):
        """Central's Submissions table: `$filter` on a `__system` stamp (`ge`; null never
        matches), `$orderby` (ties in row order; v2024.1+), else newest first; `$skip`;
        `$skiptoken` (a cursor on the last row, "01" + base64 JSON, in the default order only:
        with `$orderby` Central answers 501); `@odata.nextLink` = the request with
        `$skiptoken` set and `$skip` removed, only when rows remain."""
        if "$orderby" in query and "$skiptoken" in query:
            return self.NOT_IMPLEMENTED
        rows = list(self.rows)
        match = re.fullmatch(r"__system/(\w+) ge (\S+)", query.get("$filter", ""))
        if match:
            key, since = match.groups()
            rows = [r for r in rows if r["__system"][key] and r["__system"][key] >= since]
        order = query.get("$orderby", "")
        if order:
            key = order.split()[0].split("/")[-1]
            rows.sort(key=lambda r: r["__system"][key] or "")  # nulls first, as Central does
        else:
            rows.reverse()  # rows were added oldest first
            rows.sort(key=lambda r: r["__system"]["submissionDate"], reverse=True)
        offset = int(query.get("$skip", 0))
        if "$skiptoken" in query:
            token = json.loads(base64.b64decode(query["$skiptoken"][2:]))
            offset = 1 + next(i for i, r in enumerate(rows) if r["__id"] == token["instanceId"])
        size = min(int(query.get("$top", PAGE_CAP)), PAGE_CAP)
        page = rows[offset : offset + size]
        service = f"{self.url}/v1/projects/{self.project}/forms/{self.form}.svc"
        body = {"@odata.context": f"{service}/$metadata#Submissions", "value": page}
        if page and offset + size < len(rows):
            cursor = json.dumps({"instanceId": page[-1]["__id"]}).encode()
            params = {k: v for k, v in query.items() if k != "$skip"}
            params["$skiptoken"] = "01" + base64.b64encode(cursor).decode()
            body["@odata.nextLink"] = f"{service}/Submissions?" + urlencode(params, quote_via=quote)
        return body


class FakeKobo(FakeServer):
    """KoboToolbox API v2: /api/v2/assets/{uid}/data/ and attachment downloads."""

    TOKEN = "kobo-api-token"

    def __init__(self, *, asset="aBcDeFgH123"):
        super().__init__()
        self.asset = asset
        self.rows: list[dict] = []
        self.files: dict[tuple[int, int], bytes] = {}

    def add(self, uuid: str, time: str, fields: dict, *, files=None):
        number = len(self.rows) + 1
        attachments = []
        for index, (name, content) in enumerate(sorted((files or {}).items()), start=1):
            attachment_id = number * 100 + index
            self.files[(number, attachment_id)] = content
            attachments.append(
                {
                    "download_url": f"{self.url}/api/v2/assets/{self.asset}/data/"
                    f"{number}/attachments/{attachment_id}/",
                    "filename": f"kobo/attachments/abc/{uuid}/{name}",
                    "mimetype": "image/jpeg",
                    "uid": f"att{attachment_id}",
                }
            )
        self.rows.append(
            {
                "_id": number,
                "formhub/uuid": "f0rmhub",
                "__version__": "vK2020",
                **fields,
                "meta/instanceID": f"uuid:{uuid}",
                "meta/rootUuid": f"uuid:{uuid}",
                "_xform_id_string": self.asset,
                "_uuid": uuid,
                "_attachments": attachments,
                "_status": "submitted_via_web",
                "_geolocation": [None, None],
                "_submission_time": time,
                "_tags": [],
                "_notes": [],
                "_validation_status": {},
                "_submitted_by": "enumerator.kayes",
            }
        )

    def edit(self, uuid: str, new_uuid: str, changes: dict):
        """An Enketo edit: the same record (same _id and _submission_time), new instance id."""
        row = next(r for r in self.rows if r["_uuid"] == uuid)
        row.update(changes)
        row["meta/deprecatedID"] = row["meta/instanceID"]
        row["meta/instanceID"] = f"uuid:{new_uuid}"
        row["_uuid"] = new_uuid

    def handle(self, environ, path, query):
        if environ.get("HTTP_AUTHORIZATION") != f"Token {self.TOKEN}":
            return self.json(
                {"detail": "Authentication credentials were not provided."}, "401 Unauthorized"
            )
        data = f"/api/v2/assets/{self.asset}/data/"
        if path == data:
            if not self.data_page_allowed():
                return self.json({"detail": "Server error"}, "500 Error")
            return self.json(self.page(query))
        match = re.fullmatch(rf"{data}(\d+)/attachments/(\d+)/", path)
        if match:
            key = (int(match.group(1)), int(match.group(2)))
            return "200 OK", [("Content-Type", "image/jpeg")], self.files[key]
        return self.json({"detail": "Not found."}, "404 Not Found")

    def page(self, query):
        """The data list: `query` (Mongo syntax: equality, `$gt`, `$gte`, `$exists`, `$or`),
        `sort` (one or more keys), `start`/`limit` with the cap, `count`/`next`/`previous`."""
        rows = list(self.rows)
        if "query" in query:
            condition = json.loads(query["query"])
            rows = [r for r in rows if matches(r, condition)]
        if "sort" in query:
            for key, direction in reversed(list(json.loads(query["sort"]).items())):
                rows.sort(key=lambda r, key=key: r.get(key), reverse=int(direction) < 0)
        start = int(query.get("start", 0))
        limit = min(int(query.get("limit", PAGE_CAP)), PAGE_CAP)
        page = rows[start : start + limit]

        def link(offset):
            params = dict(query, start=str(offset), limit=str(limit))
            return f"{self.url}/api/v2/assets/{self.asset}/data/?" + urlencode(params)

        return {
            "count": len(rows),
            "next": link(start + limit) if start + limit < len(rows) else None,
            "previous": link(max(start - limit, 0)) if start else None,
            "results": page,
        }


def matches(row: dict, condition: dict) -> bool:
    """The part of MongoDB's query language the pulls use, on one Kobo record."""
    for key, wanted in condition.items():
        if key == "$or":
            if not any(matches(row, c) for c in wanted):
                return False
            continue
        value = row.get(key)
        if not isinstance(wanted, dict):
            if value != wanted:
                return False
            continue
        for op, operand in wanted.items():
            if op == "$exists":
                ok = (key in row) == bool(operand)
            elif op == "$gt":
                ok = value is not None and value > operand
            elif op == "$gte":
                ok = value is not None and value >= operand
            else:
                raise NotImplementedError(op)
            if not ok:
                return False
    return True
