# ruff: noqa: F811  (pytest fixtures imported from tests.health.screening_fixtures and intake)
"""The suspect-case follow-up form (`suspect_case`): its XLSForm, its media files, and each
step of the workflow recorded from ODK Collect through the intake pipeline, with the record
page's order checks and audit, scope, and idempotency."""

import csv
import datetime as dt
import io
import xml.etree.ElementTree as ET

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook
from pyxform.xls2xform import convert

from hbmm.accounts.models import AuditEvent
from hbmm.health.screening import case_xlsform, workflow
from hbmm.health.screening.case_steps import STEP_FIELDS
from hbmm.health.screening.intake_steps import (
    SuspectCaseStepMapper,
    step_sites_csv,
    suspect_cases_csv,
)
from hbmm.health.screening.models import Screening
from hbmm.intake.models import Submission
from hbmm.intake.parsing import parse_xml
from hbmm.intake.process import submissions_process
from hbmm.intake.receive import submission_receive
from tests.health.poe_helpers import import_rows
from tests.health.screening_fixtures import (  # noqa: F401
    T0,
    english,
    facilities,
    fever_cough,
    healthy,
    screen,
)
from tests.intake.conftest import collect  # noqa: F401

NS = {"manifest": "http://openrosa.org/xforms/xformsManifest"}
PATH = case_xlsform.FORMS_DIR / "suspect_case.xlsx"
REFERRAL = {"facility": "HF-KAYES", "transport": "ambulance"}


def _rows(path, sheet):
    rows = list(load_workbook(path, read_only=True)[sheet].iter_rows(values_only=True))
    header = rows[0]
    return [
        {k: v for k, v in zip(header, row, strict=True) if v not in (None, "")} for row in rows[1:]
    ]


def test_the_form_converts_in_french_and_english_and_matches_its_code():
    result = convert(xlsform=str(PATH))
    assert result.warnings == []
    assert "jr://file-csv/suspect_cases.csv" in result.xform
    assert "jr://file-csv/step_sites.csv" in result.xform
    settings = _rows(PATH, "settings")[0]
    assert settings["form_id"] == SuspectCaseStepMapper.form_id == "suspect_case"
    assert settings["default_language"] == "French (fr)"
    survey = _rows(PATH, "survey")
    build = case_xlsform.suspect_case_form()
    assert survey == [{k: v for k, v in row.items() if v != ""} for row in build["survey"]]
    answers = [r["name"] for r in survey if r["type"] not in ("start", "end", "deviceid")]
    answers = [n for n in answers if not n.startswith(("t_", "done", "not_before"))]
    assert answers == [
        "case",
        "point",
        "step",
        "at",
        "facility",
        "transport",
        "lab",
        "result",
        "outcome",
    ]
    assert set(answers) <= set(SuspectCaseStepMapper.aliases)
    asked = [r for r in survey if r["type"] not in ("start", "end", "deviceid", "calculate")]
    assert all("label::French (fr)" in r and "label::English (en)" in r for r in asked)
    # The choices are the workflow's codes.
    choices: dict[str, list[str]] = {}
    for row in _rows(PATH, "choices"):
        assert row["label::French (fr)"] and row["label::English (en)"]
        choices.setdefault(row["list_name"], []).append(row["name"])
    assert choices == {
        "step": list(STEP_FIELDS),
        "transport": Screening.Transport.values,
        "result": Screening.LabResult.values,
        "outcome": Screening.Outcome.values,
    }


@pytest.fixture
def cases(screen, facilities):
    """A suspect at Diboli (notified), a suspect at Gogui, a healthy traveller at Diboli."""
    diboli = screen(name="Awa Keita", **fever_cough())
    workflow.screening_notify(
        screening=diboli, by=None, at=T0 + dt.timedelta(minutes=30), send_email=False
    )
    gogui = screen("BCP-GOGUI", name="Moussa Sow", **fever_cough())
    well = screen(**healthy())
    return Screening.objects.get(pk=diboli.pk), gogui, well


