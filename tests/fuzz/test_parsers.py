"""Fuzzing every parser of what arrives from the field (Hypothesis): XForm instances (parsed,
and posted to the OpenRosa endpoint), CSV and XLSX files (read, and imported through the
mappers), the JHU wide series, ODK Central OData pages and KoboToolbox pages (pulled from a
local fake server).

Whatever the input: no server error and no unexpected exception; a bad input is refused with a
message a person can act on (never a bare Python exception name), and a row quarantined names
its field and why. Each example runs in a savepoint rolled back at its end.
"""

import base64
import csv
import datetime as dt
import io
import json
import re
import string
from xml.sax.saxutils import escape, quoteattr

import pytest
from django.db import transaction
from hypothesis import example, given
from hypothesis import strategies as st
from openpyxl import Workbook

from hbmm.health.epi.files import wide_rows
from hbmm.intake.channels.files import file_import
from hbmm.intake.channels.pulls import PullError, pull_source_run
from hbmm.intake.mappers import get_mapper
from hbmm.intake.models import ImportFile, PullSource, Submission
from hbmm.intake.parsing import PayloadError, flatten_json, parse_xml
from hbmm.tabular import TableError, read_rows
from tests.fuzz.conftest import CASES
from tests.intake.conftest import PASSWORD, HttpsClient
from tests.intake.fakes import FakeCentral, FakeKobo

# A message that is only a Python exception ("KeyError: 'x'", "AttributeError: ...").
BARE_EXCEPTION = re.compile(r"^\w*(Error|Exception)\b")
PROGRAMMING_ERRORS = (TypeError, AttributeError, KeyError, IndexError, ValueError)


def assert_clear(message: str) -> None:
    assert message.strip(), "an empty error message"
    assert not BARE_EXCEPTION.match(message), f"not a message for a person: {message!r}"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


def rolled_back(function):
    """Run `function` in a savepoint rolled back afterwards, also when it fails (one example
    leaves nothing behind for the next)."""
    with transaction.atomic():
        try:
            return function()
        finally:
            transaction.set_rollback(True)


# --- text that field data is made of ----------------------------------------------------------

# Printable text with the characters that break parsers: delimiters, quotes, XML specials,
# accents, a non-BMP character, spaces, digits and signs, dates.
FIELD_TEXT = st.one_of(
    st.text(
        alphabet=st.sampled_from(
            list(string.ascii_letters + string.digits + " -+.,;:/'\"<>&=éèçÉ€ñ\t\n")
            + ["\u00a0", "\U0001f600", "٣"]
        ),
        max_size=30,
    ),
    st.sampled_from(
        ["", "0", "-1", "1e309", "NaN", "2020-04-28", "28/04/2020", "2099-01-01", "BCP-GOGUI"]
    ),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
)

# --- XForm instances ----------------------------------------------------------------------------

TAGS = st.sampled_from(
    ["site", "observation_date", "direction", "men", "women", "boys", "girls", "group", "g2"]
)


@st.composite
def xform_instance(draw) -> bytes:
    """An XForm instance document: a form id (or none), nested groups, repeated tags, meta
    with an instance id (or not), sometimes a DTD, sometimes cut short."""

    def element(depth: int) -> str:
        tag = draw(TAGS)
        if depth < 3 and draw(st.booleans()):
            children = "".join(element(depth + 1) for _ in range(draw(st.integers(0, 3))))
            return f"<{tag}>{children}</{tag}>"
        return f"<{tag}>{escape(draw(FIELD_TEXT))}</{tag}>"

    form_id = draw(st.sampled_from(["flow_count", "stranded", "nope", ""]))
    attrs = f" id={quoteattr(form_id)}" if form_id else ""
    if draw(st.booleans()):
        attrs += f" version={quoteattr(draw(FIELD_TEXT))}"
    body = "".join(element(0) for _ in range(draw(st.integers(0, 6))))
    meta = ""
    if draw(st.booleans()):
        meta = f"<meta><instanceID>uuid:{draw(st.uuids())}</instanceID></meta>"
    document = f'<?xml version="1.0"?><data{attrs}>{body}{meta}</data>'
    if draw(st.integers(0, 9)) == 0:
        document = '<!DOCTYPE data [<!ENTITY x "boom">]>' + document.split("?>", 1)[1]
    raw = document.encode("utf-8")
    if draw(st.integers(0, 9)) == 0:
        raw = raw[: draw(st.integers(0, len(raw)))]
    return raw


