"""Pages: submissions with status counts, the scoped quarantine, correction and reprocess,
web file import with progress and row report; access by role and scope; query counts."""

import csv
import io

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hbmm.intake.models import Correction, ImportFile, Submission
from hbmm.intake.process import submissions_process
from hbmm.intake.receive import submission_receive
from hbmm.jobs.models import Job

CSV = (
    "\ufeffDate;Site;Direction;Hommes;Women;Boys;Girls\n"
    "28/04/2020;BCP-GOGUI;incoming;3;2;1;0\n"
    "2020-04-29;BCP-GOGUI;outgoing;-4;2;1;0\n"
    "29/04/2020;BCP-NOWHERE;incoming;1;1;1;1\n"
)


def receive(instance_id, site="BCP-GOGUI", men="3", submitter=None):
    data = {
        "observation_date": "2020-04-28",
        "site": site,
        "direction": "incoming",
        "men": men,
        "women": "1",
        "boys": "0",
        "girls": "0",
    }
    received = submission_receive(
        channel="openrosa",
        form_id="flow_count",
        instance_id=instance_id,
        payload=f"<data>{instance_id}{men}{site}</data>",
        payload_format="xml",
        data=data,
        submitter=submitter,
    )
    submissions_process([received.submission])
    received.submission.refresh_from_db()
    return received.submission


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.django_db
def test_access_by_role(probe, make_user, client):
    item = receive("uuid:1", men="-1")
    expectations = {
        "viewer": (403, 403, 403, 403),
        "enumerator": (403, 403, 403, 403),
        "poe_supervisor": (200, 200, 200, 403),  # reviews the quarantine of its area
        "im_officer": (200, 200, 200, 200),
    }
    for role, codes in expectations.items():
        client.force_login(make_user(role, areas=["MLI"]))
        got = tuple(
            client.get(url).status_code
            for url in ("/intake/", "/intake/quarantine/", f"/intake/submissions/{item.pk}/")
        ) + (client.get("/intake/imports/").status_code,)
        assert got == codes, role
    client.logout()
    assert client.get("/intake/").status_code == 302  # to the login page


@pytest.mark.django_db
def test_quarantine_is_scoped_and_out_of_scope_items_are_404(probe, make_user, client):
    kayes = receive("uuid:k", site="BCP-GOGUI", men="-1")
    bamako = receive("uuid:b", site="FMP-BAMAKO", men="-1")
    unknown = receive("uuid:u", site="BCP-NOWHERE")
    assert {kayes.status, bamako.status, unknown.status} == {"quarantined"}
    assert (kayes.site.code, bamako.site.code, unknown.site) == ("BCP-GOGUI", "FMP-BAMAKO", None)
    client.force_login(make_user("im_officer", areas=["ML01"]))
    page = client.get("/intake/quarantine/")
    assert [s.pk for s in page.context["page"]] == [kayes.pk]
    assert client.get(f"/intake/submissions/{bamako.pk}/").status_code == 404
    assert client.get(f"/intake/submissions/{unknown.pk}/").status_code == 404
    client.force_login(make_user("im_officer", areas=["MLI"]))
    national = client.get("/intake/quarantine/?form=flow_count")
    assert {s.pk for s in national.context["page"]} == {kayes.pk, bamako.pk, unknown.pk}
    assert "Code de site inconnu." in national.content.decode()  # stored in French (default)


@pytest.mark.django_db
def test_submission_list_counts_statuses(probe, make_user, client):
    receive("uuid:1")
    receive("uuid:2")
    receive("uuid:3", men="x")
    client.force_login(make_user("im_officer", areas=["MLI"]))
    response = client.get("/intake/")
    assert response.context["counts"]["accepted"] == 2
    assert response.context["counts"]["quarantined"] == 1
    filtered = client.get("/intake/?status=quarantined")
    assert [s.instance_id for s in filtered.context["page"]] == ["uuid:3"]


@pytest.mark.django_db
def test_correct_a_quarantined_item_on_its_page(probe, make_user, client):
    item = receive("uuid:c", men="-1")
    officer = make_user("im_officer", areas=["MLI"])
    client.force_login(officer)
    page = client.get(f"/intake/submissions/{item.pk}/")
    body = page.content.decode()
    assert "&lt;data&gt;uuid:c-1BCP-GOGUI&lt;/data&gt;" in body  # raw payload, escaped
    assert 'name="field__men"' in body
    form = {f"field__{k}": v for k, v in item.data.items()} | {"field__men": "4", "note": "typo"}
    response = client.post(f"/intake/submissions/{item.pk}/", form)
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == "accepted" and item.corrections == {"men": "4"}
    assert item.payload == "<data>uuid:c-1BCP-GOGUI</data>" and item.data["men"] == "-1"
    assert Correction.objects.get(submission=item).changes == {"men": ["-1", "4"]}
    assert probe.saved[-1]["men"] == 4