@pytest.mark.django_db
def test_suspect_cases_csv_is_scoped_and_pseudonymous_without_the_permission(cases, make_user):
    diboli, _gogui, _well = cases
    group = Group.objects.create(name="case_follower")
    group.permissions.set(
        Permission.objects.filter(codename__in=["change_screening", "view_screening"])
    )
    follower = make_user(sites=["BCP-DIBOLI"])
    follower.groups.add(group)
    rows = list(csv.DictReader(io.StringIO(suspect_cases_csv(user=follower).decode())))
    key = diboli.person_key
    assert rows == [
        {
            "name": diboli.reference,
            "label": f"{key} · BCP-DIBOLI · 2020-04-14 08:00 · notifié",
            "label::French (fr)": f"{key} · BCP-DIBOLI · 2020-04-14 08:00 · notifié",
            "label::English (en)": f"{key} · BCP-DIBOLI · 2020-04-14 08:00 · notified",
            "person_key": key,
            "point": "BCP-DIBOLI",
            "screened_at": "2020-04-14T08:00:00+00:00",
            "done": "notify",
            "t_screened": "18366.333333",
            "t_notified": "18366.354166",  # rounded down
            "t_sampled": "0",
            "t_result": "0",
            "traveller_name": "",
        }
    ]
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.READ_PROTECTED).exists()


@pytest.mark.django_db
def test_suspect_cases_csv_has_names_for_an_allowed_role_and_audits_the_read(cases, make_user):
    diboli, gogui, _well = cases
    agent = make_user("poe_agent", areas=["ML01"])
    rows = list(csv.DictReader(io.StringIO(suspect_cases_csv(user=agent).decode())))
    assert [(r["name"], r["traveller_name"]) for r in rows] == [
        (gogui.reference, "Moussa Sow"),
        (diboli.reference, "Awa Keita"),
    ]
    assert rows[1]["label::English (en)"].startswith("Awa Keita · ")
    event = AuditEvent.objects.get(action=AuditEvent.Action.READ_PROTECTED, actor=agent)
    assert event.details == {
        "fields": ["name"],
        "media": "suspect_cases.csv",
        "screenings": [gogui.pk, diboli.pk],
    }


@pytest.mark.django_db
def test_step_sites_csv_lists_facilities_and_labs(facilities):
    rows = list(csv.DictReader(io.StringIO(step_sites_csv(on=T0.date()).decode())))
    assert [(r["name"], r["kinds"], r["area"]) for r in rows] == [
        ("HF-KAYES", "health_facility", "ML0103"),
        ("LAB-INRSP", "lab", "ML0901"),
    ]


def _step_xml(instance: str, case: str, step: str, at: str, point="BCP-DIBOLI", **fields) -> bytes:
    values = {"case": case, "point": point, "step": step, "at": at, **fields}
    body = "".join(f"<{k}>{v}</{k}>" for k, v in values.items())
    return (
        f'<data id="suspect_case" version="{case_xlsform.VERSION}">{body}'
        f"<meta><instanceID>uuid:{instance}</instanceID></meta></data>"
    ).encode()


def _post(client, xml: bytes):
    upload = SimpleUploadedFile("submission.xml", xml, "text/xml")
    return client.post("/submission", {"xml_submission_file": upload})


def _steps(screening) -> list[dict]:
    """The workflow steps' audit events of a screening (not its creation's)."""
    events = AuditEvent.objects.filter(
        action=AuditEvent.Action.DATA_CHANGE,
        target=f"health.screening:{screening.pk}",
        details__has_key="step",
    ).order_by("pk")
    return [e.details for e in events]