@given(payload=st.one_of(xform_instance(), st.binary(max_size=300), st.text(max_size=300)))
@example(payload=b"<data id='x'>" + b"<g>" * 5000 + b"</g>" * 5000 + b"</data>")
def test_xform_parse_refuses_bad_documents_with_a_payload_error(payload):
    CASES["xform parse"] += 1
    try:
        parsed = parse_xml(payload)
    except PayloadError as exc:
        assert_clear(str(exc))
    else:
        assert parsed.form_id and parsed.instance_id


@pytest.mark.django_db
@given(payload=xform_instance())
def test_openrosa_submission_never_fails_on_an_instance(payload, make_user, settings):
    settings.HBMM_OPENROSA_ALLOW_HTTP = False
    CASES["openrosa post"] += 1

    def post():
        user = make_user("enumerator", areas=["MLI"], username="fuzz-enumerator")
        client = HttpsClient()
        client.defaults["HTTP_AUTHORIZATION"] = "Basic " + (
            base64.b64encode(f"{user.username}:{PASSWORD}".encode()).decode()
        )
        upload = io.BytesIO(payload)
        upload.name = "submission.xml"
        return client.post("/submission", {"xml_submission_file": upload})

    response = rolled_back(post)
    assert response.status_code in (201, 400, 403, 404, 409), response.status_code
    if response.status_code != 201:
        text = re.sub(r"<[^>]+>", " ", response.content.decode()).strip()
        assert_clear(text)


# --- CSV and XLSX files, through the import --------------------------------------------------

IMPORT_KINDS = ["flow_count", "stranded", "displacement", "epi_countries_aggregated"]

CELL = st.one_of(
    FIELD_TEXT,
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)),
    st.none(),
    st.booleans(),
)


@st.composite
def table(draw, kind: str):
    """(header, rows) for an import of `kind`: mostly its own fields, some unknown ones, cells
    of every type; rows longer or shorter than the header."""
    mapper = get_mapper(kind)
    known = sorted(getattr(mapper, "aliases", {}) or {}) or ["date", "country", "confirmed"]
    if kind == "epi_countries_aggregated":
        known = ["Date", "Country", "Confirmed", "Recovered", "Deaths"]
    header = draw(
        st.lists(st.one_of(st.sampled_from(known), FIELD_TEXT), min_size=0, max_size=len(known) + 2)
    )
    width = len(header)
    rows = draw(
        st.lists(
            st.lists(CELL, min_size=max(width - 1, 0), max_size=width + 1),
            max_size=6,
        )
    )
    return header, rows


def csv_bytes(header, rows, delimiter: str, encoding: str) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return text.getvalue().encode(encoding, errors="replace")


def xlsx_bytes(header, rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in [header, *rows]:
        sheet.append(
            [
                v
                if not isinstance(v, str)
                else "".join(ch for ch in v if ch.isprintable() or ch in "\t\n")
                for v in row
            ]
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def check_import(record: ImportFile) -> None:
    record.refresh_from_db()
    assert record.status in (ImportFile.Status.DONE, ImportFile.Status.FAILED), record.status
    if record.status == ImportFile.Status.FAILED:
        assert_clear(record.error)
        return
    quarantined = record.submissions.filter(status=Submission.Status.QUARANTINED)
    for submission in quarantined:
        assert submission.errors, f"row {submission.row_number} quarantined without a reason"
        for error in submission.errors:
            assert error.get("field") and error.get("message"), error


@pytest.mark.django_db
@pytest.mark.parametrize("kind", IMPORT_KINDS)
@given(data=st.data())
def test_file_import_of_any_table(kind, data, make_user):
    header, rows = data.draw(table(kind))
    fmt = data.draw(st.sampled_from(["csv", "xlsx"]))
    if fmt == "csv":
        content = csv_bytes(
            header,
            rows,
            data.draw(st.sampled_from([",", ";"])),
            data.draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"])),
        )
    else:
        content = xlsx_bytes(header, rows)
    CASES[f"import {fmt}"] += 1

    def run():
        officer = make_user("im_officer", areas=["MLI"], username="fuzz-officer")
        record = file_import(
            kind=kind,
            source=io.BytesIO(content),
            original_name=f"fuzz.{fmt}",
            uploaded_by=officer,
        )
        check_import(record)

    rolled_back(run)


@given(content=st.binary(max_size=600), name=st.sampled_from(["f.csv", "f.xlsx", "f"]))
@example(content=b'a,b\n"' + b"x" * 140_000 + b'",1\n', name="f.csv")
@example(content=b"PK\x03\x04" + b"\0" * 40, name="f.csv")
def test_reading_any_bytes_as_a_table_raises_only_table_error(content, name):
    CASES["table bytes"] += 1
    try:
        for _number, row in read_rows(io.BytesIO(content), filename=name):
            assert isinstance(row, dict)
    except TableError as exc:
        assert_clear(str(exc))


# --- JHU wide series ----------------------------------------------------------------------------

JHU_DATE = st.one_of(
    st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2021, 12, 31)).map(
        lambda d: f"{d.month}/{d.day}/{d.year % 100}"
    ),
    FIELD_TEXT,
)


