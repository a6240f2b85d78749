"""The write endpoints: a JSON submission goes through the OpenRosa pipeline (same checks,
idempotency by instance id, edits, quarantine); a file import is stored, run as a job, polled."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from hbmm.intake.models import Submission
from hbmm.mobility.models import FlowCount
from tests.api.conftest import flow

pytestmark = pytest.mark.django_db


def _send(client, instance_id, data, **extra):
    return client.post(
        "/api/v1/submissions/",
        {"form_id": "flow_count", "instance_id": instance_id, "data": data, **extra},
        format="json",
    )


def test_a_json_submission_is_stored_once_and_mapped(make_user, api, token_of):
    enumerator = make_user("enumerator", areas=["ML02"])
    client = api(token=token_of(enumerator))
    data = flow("2020-04-01", "BCP-KOUREMALE", "incoming", 3, 2, 1, 1)
    response = _send(client, "uuid:json-1", data)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["created"], body["errors"]) == ("accepted", True, [])
    submission = Submission.objects.get(instance_id="uuid:json-1")
    assert (submission.channel, submission.payload_format) == ("api", "json")
    assert FlowCount.objects.get(submission=submission).total == 7
    again = _send(client, "uuid:json-1", data)  # a retry: nothing new
    assert again.status_code == 200 and again.json()["created"] is False
    assert Submission.objects.filter(instance_id="uuid:json-1").count() == 1
    assert FlowCount.objects.count() == 1
    changed = _send(client, "uuid:json-1", {**data, "men": 4, "total": 8})
    assert changed.status_code == 409
    assert FlowCount.objects.get().total == 7  # the conflicting copy changes nothing
    assert client.get(body["url"]).json()["status"] == "accepted"


def test_an_edit_replaces_the_version_it_names(make_user, api, token_of):
    client = api(token=token_of(make_user("enumerator", areas=["ML02"])))
    data = flow("2020-04-01", "BCP-KOUREMALE", "incoming", 3, 2, 1, 1)
    assert _send(client, "uuid:v1", data).status_code == 201
    edited = _send(client, "uuid:v2", {**data, "men": 13, "total": 17}, deprecated_id="uuid:v1")
    assert edited.status_code == 201 and edited.json()["status"] == "accepted"
    assert list(FlowCount.objects.values_list("total", flat=True)) == [17]
    unknown = _send(client, "uuid:v3", data, deprecated_id="uuid:never")
    assert unknown.status_code == 403


def test_a_bad_submission_is_quarantined_with_its_reasons(make_user, api, token_of):
    client = api(token=token_of(make_user("enumerator", areas=["ML02"])))
    data = {**flow("2020-04-01", "BCP-KOUREMALE", "incoming", 3, 2, 1, 1), "total": 99}
    response = _send(client, "uuid:bad", data)
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "quarantined"
    assert body["errors"] and all(e["message"] for e in body["errors"])
    assert not FlowCount.objects.exists()


def test_refusals_before_anything_is_stored(make_user, api, token_of):
    client = api(token=token_of(make_user("enumerator", areas=["ML02"])))
    outside = flow("2020-04-01", "BCP-ZEGOUA", "incoming", 1, 1, 1, 1)
    assert _send(client, "uuid:out", outside).status_code == 403
    unknown_site = flow("2020-04-01", "BCP-NOWHERE", "incoming", 1, 1, 1, 1)
    assert _send(client, "uuid:unk", unknown_site).status_code == 400
    response = client.post(
        "/api/v1/submissions/",
        {"form_id": "no_such_form", "instance_id": "uuid:x", "data": {}},
        format="json",
    )
    assert response.status_code == 404
    missing = client.post("/api/v1/submissions/", {"form_id": "flow_count"}, format="json")
    assert missing.status_code == 400 and set(missing.json()) == {"instance_id", "data"}
    assert not Submission.objects.exists()


def test_writing_needs_the_role_and_a_writing_token(make_user, api, token_of):
    data = flow("2020-04-01", "BCP-KOUREMALE", "incoming", 1, 1, 1, 1)
    viewer = make_user("viewer", areas=["ML02"])
    assert _send(api(token=token_of(viewer)), "uuid:a", data).status_code == 403
    enumerator = make_user("enumerator", areas=["ML02"])
    read_only = api(token=token_of(enumerator, read_only=True))
    assert _send(read_only, "uuid:b", data).status_code == 403
    assert not Submission.objects.exists()


CSV = (
    "observation_date,site,direction,men,women,boys,girls,total\n"
    "2020-04-01,BCP-KOUREMALE,incoming,1,2,3,4,10\n"
    "2020-04-02,BCP-KOUREMALE,outgoing,1,1,1,1,5\n"
)


def test_a_file_import_is_uploaded_then_polled(make_user, api, token_of):
    officer = make_user("im_officer", areas=["MLI"])
    client = api(token=token_of(officer))
    upload = SimpleUploadedFile("flows.csv", CSV.encode(), "text/csv")
    response = client.post("/api/v1/imports/", {"kind": "flow_count", "file": upload})
    assert response.status_code == 202, response.json()
    polled = client.get(response.json()["url"]).json()  # the job ran at once (tests)
    assert polled["status"] == "done" and polled["job_status"] == "succeeded"
    assert (polled["rows_read"], polled["rows_accepted"], polled["rows_quarantined"]) == (2, 1, 1)
    other = make_user("im_officer", areas=["ML02"])
    assert api(token=token_of(other)).get(response.json()["url"]).status_code == 404
    enumerator = make_user("enumerator", areas=["MLI"])
    upload = SimpleUploadedFile("flows.csv", CSV.encode(), "text/csv")
    denied = api(token=token_of(enumerator)).post(
        "/api/v1/imports/", {"kind": "flow_count", "file": upload}
    )
    assert denied.status_code == 403
    bad = client.post("/api/v1/imports/", {"kind": "nothing"})
    assert bad.status_code == 400 and "kind" in bad.json()