@pytest.fixture
def agent_client(make_user, collect, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    agent = make_user("poe_agent", sites=["BCP-DIBOLI"])
    return agent, collect(agent)


@pytest.mark.django_db
def test_every_step_from_collect(
    screen, facilities, agent_client, make_user, django_capture_on_commit_callbacks
):
    agent, client = agent_client
    make_user("poe_supervisor", areas=["ML01"], email="sup@example.org")
    case = screen(**fever_cough())
    assert b"<formID>suspect_case</formID>" in client.get("/formList").content
    manifest = client.get("/forms/suspect_case/manifest")
    names = [m.find("manifest:filename", NS).text for m in ET.fromstring(manifest.content)]
    assert names == ["step_sites.csv", "suspect_cases.csv"]
    listed = client.get("/forms/suspect_case/media/suspect_cases.csv").content.decode()
    assert case.reference in listed

    sent = [
        ("s1", "isolate", "2020-04-14T08:10:00.000+00:00", {}),
        ("s2", "notify", "2020-04-14T08:20:00.000+00:00", {}),
        ("s3", "refer", "2020-04-14T09:00:00.000+00:00", REFERRAL),
        ("s4", "sample", "2020-04-14T09:30:00.000+00:00", {"lab": "LAB-INRSP"}),
        ("s5", "result", "2020-04-15T10:00:00.000+00:00", {"result": "negative"}),
        ("s6", "close", "2020-04-15T11:00:00.000+00:00", {"outcome": "released"}),
    ]
    for instance, step, at, fields in sent:
        with django_capture_on_commit_callbacks(execute=True):
            response = _post(client, _step_xml(instance, case.reference, step, at, **fields))
        assert response.status_code == 201, response.content
        submission = Submission.objects.get(instance_id=f"uuid:{instance}")
        assert (submission.status, submission.site.code) == ("accepted", "BCP-DIBOLI")

    case = Screening.objects.get(pk=case.pk)
    hour = dt.timedelta(hours=1)
    assert case.isolated_at == T0 + hour / 6
    assert case.notified_at == T0 + hour / 3
    assert (case.referred_at, case.referral_facility.code, case.referral_transport) == (
        T0 + hour,
        "HF-KAYES",
        "ambulance",
    )
    assert (case.sampled_at, case.sample_lab.code) == (T0 + hour * 1.5, "LAB-INRSP")
    assert (case.result_at, case.lab_result) == (T0 + hour * 26, "negative")
    assert (case.outcome_at, case.outcome) == (T0 + hour * 27, "released")
    assert case.step == "closed"
    # The notification sent the alert e-mail, as from the record's page.
    assert case.alert_recipients == 1
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["sup@example.org"], f"[HBMM] Cas suspect à Diboli ({case.reference})")
    ]
    # The same audit as the record page's, which also says which submission it came from.
    steps = _steps(case)
    assert [s["step"] for s in steps] == [
        "isolated",
        "notified",
        "referred",
        "sampled",
        "resulted",
        "closed",
    ]
    refer = Submission.objects.get(instance_id="uuid:s3")
    assert steps[2] == {
        "step": "referred",
        "facility": "HF-KAYES",
        "transport": "ambulance",
        "source": {
            "channel": "openrosa",
            "form": "suspect_case",
            "submission": refer.pk,
            "instance": "uuid:s3",
            "root": "uuid:s3",
        },
    }
    events = AuditEvent.objects.filter(
        target=f"health.screening:{case.pk}", details__has_key="step", actor=agent
    )
    assert events.count() == 6
    # The record's page says which steps came from the field.
    web = Client()
    web.force_login(agent)
    page = web.get(f"/health/screening/{case.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert (
        "Recorded from a field form (ODK Collect, Enketo) or a file: isolated, notified, "
        "referred, sampled, result known, closed." in page
    )
    # A closed case leaves the list.
    listed = client.get("/forms/suspect_case/media/suspect_cases.csv").content.decode()
    assert case.reference not in listed


def _errors(instance: str) -> tuple[str, list]:
    submission = Submission.objects.get(instance_id=f"uuid:{instance}")
    return submission.status, submission.errors


