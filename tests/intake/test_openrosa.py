"""The OpenRosa exchange exactly as ODK Collect performs it: challenge, form list, form,
manifest and media download, HEAD then POST of the submission, split posts, errors."""

import csv
import hashlib
import io
import xml.etree.ElementTree as ET

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from hbmm.intake.models import Submission, SubmissionAttachment
from tests.intake.conftest import HttpsClient, flow_xml

NS = {
    "list": "http://openrosa.org/xforms/xformsList",
    "manifest": "http://openrosa.org/xforms/xformsManifest",
    "or": "http://openrosa.org/http/response",
}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def assert_openrosa(response, status):
    assert response.status_code == status, response.content
    assert response["X-OpenRosa-Version"] == "1.0"
    assert response["Date"].endswith(" GMT")


def message(response) -> ET.Element:
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    root = ET.fromstring(response.content)
    assert root.tag == "{http://openrosa.org/http/response}OpenRosaResponse"
    return root.find("or:message", NS)


def post(client, xml: bytes, *files, **extra):
    data = {"xml_submission_file": SimpleUploadedFile("submission.xml", xml, "text/xml")}
    for upload in files:
        data[upload.name] = upload
    data.update(extra)
    return client.post("/submission", data)


@pytest.mark.django_db
def test_unauthenticated_requests_are_challenged_with_basic(probe):
    anonymous = HttpsClient()
    for response in (
        anonymous.get("/formList"),
        anonymous.head("/submission"),
        anonymous.post("/submission", {}),
        anonymous.get("/forms/flow_count/form.xml"),
    ):
        assert_openrosa(response, 401)
        assert response["WWW-Authenticate"] == 'Basic realm="HBMM", charset="UTF-8"'


@pytest.mark.django_db
def test_wrong_password_is_refused(probe, make_user, collect):
    user = make_user("enumerator", areas=["ML01"])
    assert_openrosa(collect(user, password="wrong password!").get("/formList"), 401)


@pytest.mark.django_db
def test_form_list_form_manifest_and_media_as_collect_downloads_them(probe, make_user, collect):
    client = collect(make_user("enumerator", areas=["ML01"]))
    listing = client.get("/formList")
    assert_openrosa(listing, 200)
    assert listing["Content-Type"] == "text/xml; charset=utf-8"
    root = ET.fromstring(listing.content)
    assert root.tag == "{http://openrosa.org/xforms/xformsList}xforms"
    assert "flow_count" in {e.findtext("list:formID", namespaces=NS) for e in root}
    only = ET.fromstring(client.get("/formList?formID=flow_count").content)
    (entry,) = only.findall("list:xform", NS)
    fields = {child.tag.split("}")[1]: child.text for child in entry}
    assert fields["formID"] == "flow_count"
    assert fields["version"] == "2026120601"
    # The probe mapper has no title: the XLSForm's, in both languages.
    assert fields["name"] == "Registre de suivi des flux (FMR) / Flow monitoring registry (FMR)"
    assert fields["downloadUrl"] == "https://testserver/forms/flow_count/form.xml"
    assert fields["manifestUrl"] == "https://testserver/forms/flow_count/manifest"

    form = client.get(fields["downloadUrl"])
    assert_openrosa(form, 200)
    assert fields["hash"] == "md5:" + hashlib.md5(form.content).hexdigest()
    assert b'id="flow_count"' in form.content and b"jr://file-csv/sites.csv" in form.content

    manifest = client.get(fields["manifestUrl"])
    assert_openrosa(manifest, 200)
    files = ET.fromstring(manifest.content).findall("manifest:mediaFile", NS)
    assert [f.find("manifest:filename", NS).text for f in files] == ["places.csv", "sites.csv"]
    media = files[1]
    url = media.find("manifest:downloadUrl", NS).text
    assert url == "https://testserver/forms/flow_count/media/sites.csv"
    sites = client.get(url)
    assert_openrosa(sites, 200)
    assert media.find("manifest:hash", NS).text == "md5:" + hashlib.md5(sites.content).hexdigest()
    rows = list(csv.DictReader(io.StringIO(sites.content.decode())))
    # Only the Kayes region's sites: the enumerator's scope.
    assert [(r["name"], r["kinds"], r["area"]) for r in rows] == [
        ("BCP-DIBOLI", "bcp fmp", "ML0103"),
        ("BCP-GOGUI", "bcp fmp", "ML0106"),
        ("OFF-KAYES", "office", "ML0103"),
    ]
    assert rows[1]["label"] == "Gogui (BCP-GOGUI)"


