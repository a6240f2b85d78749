"""Edits (meta/deprecatedID) across role and scope: an edit replaces a record only when the
previous version is of the same form and the sender may write it (its site, and the new
site, in the sender's scope; the form's permission). Otherwise OpenRosa answers 403 with a
message the phone shows, the XML is kept as a `refused` copy for review, and nothing in the
domain changes. The same rule for pulls (the source owner's scope) and file rows."""

import io
import xml.etree.ElementTree as ET

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from hbmm.intake.channels.files import file_import
from hbmm.intake.channels.pulls import PullError, pull_source_run
from hbmm.intake.models import PullSource, Submission
from tests.intake.conftest import flow_xml
from tests.intake.fakes import FakeCentral, FakeKobo
from tests.intake.test_pulls import central_source

OR = {"or": "http://openrosa.org/http/response"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def post(client, xml: bytes):
    upload = SimpleUploadedFile("submission.xml", xml, "text/xml")
    return client.post("/submission", {"xml_submission_file": upload})


def message(response) -> str:
    return ET.fromstring(response.content).find("or:message", OR).text


def current(instance_id: str) -> Submission:
    return Submission.objects.get(instance_id=instance_id, status__in=["accepted", "superseded"])


@pytest.fixture
def kayes_record(probe, make_user, collect):
    """A flow count of Kayes (BCP-GOGUI), sent by a Kayes enumerator."""
    kayes = make_user("enumerator", areas=["ML01"])
    assert post(collect(kayes), flow_xml("uuid:kayes-1", men=3)).status_code == 201
    return kayes


@pytest.mark.django_db
def test_an_edit_of_another_regions_record_is_refused_403_and_kept(
    kayes_record, probe, make_user, collect
):
    bamako = make_user("enumerator", areas=["ML09"])
    forged = flow_xml("uuid:bko-2", site="FMP-BAMAKO", men=99, deprecated_id="uuid:kayes-1")
    response = post(collect(bamako), forged)
    assert response.status_code == 403, response.content
    assert "uuid:kayes-1" in message(response) and "scope" in message(response)
    # Nothing in the domain changed: the Kayes record is still the current version.
    original = current("uuid:kayes-1")
    assert (original.status, original.is_current) == ("accepted", True)
    assert [s["instance_id"] for s in probe.saved] == ["uuid:kayes-1"]
    # The XML is kept as a refused copy, filed under the site it names, with its reason.
    copy = Submission.objects.get(instance_id="uuid:bko-2")
    assert copy.status == "refused" and not copy.is_current
    assert copy.payload == forged.decode() and copy.site.code == "FMP-BAMAKO"
    assert copy.errors[0]["field"] == "deprecatedID"
    # A retry of the same refused copy is not stored twice.
    assert post(collect(bamako), forged).status_code == 403
    assert Submission.objects.filter(instance_id="uuid:bko-2").count() == 1


@pytest.mark.django_db
def test_an_edit_moving_a_record_of_ones_region_out_of_it_is_refused(
    kayes_record, probe, make_user, collect
):
    moved = flow_xml("uuid:kayes-2", site="FMP-BAMAKO", deprecated_id="uuid:kayes-1")
    response = post(collect(kayes_record), moved)
    assert response.status_code == 403
    assert current("uuid:kayes-1").is_current
    assert Submission.objects.get(instance_id="uuid:kayes-2").status == "refused"


@pytest.mark.django_db
def test_an_edit_by_a_sender_whose_scope_holds_both_sites_is_accepted(
    kayes_record, probe, make_user, collect
):
    national = make_user("enumerator", areas=["MLI"])
    moved = flow_xml("uuid:nat-2", site="FMP-BAMAKO", men=7, deprecated_id="uuid:kayes-1")
    assert post(collect(national), moved).status_code == 201
    assert Submission.objects.get(instance_id="uuid:kayes-1").status == "superseded"
    assert probe.saved[-1]["replaces"] == ["uuid:kayes-1"] and probe.saved[-1]["men"] == 7


@pytest.mark.django_db
def test_an_edit_naming_an_instance_of_another_form_is_refused(
    kayes_record, probe, make_user, collect
):
    from hbmm.intake.receive import submission_receive

    submission_receive(
        channel="openrosa",
        form_id="screening",
        instance_id="uuid:screen-1",
        payload="<data/>",
        payload_format="xml",
        data={},
    )
    response = post(collect(kayes_record), flow_xml("uuid:kayes-3", deprecated_id="uuid:screen-1"))
    assert response.status_code == 403
    assert "screening" in message(response)
    assert Submission.objects.get(instance_id="uuid:kayes-3").status == "refused"


@pytest.mark.django_db
def test_an_edit_of_a_version_never_received_is_refused_and_does_not_claim_it(
    probe, make_user, collect
):
    """Decision: over OpenRosa the previous version must have been received. An edit naming
    an unknown instance is refused (the phone keeps it), and its refused copy does not hide
    the original when the original arrives later."""
    bamako = make_user("enumerator", areas=["ML09"])
    early = flow_xml("uuid:bko-9", site="FMP-BAMAKO", deprecated_id="uuid:later-1")
    response = post(collect(bamako), early)
    assert response.status_code == 403
    assert "uuid:later-1" in message(response)
    kayes = make_user("enumerator", areas=["ML01"])
    assert post(collect(kayes), flow_xml("uuid:later-1", men=4)).status_code == 201
    original = Submission.objects.get(instance_id="uuid:later-1")
    assert (original.status, original.is_current) == ("accepted", True)


@pytest.mark.django_db
def test_a_root_uuid_does_not_let_a_submission_take_over_a_record(
    kayes_record, probe, make_user, collect
):
    bamako = make_user("enumerator", areas=["ML09"])
    xml = flow_xml("uuid:bko-3", site="FMP-BAMAKO").replace(
        b"</instanceID>", b"</instanceID><rootUuid>uuid:kayes-1</rootUuid>"
    )
    assert post(collect(bamako), xml).status_code == 201
    assert current("uuid:kayes-1").is_current
    mine = Submission.objects.get(instance_id="uuid:bko-3")
    assert mine.root_id == "uuid:bko-3" and mine.is_current
    assert probe.saved[-1]["replaces"] == []


@pytest.mark.django_db
def test_a_refused_edit_shows_in_the_quarantine_of_reviewers_whose_scope_holds_it(
    kayes_record, probe, make_user, collect, client
):
    bamako = make_user("enumerator", areas=["ML09"])
    post(collect(bamako), flow_xml("uuid:bko-4", site="FMP-BAMAKO", deprecated_id="uuid:kayes-1"))
    copy = Submission.objects.get(instance_id="uuid:bko-4")
    client.force_login(make_user("im_officer", areas=["ML09"]))
    page = client.get("/intake/quarantine/?status=refused")
    assert [s.pk for s in page.context["page"]] == [copy.pk]
    client.force_login(make_user("im_officer", areas=["ML01"]))
    assert list(client.get("/intake/quarantine/?status=refused").context["page"]) == []
    assert client.get(f"/intake/submissions/{copy.pk}/").status_code == 404


# --- Pulls: the scope is the pull source owner's ------------------------------------------


def central_row(site, *, men=1):
    return {
        "observation_date": "2020-04-28",
        "site": site,
        "direction": "incoming",
        "travellers": {"men": men, "women": 1, "boys": 0, "girls": 0},
    }


@pytest.mark.django_db
def test_a_pulled_edit_of_a_record_outside_the_owners_scope_is_refused(
    kayes_record, probe, make_user
):
    owner = make_user("im_officer", areas=["ML09"])
    with FakeCentral() as server:
        # A submission given the Kayes record's instance id on a Central server, then edited
        # there: its current version names the Kayes record as root and previous version.
        server.add("uuid:kayes-1", "2020-04-28T10:00:00.000Z", central_row("FMP-BAMAKO"))
        server.edit("uuid:kayes-1", "uuid:central-2", "2020-04-28T11:00:00.000Z", {})
        counts = pull_source_run(source=central_source(server, owner=owner))
    assert counts.refused == 1 and counts.accepted == 0
    pulled = Submission.objects.get(instance_id="uuid:central-2")
    assert pulled.status == "refused" and pulled.errors[0]["field"] == "deprecatedID"
    assert current("uuid:kayes-1").is_current
    assert [s["instance_id"] for s in probe.saved] == ["uuid:kayes-1"]


@pytest.mark.django_db
def test_a_pulled_record_outside_the_owners_scope_is_quarantined(probe, make_user):
    owner = make_user("im_officer", areas=["ML09"])
    with FakeCentral() as server:
        server.add("uuid:c-1", "2020-04-28T10:00:00.000Z", central_row("BCP-GOGUI"))
        server.add("uuid:c-2", "2020-04-28T10:01:00.000Z", central_row("FMP-BAMAKO"))
        counts = pull_source_run(source=central_source(server, owner=owner))
    assert (counts.accepted, counts.quarantined) == (1, 1)
    outside = Submission.objects.get(instance_id="uuid:c-1")
    assert outside.status == "quarantined"
    assert outside.errors[0]["field"] == "site"
    assert outside.submitter == owner


@pytest.mark.django_db
def test_a_pull_source_without_an_owner_does_not_run(probe):
    with FakeKobo() as server:
        source = PullSource(
            name="Kobo",
            channel="kobo",
            server_url=server.url,
            remote_form_id=server.asset,
            form_id="flow_count",
        )
        source.set_secret(FakeKobo.TOKEN)
        source.save()
        with pytest.raises(PullError, match="owner"):
            pull_source_run(source=source)
    assert not Submission.objects.exists()


@pytest.mark.django_db
def test_a_pull_source_whose_owner_may_not_send_the_form_does_not_run(probe, make_user):
    with FakeCentral() as server:
        server.add("uuid:c-1", "2020-04-28T10:00:00.000Z", central_row("FMP-BAMAKO"))
        source = central_source(server, owner=make_user("viewer", areas=["MLI"]))
        with pytest.raises(PullError, match="flow_count"):
            pull_source_run(source=source)
    assert not Submission.objects.exists()


# --- File rows: the uploader's scope --------------------------------------------------------


@pytest.mark.django_db
def test_a_file_row_never_replaces_a_record_of_another_region(kayes_record, probe, make_user):
    """A file row is not an edit: a changed row under a known instance id is a conflict copy,
    and a `deprecatedID` column does not make it replace anything."""
    uploader = make_user("im_officer", areas=["ML09"])
    content = (
        "instance_id;deprecatedID;Date;Site;Direction;men;women;boys;girls\n"
        "uuid:kayes-1;;28/04/2020;FMP-BAMAKO;incoming;9;9;9;9\n"
        "uuid:file-2;uuid:kayes-1;28/04/2020;FMP-BAMAKO;incoming;8;8;8;8\n"
    )
    record = file_import(
        kind="flow_count",
        source=io.BytesIO(content.encode()),
        original_name="edits.csv",
        uploaded_by=uploader,
    )
    assert (record.rows_accepted, record.rows_duplicate) == (1, 1)
    assert Submission.objects.get(instance_id="uuid:kayes-1", status="conflict")
    assert current("uuid:kayes-1").is_current
    assert [s["replaces"] for s in probe.saved] == [[], []]
