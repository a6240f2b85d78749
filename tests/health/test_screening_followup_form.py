# ruff: noqa: F811  (pytest fixtures imported from tests.health.screening_fixtures and intake)
"""The follow-up visit form: its XLSForm (French and English, converts, matches the code that
writes it), its media file `followup.csv` (the follow-ups in the agent's scope, identifiers
only for a role allowed to see them, that read audited) served through the OpenRosa manifest,
and a visit sent from ODK Collect reaching the follow-up."""

import csv
import hashlib
import io
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook
from pyxform.xls2xform import convert

from hbmm.accounts.models import AuditEvent
from hbmm.health.screening import xlsforms
from hbmm.health.screening.followup import followup_start, followup_visit_add
from hbmm.health.screening.intake_mappers import FollowUpVisitMapper, followup_csv
from hbmm.health.screening.models import Screening
from hbmm.intake.models import Submission
from tests.health.screening_fixtures import T0, english, healthy, screen  # noqa: F401
from tests.health.test_screening_followup import day
from tests.intake.conftest import collect  # noqa: F401

NS = {"manifest": "http://openrosa.org/xforms/xformsManifest"}


def _rows(path, sheet):
    rows = list(load_workbook(path, read_only=True)[sheet].iter_rows(values_only=True))
    header = rows[0]
    return [
        {k: v for k, v in zip(header, row, strict=True) if v not in (None, "")} for row in rows[1:]
    ]


def test_the_form_converts_in_french_and_english_and_matches_its_code():
    path = xlsforms.FORMS_DIR / "followup_visit.xlsx"
    result = convert(xlsform=str(path))
    assert result.warnings == []
    assert "jr://file-csv/followup.csv" in result.xform
    settings = _rows(path, "settings")[0]
    assert settings["form_id"] == FollowUpVisitMapper.form_id == "followup_visit"
    assert settings["default_language"] == "French (fr)"
    survey = _rows(path, "survey")
    build = xlsforms.followup_visit_form()
    assert survey == [{k: str(v) for k, v in row.items() if v != ""} for row in build["survey"]]
    fields = [r["name"] for r in survey if r["type"] not in ("start", "end", "deviceid")]
    assert fields == ["followup", "visited_on", "reached", "temperature", "symptoms", "note"]
    labelled = [r for r in survey if r["type"] not in ("start", "end", "deviceid")]
    assert all("label::French (fr)" in r and "label::English (en)" in r for r in labelled)


@pytest.fixture
def two_followups(screen):
    diboli = screen(name="Awa Keita", phone="+22370000001", **healthy(sex="female", age=27))
    gogui = screen("BCP-GOGUI", name="Moussa Sow", **healthy())
    for s in (diboli, gogui):
        followup_start(screening=s, by=None, team="A")
    followup_visit_add(screening=diboli, by=None, visited_on=day(1), reached=False)
    return diboli, gogui


@pytest.mark.django_db
def test_followup_csv_is_scoped_and_pseudonymous_without_the_permission(two_followups, make_user):
    diboli, _gogui = two_followups
    group = Group.objects.create(name="followup_caller")
    group.permissions.set(
        Permission.objects.filter(
            codename__in=["add_followupvisit", "view_followupvisit", "submit_data"]
        )
    )
    caller = make_user(sites=["BCP-DIBOLI"])
    caller.groups.add(group)
    rows = list(csv.DictReader(io.StringIO(followup_csv(user=caller, on=day(2)).decode())))
    assert rows == [
        {
            "name": diboli.reference,
            "label": f"{diboli.person_key} · Kayes (ML0103) · J2/14 · non joint à la dernière visite",
            "label::French (fr)": f"{diboli.person_key} · Kayes (ML0103) · J2/14 · "
            "non joint à la dernière visite",
            "label::English (en)": f"{diboli.person_key} · Kayes (ML0103) · day 2/14 · "
            "not reached at the last visit",
            "person_key": diboli.person_key,
            "point": "BCP-DIBOLI",
            "area": "ML0103",
            "team": "A",
            "day": "2",
            "until": "2020-04-28",
            "status": "not_reached",
            "sex": "female",
            "age_group": diboli.age_group,
            "traveller_name": "",
            "phone": "",
        }
    ]
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.READ_PROTECTED).exists()