@pytest.mark.django_db
def test_form_list_shows_only_forms_the_role_may_fill(probe, make_user, collect):
    probe.permission = "intake.review_submission"
    enumerator = collect(make_user("enumerator", areas=["ML01"]))
    officer = collect(make_user("im_officer", areas=["MLI"]))
    listed = ET.fromstring(enumerator.get("/formList").content)
    assert "flow_count" not in {e.findtext("list:formID", namespaces=NS) for e in listed}
    assert_openrosa(enumerator.get("/forms/flow_count/form.xml"), 404)
    assert_openrosa(post(enumerator, flow_xml("uuid:r1")), 403)
    officer_list = ET.fromstring(officer.get("/formList?formID=flow_count").content)
    assert len(officer_list.findall("list:xform", NS)) == 1
    assert Submission.objects.count() == 0


@pytest.mark.django_db
def test_head_then_post_stores_processes_and_answers_201(probe, make_user, collect):
    user = make_user("enumerator", areas=["ML01"])
    client = collect(user)
    head = client.head("/submission")
    assert_openrosa(head, 204)
    assert head["X-OpenRosa-Accept-Content-Length"] == str(50 * 1024 * 1024)

    photo = SimpleUploadedFile("1588240000.jpg", b"\xff\xd8jpeg-bytes", "image/jpeg")
    response = post(client, flow_xml("uuid:a1"), photo)
    assert_openrosa(response, 201)
    assert response["X-OpenRosa-Accept-Content-Length"] == str(50 * 1024 * 1024)
    reply = message(response)
    assert reply.get("nature") == "submit_success"
    submission = Submission.objects.get()
    assert (submission.channel, submission.form_id, submission.form_version) == (
        "openrosa",
        "flow_count",
        "2020050101",
    )
    assert submission.status == "accepted" and submission.submitter == user
    assert submission.site.code == "BCP-GOGUI"
    assert submission.device_id == "collect:abc123"
    assert submission.payload == flow_xml("uuid:a1").decode()
    assert submission.checksum == hashlib.sha256(flow_xml("uuid:a1")).hexdigest()
    attachment = SubmissionAttachment.objects.get()
    assert attachment.name == "1588240000.jpg" and attachment.size == 12
    assert attachment.checksum == hashlib.sha256(b"\xff\xd8jpeg-bytes").hexdigest()
    assert probe.saved == [
        {
            "instance_id": "uuid:a1",
            "site": "BCP-GOGUI",
            "observation_date": __import__("datetime").date(2020, 4, 28),
            "direction": "incoming",
            "men": 3,
            "women": 2,
            "boys": 1,
            "girls": 0,
            "replaces": [],
        }
    ]


@pytest.mark.django_db
def test_split_submission_attaches_each_file_once(probe, make_user, collect):
    client = collect(make_user("enumerator", areas=["ML01"]))
    xml = flow_xml("uuid:split")
    first = post(
        client,
        xml,
        SimpleUploadedFile("a.jpg", b"first", "image/jpeg"),
        **{"*isIncomplete*": "yes"},
    )
    assert_openrosa(first, 201)
    second = post(
        client,
        xml,
        SimpleUploadedFile("a.jpg", b"first", "image/jpeg"),
        SimpleUploadedFile("b.jpg", b"second", "image/jpeg"),
    )
    assert_openrosa(second, 201)
    assert Submission.objects.count() == 1
    assert sorted(SubmissionAttachment.objects.values_list("name", "size")) == [
        ("a.jpg", 5),
        ("b.jpg", 6),
    ]
    assert len(probe.saved) == 1