@st.composite
def jhu_table(draw):
    fixed = ["Province/State", "Country/Region", "Lat", "Long"]
    header = draw(st.permutations(fixed)) if draw(st.integers(0, 5)) else fixed[:3]
    header = [*header, *draw(st.lists(JHU_DATE, max_size=5, unique=True))]
    header = [h for i, h in enumerate(header) if h not in header[:i]]
    countries = st.sampled_from(["Mali", "Niger", "Senegal", "Atlantis", "", "mali ", "MLI"])
    rows = []
    for _ in range(draw(st.integers(0, 4))):
        row = {column: draw(CELL.map(lambda v: "" if v is None else str(v))) for column in header}
        if "Country/Region" in row:
            row["Country/Region"] = draw(countries)
        rows.append(row)
    return header, rows


@pytest.mark.django_db
@given(data=jhu_table(), neighbours=st.booleans())
def test_jhu_wide_rows_refuse_a_bad_file_with_a_table_error(data, neighbours, reference):
    CASES["jhu wide"] += 1
    header, rows = data
    numbered = [(n, row) for n, row in enumerate(rows, start=2)]
    try:
        out = list(wide_rows(numbered, options={"neighbours": neighbours}, metric="confirmed"))
    except TableError as exc:
        assert_clear(str(exc))
    else:
        for _number, row in out:
            dt.date.fromisoformat(row["date"])


@pytest.mark.django_db
@given(data=jhu_table())
def test_jhu_file_import(data, make_user):
    header, rows = data
    CASES["jhu import"] += 1
    content = csv_bytes(header, [[row.get(h, "") for h in header] for row in rows], ",", "utf-8")

    def run():
        officer = make_user("surveillance_officer", areas=["MLI"], username="fuzz-surveillance")
        record = file_import(
            kind="epi_jhu_confirmed",
            source=io.BytesIO(content),
            original_name="time_series_covid19_confirmed_global.csv",
            uploaded_by=officer,
        )
        check_import(record)

    rolled_back(run)


# --- ODK Central and KoboToolbox pages ---------------------------------------------------------

JSON_LEAF = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**6), 10**6), st.floats(allow_nan=False), FIELD_TEXT
)
JSON_VALUE = st.recursive(
    JSON_LEAF,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(FIELD_TEXT, inner, max_size=3)
    ),
    max_leaves=8,
)
STAMP = st.one_of(
    st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2020, 12, 31)).map(
        lambda d: d.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    ),
    JSON_LEAF,
)
FLOW_FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "observation_date": FIELD_TEXT,
        "site": st.sampled_from(["BCP-GOGUI", "BCP-DIBOLI", "NOWHERE", ""]),
        "direction": st.sampled_from(["incoming", "outgoing", "sideways"]),
        "men": FIELD_TEXT,
        "women": JSON_LEAF,
        "total": JSON_VALUE,
    },
)


@st.composite
def central_row(draw):
    row = draw(FLOW_FIELDS)
    choice = draw(st.integers(0, 9))
    if choice == 0:
        return draw(JSON_VALUE)  # not a row at all
    row["__id"] = draw(st.one_of(st.uuids().map(lambda u: f"uuid:{u}"), JSON_LEAF))
    row["meta"] = draw(
        st.one_of(
            st.fixed_dictionaries(
                {"instanceID": st.one_of(st.uuids().map(lambda u: f"uuid:{u}"), JSON_LEAF)}
            ),
            JSON_VALUE,
        )
    )
    row["__system"] = draw(
        st.one_of(
            st.fixed_dictionaries(
                {
                    "submissionDate": STAMP,
                    "updatedAt": st.one_of(st.none(), STAMP),
                    "submitterName": JSON_LEAF,
                    "deviceId": JSON_LEAF,
                    "formVersion": JSON_LEAF,
                    "attachmentsPresent": st.just(0),
                }
            ),
            JSON_VALUE,
        )
    )
    return row