@pytest.mark.django_db
def test_followup_csv_has_identifiers_for_an_allowed_role_and_audits_the_read(
    two_followups, make_user
):
    diboli, gogui = two_followups
    agent = make_user("poe_agent", areas=["ML01"])
    rows = list(csv.DictReader(io.StringIO(followup_csv(user=agent, on=day(2)).decode())))
    assert [(r["name"], r["traveller_name"], r["phone"]) for r in rows] == [
        (diboli.reference, "Awa Keita", "+22370000001"),
        (gogui.reference, "Moussa Sow", ""),
    ]
    assert rows[0]["label"].startswith("Awa Keita · ")
    event = AuditEvent.objects.get(action=AuditEvent.Action.READ_PROTECTED, actor=agent)
    assert event.details == {
        "fields": ["name", "phone"],
        "media": "followup.csv",
        "screenings": [diboli.pk, gogui.pk],
    }


def _visit_xml(instance: str, reference: str, **fields) -> bytes:
    values = {"followup": reference, "visited_on": "2020-04-16", "reached": "yes", **fields}
    body = "".join(f"<{k}>{v}</{k}>" for k, v in values.items())
    return (
        f'<data id="followup_visit" version="{xlsforms.FOLLOWUP_VERSION}">{body}'
        f"<meta><instanceID>uuid:{instance}</instanceID></meta></data>"
    ).encode()


def _post(client, xml: bytes):
    upload = SimpleUploadedFile("submission.xml", xml, "text/xml")
    return client.post("/submission", {"xml_submission_file": upload})


@pytest.mark.django_db
def test_a_visit_from_collect(two_followups, make_user, collect, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    diboli, gogui = two_followups
    agent = make_user("poe_agent", sites=["BCP-DIBOLI"])
    client = collect(agent)
    assert b"<formID>followup_visit</formID>" in client.get("/formList").content
    manifest = client.get("/forms/followup_visit/manifest")
    (media,) = ET.fromstring(manifest.content).findall("manifest:mediaFile", NS)
    assert media.find("manifest:filename", NS).text == "followup.csv"
    content = client.get("/forms/followup_visit/media/followup.csv").content
    assert media.find("manifest:hash", NS).text == "md5:" + hashlib.md5(content).hexdigest()
    assert diboli.reference.encode() in content and gogui.reference.encode() not in content

    response = _post(
        client,
        _visit_xml("v1", diboli.reference, temperature="36.9", symptoms="", note="ok"),
    )
    assert response.status_code == 201, response.content
    visit = diboli.visits.get(reached=True)
    assert (visit.temperature, visit.note, visit.by) == (Decimal("36.9"), "ok", agent)
    assert visit.submission.status == "accepted"

    # Outside the agent's scope: quarantined, with the reason; nothing written.
    _post(client, _visit_xml("v2", gogui.reference))
    refused = Submission.objects.get(instance_id="uuid:v2")
    assert refused.status == "quarantined"
    assert refused.errors == [
        {
            "field": "followup",
            "value": gogui.reference,
            "message": "No follow-up with this reference in your geographic scope.",
        }
    ]
    assert gogui.visits.count() == 0

    # Symptoms: the follow-up closes and the traveller becomes a suspect case.
    _post(client, _visit_xml("v3", diboli.reference, visited_on="2020-04-17", symptoms="cough"))
    diboli = Screening.objects.get(pk=diboli.pk)
    assert (diboli.follow_up_outcome, diboli.is_suspect) == ("symptomatic", True)
    assert diboli.notified_at is not None