@pytest.mark.django_db
def test_duplicate_post_creates_nothing_and_edit_supersedes(probe, make_user, collect):
    client = collect(make_user("enumerator", areas=["ML01"]))
    assert_openrosa(post(client, flow_xml("uuid:e1", men=3)), 201)
    again = post(client, flow_xml("uuid:e1", men=3))
    assert_openrosa(again, 201)
    assert message(again).text == "This submission was already received."
    assert Submission.objects.count() == 1

    edit = post(client, flow_xml("uuid:e2", men=5, deprecated_id="uuid:e1"))
    assert_openrosa(edit, 201)
    original, edited = Submission.objects.order_by("pk")
    assert (original.status, original.is_current) == ("superseded", False)
    assert (edited.status, edited.is_current, edited.root_id) == ("accepted", True, "uuid:e1")
    assert [(s["instance_id"], s["men"], s["replaces"]) for s in probe.saved] == [
        ("uuid:e1", 3, []),
        ("uuid:e2", 5, ["uuid:e1"]),
    ]


@pytest.mark.django_db
def test_changed_xml_under_a_known_instance_id_is_kept_and_answered_409(probe, make_user, collect):
    client = collect(make_user("enumerator", areas=["ML01"]))
    post(client, flow_xml("uuid:c1", men=3))
    conflict = post(client, flow_xml("uuid:c1", men=4))
    assert_openrosa(conflict, 409)
    retried = post(client, flow_xml("uuid:c1", men=4))
    assert_openrosa(retried, 409)
    assert sorted(Submission.objects.values_list("status", flat=True)) == [
        "accepted",
        "conflict",
    ]
    assert len(probe.saved) == 1


@pytest.mark.django_db
def test_form_v1_with_counts_outside_the_group_keeps_the_data(probe, make_user, collect):
    client = collect(make_user("enumerator", areas=["ML01"]))
    v1 = flow_xml("uuid:v1", version="2020040101", grouped=False, men=7)
    v2 = flow_xml("uuid:v2", version="2020050101", grouped=True, men=7)
    assert_openrosa(post(client, v1), 201)
    assert_openrosa(post(client, v2), 201)
    v1_data, v2_data = (s.data for s in Submission.objects.order_by("pk"))
    assert v1_data == v2_data
    assert [(s["men"], s["women"]) for s in probe.saved] == [(7, 2), (7, 2)]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("xml", "status", "text"),
    [
        (b"<data id='flow_count'><site>BCP-GOGUI</site", 400, "not a readable XForm instance"),
        (b"<data id='flow_count'><site>BCP-GOGUI</site></data>", 400, "meta/instanceID"),
        (flow_xml("uuid:x", form_id="no_such_form"), 404, "'no_such_form' is not known"),
        (flow_xml("uuid:x", site="BCP-NOWHERE"), 400, "Unknown site 'BCP-NOWHERE' (field site)"),
        (flow_xml("uuid:x", site="FMP-BAMAKO"), 403, "'FMP-BAMAKO' (field site) is outside"),
    ],
)
def test_refused_submissions_say_why_and_store_nothing(
    probe, make_user, collect, xml, status, text
):
    client = collect(make_user("enumerator", areas=["ML01"]))
    response = post(client, xml, SimpleUploadedFile("a.jpg", b"x", "image/jpeg"))
    assert_openrosa(response, status)
    assert text in message(response).text
    assert Submission.objects.count() == 0 and SubmissionAttachment.objects.count() == 0
    assert probe.saved == []


@pytest.mark.django_db
def test_missing_xml_part_is_a_400(probe, make_user, collect):
    client = collect(make_user("enumerator", areas=["ML01"]))
    response = client.post("/submission", {"other": SimpleUploadedFile("a.jpg", b"x")})
    assert_openrosa(response, 400)
    assert "xml_submission_file" in message(response).text


@pytest.mark.django_db
def test_oversize_upload_is_a_413_and_stores_nothing(probe, make_user, collect, settings):
    settings.HBMM_MAX_UPLOAD_BYTES = 2000
    client = collect(make_user("enumerator", areas=["ML01"]))
    response = post(client, flow_xml("uuid:big"), SimpleUploadedFile("v.mp4", b"0" * 5000))
    assert_openrosa(response, 413)
    assert response["X-OpenRosa-Accept-Content-Length"] == "2000"
    assert "2000 bytes" in message(response).text
    assert Submission.objects.count() == 0 and SubmissionAttachment.objects.count() == 0