@pytest.mark.django_db
def test_a_reader_without_the_review_permission_cannot_post_corrections(probe, make_user, client):
    item = receive("uuid:s", men="-1")
    reader = make_user(None, areas=["MLI"])
    reader.user_permissions.add(Permission.objects.get(codename="view_submission"))
    client.force_login(reader)
    assert client.post(f"/intake/submissions/{item.pk}/", {"field__men": "1"}).status_code == 403
    assert client.post(f"/intake/submissions/{item.pk}/reprocess/").status_code == 403
    item.refresh_from_db()
    assert item.corrections == {}


@pytest.mark.django_db
def test_reprocess_button(probe, make_user, client, monkeypatch):
    item = receive("uuid:r", men="lots")
    client.force_login(make_user("im_officer", areas=["MLI"]))
    monkeypatch.setitem(probe.aliases, "men", ("hommes",))
    item.data["men"] = "lots"
    response = client.post(f"/intake/submissions/{item.pk}/reprocess/")
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == "quarantined"  # still wrong: reprocessing alone does not invent data


@pytest.mark.django_db
def test_web_import_progress_and_report(probe, make_user, client):
    officer = make_user("im_officer", areas=["MLI"])
    client.force_login(officer)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the reasons stay in French: one language
    upload = SimpleUploadedFile("fmr.csv", CSV.encode("utf-8"), "text/csv")
    response = client.post("/intake/imports/", {"kind": "flow_count", "file": upload})
    record = ImportFile.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/intake/imports/{record.pk}/"
    progress = client.get(f"/intake/imports/{record.pk}/progress.json").json()
    job = Job.objects.get()  # the upload queued a job (run at once here: ImmediateBackend)
    assert (job.kind, job.requested_by, job.status) == ("import", officer, "succeeded")
    assert job.outcome == {
        "import_file": record.pk,
        "read": 3,
        "accepted": 1,
        "quarantined": 2,
        "duplicate": 0,
    }
    assert progress == {
        "status": "done",
        "status_label": "done",
        "interrupted": False,
        "rows_total": 3,
        "rows_read": 3,
        "rows_accepted": 1,
        "rows_quarantined": 2,
        "rows_duplicate": 0,
        "percent": 100,
        "error": "",
        "job": {"id": job.pk, "status": "succeeded", "attempts": 1},
    }
    detail = client.get(f"/intake/imports/{record.pk}/")
    assert [s.row_number for s in detail.context["page"]] == [3, 4]
    report = client.get(f"/intake/imports/{record.pk}/report.csv")
    rows = list(csv.reader(io.StringIO(b"".join(report.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["row", "status", "instance_id", "reasons"]
    assert [(r[0], r[1]) for r in rows[1:]] == [
        ("2", "accepted"),
        ("3", "quarantined"),
        ("4", "quarantined"),
    ]
    assert rows[2][3] == "men: Doit être au moins 0. (-4)"
    assert rows[3][3] == "site: Code de site inconnu. (BCP-NOWHERE)"
    assert probe.saved[0]["observation_date"].isoformat() == "2020-04-28"
    # The same file again: nothing new.
    again = SimpleUploadedFile("fmr-copy.csv", CSV.encode("utf-8"), "text/csv")
    client.post("/intake/imports/", {"kind": "flow_count", "file": again})
    second = ImportFile.objects.latest("pk")
    assert (second.rows_read, second.rows_duplicate, second.rows_accepted) == (3, 3, 0)
    assert Submission.objects.count() == 3


@pytest.mark.django_db
def test_import_pages_show_only_own_files_to_uploaders(probe, make_user, client, reference):
    from django.contrib.auth.models import Permission

    officer = make_user("im_officer", areas=["MLI"])
    client.force_login(officer)
    client.post(
        "/intake/imports/",
        {"kind": "flow_count", "file": SimpleUploadedFile("a.csv", CSV.encode(), "text/csv")},
    )
    record = ImportFile.objects.get()
    uploader = make_user("enumerator", areas=["ML01"])
    uploader.user_permissions.add(Permission.objects.get(codename="add_importfile"))
    client.force_login(uploader)
    assert client.get(f"/intake/imports/{record.pk}/").status_code == 404
    assert client.get(f"/intake/imports/{record.pk}/progress.json").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/intake/", "/intake/quarantine/"])
def test_list_query_count_does_not_grow_with_rows(probe, make_user, client, url):
    client.force_login(make_user("im_officer", areas=["ML01"]))
    client.get(url)  # warm caches (permissions, scope)
    receive("uuid:q0", men="-1")
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for n in range(1, 30):
        receive(f"uuid:q{n}", men="-1")
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["page"]) == 30
    assert len(many) == len(one)


@pytest.mark.django_db
def test_an_interrupted_import_can_be_run_again(probe, make_user, client):
    from hbmm.intake.channels.files import import_file_store

    officer = make_user("im_officer", areas=["MLI"])
    client.force_login(officer)
    record = import_file_store(
        kind="flow_count",
        source=io.BytesIO(CSV.encode()),
        original_name="fmr.csv",
        uploaded_by=officer,
    )
    # Its run died (`hbmm import` killed): no job holds the file, so it is queued at once.
    ImportFile.objects.filter(pk=record.pk).update(status="running")
    client.post(f"/intake/imports/{record.pk}/rerun/")
    record.refresh_from_db()
    assert (record.status, record.rows_read, record.rows_accepted) == ("done", 3, 1)
    client.post(f"/intake/imports/{record.pk}/rerun/")
    record.refresh_from_db()
    assert (record.rows_read, record.rows_duplicate) == (3, 0)  # done: not run again
    assert Submission.objects.count() == 3
    assert Job.objects.filter(kind="import").count() == 1


@pytest.mark.django_db
def test_a_file_waiting_for_a_worker_is_not_queued_twice(probe, make_user, client, settings):
    # The database backend: the job waits in the queue (no worker in this test).
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": [settings.HBMM_TASKS_QUEUE],
        }
    }
    officer = make_user("im_officer", areas=["MLI"])
    client.force_login(officer)
    upload = SimpleUploadedFile("fmr.csv", CSV.encode("utf-8"), "text/csv")
    client.post("/intake/imports/", {"kind": "flow_count", "file": upload})
    record = ImportFile.objects.get()
    page = client.get(f"/intake/imports/{record.pk}/", HTTP_ACCEPT_LANGUAGE="fr")
    assert "en attente d’un processus de traitement" in page.content.decode()
    assert b"rerun" not in page.content  # no "Run again" while a job holds the file
    response = client.post(f"/intake/imports/{record.pk}/rerun/", HTTP_ACCEPT_LANGUAGE="en")
    assert [str(m) for m in response.wsgi_request._messages] == ["This file is being imported."]
    assert Job.objects.filter(status="queued").count() == 1
    assert (record.status, record.rows_read) == ("pending", 0)


@pytest.fixture
def probe_options(probe):
    """The probe mapper with two import options; its `transform_rows` keeps the rows of the
    directions asked for and records the options it was given."""
    from hbmm.intake.mappers import ImportOption

    probe.import_options = (
        ImportOption("directions", "directions to import", kind="codes", pattern="[A-Z]+"),
        ImportOption("strict", "strict reading"),
    )
    probe.options_seen = []

    def transform_rows(rows, *, options):
        probe.options_seen.append(options)
        wanted = options.get("directions")
        return ((n, v) for n, v in rows if not wanted or v["Direction"].upper() in wanted)

    probe.transform_rows = transform_rows
    return probe


@pytest.mark.django_db
def test_upload_form_shows_validates_and_keeps_the_kinds_import_options(
    probe_options, make_user, client
):
    client.force_login(make_user("im_officer", areas=["MLI"]))
    page = client.get("/intake/imports/")
    kinds = [kind for kind, _title, _form in page.context["form"].option_forms]
    assert "flow_count" in kinds
    html = page.content.decode()
    assert 'data-kind="flow_count"' in html and 'name="flow_count-directions"' in html
    assert "directions to import" in html and 'name="flow_count-strict"' in html

    upload = SimpleUploadedFile("fmr.csv", CSV.encode("utf-8"), "text/csv")
    refused = client.post(
        "/intake/imports/",
        {"kind": "flow_count", "file": upload, "flow_count-directions": "in-coming"},
    )
    assert refused.status_code == 200 and ImportFile.objects.count() == 0
    assert "Code non valide : IN-COMING." in refused.content.decode()

    upload = SimpleUploadedFile("fmr.csv", CSV.encode("utf-8"), "text/csv")
    response = client.post(
        "/intake/imports/",
        {"kind": "flow_count", "file": upload, "flow_count-directions": "incoming"},
    )
    record = ImportFile.objects.get()
    assert response.status_code == 302
    assert record.options == {"directions": ["INCOMING"], "strict": False}
    assert record.rows_read == 2  # the outgoing row was left out by the mapper
    assert probe_options.options_seen == [record.options]

    # Run again from the import page (e.g. after a restart): the same options.
    ImportFile.objects.filter(pk=record.pk).update(status="failed")
    client.post(f"/intake/imports/{record.pk}/rerun/")
    assert probe_options.options_seen[-1] == {"directions": ["INCOMING"], "strict": False}
    first = (record.rows_accepted, record.rows_quarantined)
    record.refresh_from_db()
    # Rows this file stored in its first run count by their outcome, not as received before.
    assert (record.status, record.rows_read, record.rows_duplicate) == ("done", 2, 0)
    assert (record.rows_accepted, record.rows_quarantined) == first


@pytest.mark.django_db
def test_options_of_another_kind_are_not_checked(probe_options, make_user, client):
    """Only the chosen kind's options are read: a value typed under another kind is ignored."""
    from hbmm.intake import mappers
    from tests.intake.conftest import ProbeMapper

    other = ProbeMapper()
    other.form_id = "flow_count_other"
    mappers.register(other)
    try:
        client.force_login(make_user("im_officer", areas=["MLI"]))
        upload = SimpleUploadedFile("fmr.csv", CSV.encode("utf-8"), "text/csv")
        client.post(
            "/intake/imports/",
            {"kind": "flow_count_other", "file": upload, "flow_count-directions": "in-coming"},
        )
        assert ImportFile.objects.get().options == {}
    finally:
        mappers.unregister("flow_count_other")
