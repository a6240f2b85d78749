"""The feedback XLSForm: converts with pyxform, carries the mapper's form id and field names in
French and English, matches the code that writes it; an instance goes through the intake
pipeline into an entry, what was said and a consented name kept only encrypted; a bad
instance is quarantined with every reason, the identifiers never quoted."""

import pytest
from openpyxl import load_workbook
from pyxform.xls2xform import convert

from hbmm.feedback import xlsforms
from hbmm.feedback.intake_mappers import FeedbackMapper
from hbmm.feedback.models import Feedback
from hbmm.intake.models import Submission
from hbmm.intake.parsing import parse_xml
from hbmm.intake.process import submissions_process
from hbmm.intake.receive import submission_receive

SAID = "Ils disent que les camions venant de Guinée transportent le virus."


def _rows(path, sheet):
    rows = list(load_workbook(path, read_only=True)[sheet].iter_rows(values_only=True))
    header = rows[0]
    return [
        {k: v for k, v in zip(header, row, strict=True) if v not in (None, "")} for row in rows[1:]
    ]


def test_form_converts_and_matches_its_mapper():
    path = xlsforms.FORMS_DIR / "feedback.xlsx"
    assert convert(xlsform=str(path)).warnings == []
    assert _rows(path, "settings")[0]["form_id"] == FeedbackMapper.form_id == "feedback"
    survey = _rows(path, "survey")
    assert survey == [
        {k: str(v) for k, v in r.items() if v != ""} for r in xlsforms.feedback_form()["survey"]
    ]
    fields = {r["name"] for r in survey if r["type"] not in ("start", "end", "deviceid")}
    assert fields == set(FeedbackMapper.aliases)
    labelled = [r for r in survey if r["type"] not in ("start", "end", "deviceid")]
    assert all("label::French (fr)" in r and "label::English (en)" in r for r in labelled)
    choices = {(r["list_name"], r["name"]) for r in _rows(path, "choices")}
    for list_name, model_choices in (
        ("channel", Feedback.Channel),
        ("source_type", Feedback.SourceType),
        ("kind", Feedback.Kind),
        ("topic", Feedback.Topic),
        ("sensitivity", Feedback.Sensitivity),
    ):
        assert {n for ln, n in choices if ln == list_name} == set(model_choices.values)


def _receive(fields: dict, *, uid: str, submitter=None, edits: str = "") -> Submission:
    body = "".join(f"<{k}>{v}</{k}>" for k, v in fields.items())
    deprecated = f"<deprecatedID>uuid:{edits}</deprecatedID>" if edits else ""
    xml = (
        f'<data id="feedback" version="{xlsforms.VERSION}">{body}'
        f"<meta><instanceID>uuid:{uid}</instanceID>{deprecated}</meta></data>"
    )
    parsed = parse_xml(xml)
    received = submission_receive(
        channel="openrosa",
        form_id=parsed.form_id,
        instance_id=parsed.instance_id,
        deprecated_id=parsed.deprecated_id,
        payload=xml,
        payload_format="xml",
        data=parsed.data,
        submitter=submitter,
    )
    submissions_process([received.submission])
    received.submission.refresh_from_db()
    return received.submission


@pytest.mark.django_db
def test_instance_becomes_an_entry_and_identifiers_stay_encrypted(make_user):
    operator = make_user("enumerator", areas=["ML01"])
    submission = _receive(
        {
            "received_at": "2020-04-20T09:00:00.000Z",
            "channel": "hotline",
            "site": "",
            "pcode": "ML0103",
            "source_type": "transporter",
            "name_consent": "yes",
            "source_name": "Bakary D.",
            "text": SAID,
            "kind": "rumour",
            "topic": "border_closure",
            "sensitivity": "normal",
            "signal": "",
        },
        uid="fb-1",
        submitter=operator,
    )
    assert submission.status == "accepted", submission.errors
    entry = Feedback.objects.get(submission=submission)
    assert (entry.area.pcode, entry.channel, entry.source_type) == (
        "ML0103",
        "hotline",
        "transporter",
    )
    assert (entry.kind, entry.topic, entry.is_coded, entry.coded_by) == (
        "rumour",
        "border_closure",
        True,
        operator,
    )
    assert entry.text == SAID and entry.source_name == "Bakary D."
    assert submission.payload == "" and "text" not in submission.data
    assert "source_name" not in submission.data
    assert submission.protected_values["data"]["text"] == SAID
    stored = Submission.objects.filter(pk=submission.pk).values_list("data", flat=True).get()
    assert "Bakary" not in str(stored) and "Guinée" not in str(stored)