@pytest.mark.django_db
def test_user_without_submit_role_gets_403(probe, make_user, collect):
    client = collect(make_user("viewer", areas=["MLI"]))
    assert_openrosa(client.head("/submission"), 204)
    response = post(client, flow_xml("uuid:v"))
    assert_openrosa(response, 403)
    assert ET.fromstring(client.get("/formList").content).findall("list:xform", NS) == []
    assert Submission.objects.count() == 0


@pytest.mark.django_db
def test_invalid_values_are_accepted_on_the_wire_and_quarantined_with_reasons(
    probe, make_user, collect
):
    client = collect(make_user("enumerator", areas=["ML01"]))
    response = post(client, flow_xml("uuid:q", men=-1, day="2020-13-01"))
    assert_openrosa(response, 201)
    submission = Submission.objects.get()
    assert submission.status == "quarantined" and submission.site.code == "BCP-GOGUI"
    assert {(e["field"], e["value"]) for e in submission.errors} == {
        ("men", "-1"),
        ("observation_date", "2020-13-01"),
    }


@pytest.mark.django_db
def test_messages_follow_the_phone_language(probe, make_user, collect):
    client = collect(make_user("enumerator", areas=["ML01"]), language="fr")
    response = post(client, flow_xml("uuid:fr", site="FMP-BAMAKO"))
    assert_openrosa(response, 403)
    assert response["Content-Language"] == "fr"
    assert message(response).text == (
        "Le site « FMP-BAMAKO » (champ site) est hors de votre zone géographique."
    )
    created = post(client, flow_xml("uuid:fr2"))
    assert message(created).text == "Soumission reçue. Merci."


@pytest.mark.django_db
def test_split_submission_is_mapped_only_when_its_last_part_arrives(probe, make_user, collect):
    client = collect(make_user("enumerator", areas=["ML01"]))
    xml = flow_xml("uuid:parts")
    photo = SimpleUploadedFile("a.jpg", b"first", "image/jpeg")
    first = post(client, xml, photo, **{"*isIncomplete*": "yes"})
    assert_openrosa(first, 201)
    assert message(first).get("nature") == "submit_success"
    assert message(first).text == (
        "Part of the submission received; waiting for the rest of its files."
    )
    submission = Submission.objects.get()
    # Raw first: the XML and the file are kept, but nothing reached the domain yet.
    assert submission.status == "received" and submission.payload == xml.decode()
    assert list(submission.attachments.values_list("name", flat=True)) == ["a.jpg"]
    assert probe.saved == []

    second = post(
        client,
        xml,
        SimpleUploadedFile("b.jpg", b"second", "image/jpeg"),
        **{"*isIncomplete*": "YES"},
    )
    assert_openrosa(second, 201)
    assert Submission.objects.get().status == "received" and probe.saved == []

    last = post(
        client, xml, SimpleUploadedFile("c.jpg", b"third", "image/jpeg"), **{"*isIncomplete*": "no"}
    )
    assert_openrosa(last, 201)
    assert message(last).text == "Submission received. Thank you."
    submission.refresh_from_db()
    assert submission.status == "accepted" and submission.site.code == "BCP-GOGUI"
    assert sorted(submission.attachments.values_list("name", flat=True)) == [
        "a.jpg",
        "b.jpg",
        "c.jpg",
    ]
    assert [s["instance_id"] for s in probe.saved] == ["uuid:parts"]

    retried = post(client, xml, SimpleUploadedFile("c.jpg", b"third", "image/jpeg"))
    assert message(retried).text == "This submission was already received."
    assert len(probe.saved) == 1 and SubmissionAttachment.objects.count() == 3


@pytest.mark.django_db
def test_a_split_submission_whose_last_part_never_came_is_processed_by_reprocess(
    probe, make_user, collect
):
    from hbmm.intake.review import submissions_reprocess

    client = collect(make_user("enumerator", areas=["ML01"]))
    post(client, flow_xml("uuid:lost"), **{"*isIncomplete*": "yes"})
    assert Submission.objects.get().status == "received"
    assert submissions_reprocess(form_id="flow_count")["accepted"] == 1
    assert [s["instance_id"] for s in probe.saved] == ["uuid:lost"]