@st.composite
def kobo_row(draw):
    row = {
        f"travellers/{k}" if k in ("men", "women") else k: v for k, v in draw(FLOW_FIELDS).items()
    }
    if draw(st.integers(0, 9)) == 0:
        return draw(JSON_VALUE)
    row["_id"] = draw(st.one_of(st.integers(1, 10**6), JSON_LEAF))
    row["_uuid"] = draw(st.one_of(st.uuids().map(str), JSON_LEAF))
    row["meta/instanceID"] = draw(st.one_of(st.uuids().map(lambda u: f"uuid:{u}"), JSON_LEAF))
    row["_submission_time"] = draw(STAMP)
    row["_attachments"] = draw(st.one_of(st.just([]), JSON_VALUE))
    row["__version__"] = draw(JSON_LEAF)
    return row


def page_body(draw, rows_strategy, key: str):
    """A page as the server sends it: mostly the documented shape with fuzzed rows, sometimes
    anything at all (JSON of another shape, or not JSON)."""
    choice = draw(st.integers(0, 9))
    if choice == 0:
        return draw(st.binary(max_size=40))  # not JSON
    if choice == 1:
        return json.dumps(draw(JSON_VALUE)).encode()
    return json.dumps({key: draw(st.lists(rows_strategy, max_size=4))}).encode()


class FuzzCentral(FakeCentral):
    """Central serving given bodies for its first data pages, then empty pages."""

    bodies: list[bytes] = []

    def handle(self, environ, path, query):
        if path.endswith(".svc/Submissions") and environ.get("HTTP_AUTHORIZATION"):
            self.data_requests += 1
            if self.bodies:
                return "200 OK", [("Content-Type", "application/json")], self.bodies.pop(0)
            return self.json({"value": []})
        return super().handle(environ, path, query)


class FuzzKobo(FakeKobo):
    bodies: list[bytes] = []

    def handle(self, environ, path, query):
        if path == f"/api/v2/assets/{self.asset}/data/":
            if self.bodies:
                return "200 OK", [("Content-Type", "application/json")], self.bodies.pop(0)
            return self.json({"count": 0, "next": None, "previous": None, "results": []})
        return super().handle(environ, path, query)


@pytest.fixture(scope="module")
def central_server():
    with FuzzCentral() as server:
        yield server


@pytest.fixture(scope="module")
def kobo_server():
    with FuzzKobo() as server:
        yield server


def check_pull(source: PullSource) -> None:
    try:
        counts = pull_source_run(source=source, full=True)
    except PullError as exc:
        assert_clear(str(exc))
        # A broken answer is named as such, not found out by a programming error.
        assert not isinstance(exc.__cause__, PROGRAMMING_ERRORS), repr(exc.__cause__)
    else:
        assert counts.fetched >= counts.new
    for submission in Submission.objects.filter(status=Submission.Status.QUARANTINED):
        for error in submission.errors:
            assert error.get("field") and error.get("message"), error


def _source(owner, **fields) -> PullSource:
    source = PullSource(form_id="flow_count", page_size=100, owner=owner, **fields)
    source.set_secret("secret")
    source.save()
    return source


@pytest.mark.django_db
@given(data=st.data())
def test_central_pull_of_any_page(data, central_server, make_user):
    central_server.bodies = [
        page_body(data.draw, central_row(), "value") for _ in range(data.draw(st.integers(1, 2)))
    ]
    CASES["central page"] += 1

    def run():
        owner = make_user("im_officer", areas=["MLI"], username="fuzz-central")
        check_pull(
            _source(
                owner,
                name="Central fuzz",
                channel="odk_central",
                server_url=central_server.url,
                project_id="1",
                remote_form_id="flow_count",
                username="sync@iom.int",
            )
        )

    rolled_back(run)


@pytest.mark.django_db
@given(data=st.data())
def test_kobo_pull_of_any_page(data, kobo_server, make_user):
    kobo_server.bodies = [page_body(data.draw, kobo_row(), "results")]
    CASES["kobo page"] += 1

    def run():
        owner = make_user("im_officer", areas=["MLI"], username="fuzz-kobo")
        check_pull(
            _source(
                owner,
                name="Kobo fuzz",
                channel="kobo",
                server_url=kobo_server.url,
                remote_form_id=kobo_server.asset,
            )
        )

    rolled_back(run)


def test_flatten_json_takes_any_json():
    """The OData / Kobo record flattener, alone: any JSON value gives a dict."""

    @given(value=JSON_VALUE)
    def check(value):
        CASES["flatten json"] += 1
        if isinstance(value, dict):
            assert isinstance(flatten_json(value), dict)

    check()