@pytest.mark.django_db
def test_bad_instance_is_quarantined_with_every_reason(make_user):
    gao_operator = make_user("enumerator", areas=["ML07"])
    submission = _receive(
        {
            "received_at": "2020-04-20T09:00:00.000Z",
            "channel": "pigeon",
            "pcode": "ML0103",
            "name_consent": "no",
            "source_name": "Bakary D.",
            "text": SAID,
            "topic": "astrology",
        },
        uid="fb-2",
        submitter=gao_operator,
    )
    assert submission.status == "quarantined"
    reasons = {(e["field"], e["message"]) for e in submission.errors}
    assert reasons == {
        (
            "channel",
            "Unknown value; expected one of: hotline, focal_point, session, social_media, other.",
        ),
        ("pcode", "This area is outside your geographic scope."),
        ("source_name", "A name is kept only when the person consented to give it."),
        (
            "topic",
            "Unknown value; expected one of: symptoms, prevention, stigma, border_closure, services, vaccination, other.",
        ),
    }
    assert "Bakary" not in str(submission.errors)
    assert Feedback.objects.count() == 0


@pytest.mark.django_db
def test_french_words_and_column_names_from_the_alias_data(make_user):
    """A focal point's file in French: the column names and the choice words are the alias
    data's (feedback/data/intake_aliases.json), accents and case ignored."""
    operator = make_user("enumerator", areas=["ML01"])
    submission = _receive(
        {
            "date_heure": "2020-04-21T10:00:00.000Z",
            "canal": "Ligne Verte",
            "pcode": "ML0103",
            "qui": "Chauffeur",
            "texte": SAID,
            "type_retour": "RUMEUR",
            "sujet": "fermeture des frontieres",
            "sensibilite": "sensible",
        },
        uid="fb-fr",
        submitter=operator,
    )
    assert submission.status == "accepted", submission.errors
    entry = Feedback.objects.get(submission=submission)
    assert (entry.channel, entry.source_type, entry.kind, entry.topic, entry.sensitivity) == (
        "hotline",
        "transporter",
        "rumour",
        "border_closure",
        "sensitive",
    )


@pytest.mark.django_db
def test_an_edited_report_updates_its_open_entry(make_user):
    """A report edited on the phone and sent again (`deprecatedID`) updates the entry its first
    version made (`feedbacks_save_batch` -> `feedback_update`), now pointing at the new
    version; no second entry. A coding the edit leaves blank keeps the entry's own."""
    operator = make_user("enumerator", areas=["ML01"])
    fields = {
        "received_at": "2020-04-20T09:00:00.000Z",
        "channel": "hotline",
        "pcode": "ML0103",
        "text": SAID,
        "kind": "rumour",
        "topic": "border_closure",
    }
    first = _receive(fields, uid="fb-e1", submitter=operator)
    assert first.status == "accepted", first.errors
    entry = Feedback.objects.get()
    edited = {**fields, "text": "Texte corrigé.", "kind": "", "topic": "", "channel": "session"}
    edit = _receive(edited, uid="fb-e2", submitter=operator, edits="fb-e1")
    assert edit.status == "accepted", edit.errors
    (updated,) = Feedback.objects.all()
    assert updated.pk == entry.pk
    assert (updated.text, updated.channel, updated.submission_id) == (
        "Texte corrigé.",
        "session",
        edit.pk,
    )
    assert (updated.kind, updated.topic) == ("rumour", "border_closure")