@pytest.mark.django_db
def test_refusals_are_quarantined_naming_the_field_and_change_nothing(
    screen, facilities, agent_client
):
    _agent, client = agent_client
    case = screen(**fever_cough())
    well = screen(**healthy())
    ref = case.reference
    # A step out of order: the referral needs the notification.
    _post(
        client,
        _step_xml(
            "o1",
            ref,
            "refer",
            "2020-04-14T09:00:00Z",
            facility="HF-KAYES",
            transport="ambulance",
        ),
    )
    assert _errors("o1") == (
        "quarantined",
        [{"field": "step", "value": "refer", "message": "Record the notification first."}],
    )
    # A time before the screening, and one in the future.
    _post(client, _step_xml("o2", ref, "isolate", "2020-04-14T07:00:00Z"))
    assert _errors("o2") == (
        "quarantined",
        [
            {
                "field": "at",
                "value": "2020-04-14T07:00:00+00:00",
                "message": "The time is before the screening (2020-04-14 08:00).",
            }
        ],
    )
    _post(client, _step_xml("o3", ref, "isolate", "2099-01-01T00:00:00Z"))
    assert _errors("o3") == (
        "quarantined",
        [{"field": "at", "value": "2099-01-01T00:00:00Z", "message": "The time is in the future."}],
    )
    # An unknown reference; a traveller who is not a suspect case.
    _post(client, _step_xml("o4", "SCR-999999", "isolate", "2020-04-14T09:00:00Z"))
    assert _errors("o4") == (
        "quarantined",
        [
            {
                "field": "case",
                "value": "SCR-999999",
                "message": "No screening with this reference in your geographic scope.",
            }
        ],
    )
    _post(client, _step_xml("o5", well.reference, "isolate", "2020-04-14T09:00:00Z"))
    assert _errors("o5") == (
        "quarantined",
        [
            {
                "field": "case",
                "value": well.reference,
                "message": "This traveller is not a suspect case.",
            }
        ],
    )
    # The step's own fields: a laboratory is not a referral facility.
    _post(
        client,
        _step_xml("o6", ref, "refer", "2020-04-14T09:00:00Z", facility="LAB-INRSP", transport=""),
    )
    status, errors = _errors("o6")
    assert status == "quarantined"
    assert [(e["field"], e["message"]) for e in errors] == [
        ("facility", "This site is not a health_facility."),
        ("transport", "This field is required."),
    ]
    case = Screening.objects.get(pk=case.pk)
    assert (case.isolated_at, case.notified_at, case.referred_at) == (None, None, None)
    assert _steps(case) == []


@pytest.mark.django_db
def test_a_case_outside_the_agents_scope(screen, facilities, agent_client):
    agent, client = agent_client
    gogui = screen("BCP-GOGUI", **fever_cough())
    # The form copies the case's point: refused before anything is stored (403).
    response = _post(
        client, _step_xml("x1", gogui.reference, "isolate", "2020-04-14T09:00:00Z", "BCP-GOGUI")
    )
    assert response.status_code == 403
    assert b"outside your geographic scope" in response.content
    assert not Submission.objects.filter(instance_id="uuid:x1").exists()
    # A point in scope that is not the case's, or no point (a file, the API): quarantined.
    _post(client, _step_xml("x2", gogui.reference, "isolate", "2020-04-14T09:00:00Z"))
    status, errors = _errors("x2")
    assert status == "quarantined"
    assert [e["field"] for e in errors] == ["case"]
    xml = _step_xml("x3", gogui.reference, "isolate", "2020-04-14T09:00:00Z", point="")
    parsed = parse_xml(xml)
    received = submission_receive(
        channel="api",
        form_id=parsed.form_id,
        instance_id=parsed.instance_id,
        payload=xml.decode(),
        payload_format="xml",
        data=parsed.data,
        submitter=agent,
    )
    submissions_process([received.submission])
    assert _errors("x3") == (
        "quarantined",
        [
            {
                "field": "case",
                "value": gogui.reference,
                "message": "No screening with this reference in your geographic scope.",
            }
        ],
    )
    assert Screening.objects.get(pk=gogui.pk).isolated_at is None
    assert _steps(gogui) == []