# --- Chunked bodies, as gunicorn hands them to Django -----------------------------------------


class _NoSocket:
    def sendall(self, data):
        pass


def gunicorn_environ(body: bytes, headers: dict, *, chunk: int = 1000) -> dict:
    """The WSGI environ gunicorn builds for a request sent with Transfer-Encoding: chunked (no
    Content-Length): its own HTTP parser reads the raw bytes and de-chunks the body."""
    from gunicorn.config import Config
    from gunicorn.http import wsgi
    from gunicorn.http.parser import RequestParser

    head = "POST /submission HTTP/1.1\r\nHost: testserver\r\nTransfer-Encoding: chunked\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in headers.items()) + "\r\n"
    framed = b"".join(
        b"%x\r\n%s\r\n" % (len(body[i : i + chunk]), body[i : i + chunk])
        for i in range(0, len(body), chunk)
    )
    raw = head.encode() + framed + b"0\r\n\r\n"
    cfg = Config()
    request = next(RequestParser(cfg, iter([raw]), ("127.0.0.1", 40000)))
    _response, environ = wsgi.create(
        request, _NoSocket(), ("127.0.0.1", 40000), ("127.0.0.1", 8000), cfg
    )
    assert "CONTENT_LENGTH" not in environ and environ["wsgi.input_terminated"] is True
    return environ


def chunked_post(user, xml: bytes, *files, environ_changes=None):
    """POST /submission through Django's WSGI handler with a gunicorn environ."""
    from django.test.client import BOUNDARY, MULTIPART_CONTENT, ClientHandler, encode_multipart

    from tests.intake.conftest import basic

    data = {"xml_submission_file": SimpleUploadedFile("submission.xml", xml, "text/xml")}
    data.update({f.name: f for f in files})
    environ = gunicorn_environ(
        encode_multipart(BOUNDARY, data),
        {
            "Content-Type": MULTIPART_CONTENT,
            "Authorization": basic(user.get_username()),
            "X-OpenRosa-Version": "1.0",
            "Accept-Language": "en",
        },
    )
    environ["wsgi.url_scheme"] = "https"  # as gunicorn sets it behind the TLS proxy
    environ.update(environ_changes or {})
    return ClientHandler()(environ)


@pytest.mark.django_db
def test_chunked_submission_without_content_length_is_received(probe, make_user):
    user = make_user("enumerator", areas=["ML01"])
    photo = SimpleUploadedFile("p.jpg", b"\xff\xd8" + b"x" * 5000, "image/jpeg")
    response = chunked_post(user, flow_xml("uuid:chunked"), photo)
    assert_openrosa(response, 201)
    submission = Submission.objects.get()
    assert (submission.instance_id, submission.status) == ("uuid:chunked", "accepted")
    assert submission.payload == flow_xml("uuid:chunked").decode()
    assert SubmissionAttachment.objects.get().size == 5002
    assert len(probe.saved) == 1


@pytest.mark.django_db
def test_chunked_submission_over_the_limit_is_a_413_and_stores_nothing(probe, make_user, settings):
    settings.HBMM_MAX_UPLOAD_BYTES = 3000
    user = make_user("enumerator", areas=["ML01"])
    video = SimpleUploadedFile("v.mp4", b"0" * 5000, "video/mp4")
    response = chunked_post(user, flow_xml("uuid:big-chunked"), video)
    assert_openrosa(response, 413)
    assert "3000 bytes" in message(response).text
    assert response["X-OpenRosa-Accept-Content-Length"] == "3000"
    assert Submission.objects.count() == 0 and SubmissionAttachment.objects.count() == 0


@pytest.mark.django_db
def test_chunked_body_from_a_server_that_does_not_dechunk_is_a_411(probe, make_user):
    user = make_user("enumerator", areas=["ML01"])
    response = chunked_post(
        user, flow_xml("uuid:framed"), environ_changes={"wsgi.input_terminated": False}
    )
    assert_openrosa(response, 411)
    assert "Content-Length" in message(response).text
    assert Submission.objects.count() == 0
