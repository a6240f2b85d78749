# ruff: noqa: F811  (pytest fixtures imported from tests.health.screening_fixtures and intake)
"""The verification form of a signal, end to end: the XLSForm (French and English, converts,
matches the code that writes it), a verification sent from ODK Collect reaching the signal
through `signal_verify` (audited, the date of emergence kept as established at verification),
and the ones that break the order or name a signal out of scope quarantined with the field."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook
from pyxform.xls2xform import convert

from hbmm.accounts.models import AuditEvent
from hbmm.health.ebs import xlsforms
from hbmm.health.ebs.intake_mappers import SignalVerificationMapper
from hbmm.health.ebs.models import Signal
from hbmm.health.ebs.services import focal_point_register, signal_create, signal_triage
from hbmm.health.screening.xlsforms import FORMS_DIR, VERSION
from hbmm.intake.models import Submission
from hbmm.places.models import AdminArea
from tests.health.screening_fixtures import english, focal_point  # noqa: F401
from tests.intake.conftest import collect  # noqa: F401

R0 = dt.datetime(2020, 4, 20, 10, 0, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)


def _rows(path, sheet):
    rows = list(load_workbook(path, read_only=True)[sheet].iter_rows(values_only=True))
    header = rows[0]
    return [
        {k: v for k, v in zip(header, row, strict=True) if v not in (None, "")} for row in rows[1:]
    ]


def test_the_form_converts_in_french_and_english_and_matches_its_code():
    path = FORMS_DIR / "signal_verification.xlsx"
    result = convert(xlsform=str(path))
    assert result.warnings == []
    settings = _rows(path, "settings")[0]
    assert settings["form_id"] == SignalVerificationMapper.form_id == "signal_verification"
    assert settings["default_language"] == "French (fr)"
    survey = _rows(path, "survey")
    build = xlsforms.verification_form()
    # Constraint messages are the server's (ServerSays), written as their text.
    assert survey == [{k: str(v) for k, v in row.items() if v != ""} for row in build["survey"]]
    fields = [r["name"] for r in survey if r["type"] not in ("start", "end", "deviceid")]
    assert fields == [
        "signal",
        "verified_at",
        "result",
        "verifier_name",
        "emerged_on",
        "emergence_kind",
        "note",
    ]
    labelled = [r for r in survey if r["type"] not in ("start", "end", "deviceid")]
    assert all("label::French (fr)" in r and "label::English (en)" in r for r in labelled)
    choices = _rows(path, "choices")
    assert all("label::French (fr)" in r and "label::English (en)" in r for r in choices)


def _xml(instance: str, signal: str, **fields) -> bytes:
    values = {
        "signal": signal,
        "verified_at": "2020-04-20T14:00:00Z",
        "result": "true",
        "verifier_name": "Dr Diarra",
        **fields,
    }
    body = "".join(f"<{k}>{v}</{k}>" for k, v in values.items())
    return (
        f'<data id="signal_verification" version="{VERSION}">{body}'
        f"<meta><instanceID>uuid:{instance}</instanceID></meta></data>"
    ).encode()


def _post(client, xml: bytes):
    upload = SimpleUploadedFile("submission.xml", xml, "text/xml")
    return client.post("/submission", {"xml_submission_file": upload})


@pytest.fixture
def to_verify(focal_point):
    sikasso = focal_point_register(
        key="CFP-SIK", name="Sikasso point", area=AdminArea.objects.get(pcode="ML0302")
    )
    made = {}
    for name, reporter, pcode in (
        ("kayes", focal_point, "ML0103"),
        ("early", focal_point, "ML0103"),
        ("sikasso", sikasso, "ML0302"),
    ):
        signal = signal_create(
            reporter=reporter,
            reported_at=R0,
            detected_at=R0 - 20 * H,
            kind="unexplained_deaths",
            area=AdminArea.objects.get(pcode=pcode),
        )
        signal_triage(signal=signal, by=None, decision="verify", at=R0 + H)
        made[name] = signal
    return made


@pytest.mark.django_db
def test_a_verification_from_collect(to_verify, make_user, collect, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    officer = make_user("surveillance_officer", areas=["ML01"])
    client = collect(officer)
    assert b"<formID>signal_verification</formID>" in client.get("/formList").content

    kayes = to_verify["kayes"]
    response = _post(
        client,
        _xml(
            "v1",
            kayes.reference,
            emerged_on="2020-04-14",
            emergence_kind="first_case",
            note="Three deaths confirmed by the nurse",
        ),
    )
    assert response.status_code == 201, response.content
    kayes = Signal.objects.get(pk=kayes.pk)
    assert (kayes.status, kayes.verified_at, kayes.verifier_name, kayes.verified_by) == (
        "verified",
        R0 + 4 * H,
        "Dr Diarra",
        officer,
    )
    assert (kayes.emerged_on, kayes.emergence_kind, kayes.emergence_estimated) == (
        dt.date(2020, 4, 14),
        "first_case",
        True,
    )
    submission = Submission.objects.get(instance_id="uuid:v1")
    assert submission.status == "accepted" and kayes.verification_submission == submission
    audit = AuditEvent.objects.get(target=f"health.signal:{kayes.pk}", details__step="verify")
    assert (audit.actor, audit.details["emerged_on"], audit.details["submission"]) == (
        officer,
        "2020-04-14",
        submission.pk,
    )

    # Before the triage: quarantined, naming the field; the signal stays to verify.
    early = to_verify["early"]
    _post(client, _xml("v2", str(early.pk), verified_at="2020-04-20T09:00:00Z"))
    refused = Submission.objects.get(instance_id="uuid:v2")
    assert refused.status == "quarantined"
    assert refused.errors == [
        {
            "field": "verified_at",
            "value": None,
            "message": "The time is before the triage (2020-04-20 11:00).",
        }
    ]
    assert Signal.objects.get(pk=early.pk).status == "to_verify"

    # An emergence after the detection: quarantined on emerged_on.
    _post(client, _xml("v3", early.reference, emerged_on="2020-04-20", emergence_kind="first_sign"))
    refused = Submission.objects.get(instance_id="uuid:v3")
    assert [(e["field"], e["message"]) for e in refused.errors] == [
        ("emerged_on", "The emergence cannot be after the detection (2020-04-19).")
    ]

    # Verified already (the same signal again): quarantined on the signal.
    _post(client, _xml("v4", kayes.reference))
    assert [e["field"] for e in Submission.objects.get(instance_id="uuid:v4").errors] == ["signal"]

    # A signal outside the officer's scope is not found.
    sikasso = to_verify["sikasso"]
    _post(client, _xml("v5", sikasso.reference))
    assert Submission.objects.get(instance_id="uuid:v5").errors == [
        {
            "field": "signal",
            "value": sikasso.reference,
            "message": "No signal with this number in your geographic scope.",
        }
    ]
    assert Signal.objects.get(pk=sikasso.pk).status == "to_verify"