@pytest.mark.django_db
def test_sending_or_processing_again_changes_nothing(screen, facilities, agent_client):
    _agent, client = agent_client
    case = screen(**fever_cough())
    xml = _step_xml("i1", case.reference, "isolate", "2020-04-14T08:10:00Z")
    assert _post(client, xml).status_code == 201
    again = _post(client, xml)
    assert again.status_code == 201
    assert b"already received" in again.content
    submission = Submission.objects.get(instance_id="uuid:i1")
    # Reprocessing the accepted submission (a reviewer's "process again") records nothing.
    counts = submissions_process([submission])
    assert counts["accepted"] == 1
    submission.refresh_from_db()
    assert submission.status == "accepted"
    assert [s["step"] for s in _steps(case)] == ["isolated"]
    assert Screening.objects.get(pk=case.pk).isolated_at == T0 + dt.timedelta(minutes=10)
    # Another submission of the same step: the step is recorded already.
    _post(client, _step_xml("i2", case.reference, "isolate", "2020-04-14T08:40:00Z"))
    assert _errors("i2") == (
        "quarantined",
        [
            {
                "field": "step",
                "value": "isolate",
                "message": "This step was already recorded on 2020-04-14 08:10.",
            }
        ],
    )
    assert len(_steps(case)) == 1


@pytest.mark.django_db
def test_a_batch_keeps_its_good_steps_when_one_is_refused(screen, facilities, make_user):
    """Processed together (a reviewer's reprocessing, a file): the batch is retried row by
    row after a refusal, each step reading the case again (not a copy changed by the failed
    attempt)."""
    agent = make_user("poe_agent", sites=["BCP-DIBOLI"])
    case = screen(**fever_cough())
    received = []
    for instance, step, at in [
        ("b1", "isolate", "2020-04-14T08:10:00Z"),
        ("b2", "sample", "2020-04-14T08:20:00Z"),  # before the notification: refused
        ("b3", "notify", "2020-04-14T08:30:00Z"),
    ]:
        extra = {"lab": "LAB-INRSP"} if step == "sample" else {}
        xml = _step_xml(instance, case.reference, step, at, **extra)
        parsed = parse_xml(xml)
        received.append(
            submission_receive(
                channel="openrosa",
                form_id=parsed.form_id,
                instance_id=parsed.instance_id,
                payload=xml.decode(),
                payload_format="xml",
                data=parsed.data,
                submitter=agent,
            ).submission
        )
    counts = submissions_process(received)
    assert (counts["accepted"], counts["quarantined"]) == (2, 1)
    assert _errors("b2")[1] == [
        {"field": "step", "value": "sample", "message": "Record the notification first."}
    ]
    case = Screening.objects.get(pk=case.pk)
    assert (case.isolated_at, case.notified_at, case.sampled_at) == (
        T0 + dt.timedelta(minutes=10),
        T0 + dt.timedelta(minutes=30),
        None,
    )
    assert [s["step"] for s in _steps(case)] == ["isolated", "notified"]


@pytest.mark.django_db
def test_steps_from_a_file_in_row_order(screen, facilities, make_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    officer = make_user("surveillance_officer", areas=["ML01"])
    case = screen(**fever_cough())
    ref = case.reference
    rows = [
        {"reference": ref, "etape": "isolate", "date_heure": "2020-04-14 08:10"},
        {"reference": ref, "etape": "notify", "date_heure": "2020-04-14 08:20"},
        {"reference": ref, "etape": "refer", "date_heure": "2020-04-14 09:00"} | REFERRAL,
        {"reference": ref, "etape": "result", "date_heure": "2020-04-14 10:00"}
        | {"resultat": "negative"},
    ]
    record = import_rows("suspect_case", rows, user=officer)
    assert (record.rows_read, record.rows_accepted, record.rows_quarantined) == (4, 3, 1)
    refused = Submission.objects.get(source_file=record, status="quarantined")
    assert (refused.row_number, refused.errors) == (
        5,
        [{"field": "step", "value": "result", "message": "Record the sample first."}],
    )
    case = Screening.objects.get(pk=case.pk)
    assert (case.referral_facility.code, case.result_at) == ("HF-KAYES", None)
    steps = _steps(case)
    assert [(s["step"], s["source"]["channel"]) for s in steps] == [
        ("isolated", "file"),
        ("notified", "file"),
        ("referred", "file"),
    ]
    # The same file again: every row known, nothing recorded twice.
    again = import_rows("suspect_case", rows, user=officer)
    assert (again.rows_accepted, again.rows_duplicate) == (0, 4)
    assert len(_steps(case)) == 3
