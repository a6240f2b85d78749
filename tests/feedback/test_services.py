"""Community feedback writes: logging checks (bad input names its field, nothing stored), the
coding workflow and its forbidden transitions, the publishability rule, the audit trail."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from hbmm.accounts.models import AuditEvent
from hbmm.crypto import decrypt
from hbmm.feedback.models import Feedback
from hbmm.feedback.services import (
    WorkflowError,
    feedback_answer,
    feedback_close,
    feedback_code,
    feedback_log,
    feedback_publishable_set,
    feedback_refer,
    feedback_update,
)
from hbmm.health.ebs.services import focal_point_register, signal_create
from hbmm.places.models import AdminArea
from tests.feedback.conftest import R0, H

pytestmark = pytest.mark.django_db


def test_log_from_site_or_area_and_text_encrypted(log_entry):
    by_site = log_entry(site="BCP-DIBOLI")
    assert by_site.area.pcode == "ML0103" and by_site.status == "open"
    assert not by_site.is_coded and by_site.coded_at is None
    raw = Feedback.objects.filter(pk=by_site.pk).values_list("text", flat=True).get()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM feedback_feedback WHERE id = %s", [by_site.pk])
        stored = cursor.fetchone()[0]
    assert "migrants" not in stored
    assert decrypt(stored) == raw == "On dit que les migrants apportent la maladie."
    coded_at_intake = log_entry(kind="question", topic="symptoms")
    assert coded_at_intake.is_coded and coded_at_intake.coded_at is not None


def test_bad_input_names_each_field_and_stores_nothing(reference):
    with pytest.raises(ValidationError) as error:
        feedback_log(
            received_at=timezone.now() + dt.timedelta(days=1),
            channel="pigeon",
            text="  ",
            source_name="Awa Traoré",
            kind="gossip",
        )
    assert error.value.message_dict == {
        "received_at": ["The time is in the future."],
        "text": ["Write what was said."],
        "channel": ["“pigeon” is not one of hotline, focal_point, session, social_media, other."],
        "kind": ["“gossip” is not one of rumour, question, suggestion, complaint, praise."],
        "source_name": ["A name is kept only when the person consented to give it."],
        "place": ["Give a site or a P-code."],
    }
    assert Feedback.objects.count() == 0


def test_name_kept_only_with_consent_and_encrypted(log_entry):
    entry = log_entry(name_consent=True, source_name="Awa Traoré", source_type="migrant")
    assert Feedback.objects.get(pk=entry.pk).source_name == "Awa Traoré"
    assert not Feedback.objects.filter(source_name__contains="Awa").exists()


def test_workflow_open_answer_close(log_entry, make_user):
    officer = make_user("im_officer", areas=["MLI"])
    entry = log_entry()
    with pytest.raises(WorkflowError, match="Code the entry"):
        feedback_answer(feedback=entry, by=officer, answer="Non.")
    feedback_code(feedback=entry, by=officer, kind="rumour", topic="stigma")
    assert entry.coded_by == officer
    feedback_answer(feedback=entry, by=officer, answer="Le virus ne choisit pas.", at=R0 + 2 * H)
    entry.refresh_from_db()
    assert (entry.status, entry.answer, entry.responder) == (
        "answered",
        "Le virus ne choisit pas.",
        officer.username,
    )
    with pytest.raises(WorkflowError, match="answered cannot become referred"):
        feedback_refer(feedback=entry, by=officer, to="DRS Kayes")
    with pytest.raises(WorkflowError, match="before the last step"):
        feedback_close(feedback=entry, by=officer, at=R0 + H)
    feedback_close(feedback=entry, by=officer, at=R0 + 3 * H)
    assert Feedback.objects.get(pk=entry.pk).status == "closed"
    for step in (
        lambda: feedback_answer(feedback=entry, by=officer, answer="again"),
        lambda: feedback_close(feedback=entry, by=officer),
    ):
        with pytest.raises(WorkflowError, match="closed cannot become"):
            step()
    with pytest.raises(WorkflowError, match="The entry is closed."):
        feedback_code(feedback=entry, by=officer, kind="question", topic="other")
    steps = list(
        AuditEvent.objects.filter(target=f"feedback.feedback:{entry.pk}")
        .order_by("pk")
        .values_list("details__step", flat=True)
    )
    assert steps == ["log", "code", "answer", "close"]
    assert not AuditEvent.objects.filter(details__icontains="virus").exists()


def test_workflow_open_refer_answer_and_refer_needs_recipient(log_entry, make_user):
    officer = make_user("surveillance_officer", areas=["ML01"])
    entry = log_entry(kind="complaint", topic="services")
    with pytest.raises(ValidationError, match="to whom"):
        feedback_refer(feedback=entry, by=officer, to=" ")
    feedback_refer(feedback=entry, by=officer, to="District sanitaire de Kayes", at=R0 + H)
    with pytest.raises(WorkflowError, match="referred cannot become referred"):
        feedback_refer(feedback=entry, by=officer, to="someone else")
    with pytest.raises(WorkflowError, match="before the reception"):
        feedback_answer(feedback=entry, by=officer, answer="ok", at=R0 - H)
    with pytest.raises(WorkflowError, match="future"):
        feedback_answer(feedback=entry, by=officer, answer="ok", at=timezone.now() + H)
    feedback_answer(
        feedback=entry, by=officer, answer="Le centre ouvre à 8 h.", responder="DS Kayes"
    )
    assert (entry.status, entry.responder, entry.referred_to) == (
        "answered",
        "DS Kayes",
        "District sanitaire de Kayes",
    )


def test_open_entry_may_be_closed_without_answer_once_coded(log_entry):
    entry = log_entry(kind="praise", topic="services")
    feedback_close(feedback=entry, by=None, at=R0 + H)
    assert entry.status == "closed" and entry.answered_at is None


def test_publishable_rule(log_entry, make_user):
    reviewer = make_user("im_officer", areas=["MLI"])
    coder = make_user("surveillance_officer", areas=["MLI"])
    entry = log_entry()
    with pytest.raises(WorkflowError, match="Only a reviewer"):
        feedback_publishable_set(feedback=entry, by=coder, publishable=True)
    with pytest.raises(WorkflowError, match="Code the entry"):
        feedback_publishable_set(feedback=entry, by=reviewer, publishable=True)
    feedback_code(feedback=entry, by=coder, kind="rumour", topic="stigma", sensitivity="restricted")
    with pytest.raises(WorkflowError, match="restricted entry is never published"):
        feedback_publishable_set(feedback=entry, by=reviewer, publishable=True)
    feedback_code(feedback=entry, by=coder, kind="rumour", topic="stigma", sensitivity="sensitive")
    feedback_publishable_set(feedback=entry, by=reviewer, publishable=True)
    assert (entry.publishable, entry.reviewed_by) == (True, reviewer)
    # Recoding as restricted withdraws the publication.
    feedback_code(feedback=entry, by=coder, kind="rumour", topic="stigma", sensitivity="restricted")
    assert Feedback.objects.get(pk=entry.pk).publishable is False


def test_signal_link_only_to_a_signal_in_the_writers_scope(log_entry, make_user):
    point = focal_point_register(
        key="CFP-009", name="Relais", area=AdminArea.objects.get(pcode="ML0103")
    )
    signal = signal_create(
        reporter=point, reported_at=R0, kind="rumour", area=AdminArea.objects.get(pcode="ML0103")
    )
    kayes = make_user("surveillance_officer", areas=["ML01"])
    gao = make_user("surveillance_officer", areas=["ML07"])
    entry = log_entry()
    with pytest.raises(ValidationError, match=f"No community signal {signal.pk} in your scope"):
        feedback_code(feedback=entry, by=gao, kind="rumour", topic="symptoms", signal_id=signal.pk)
    feedback_code(feedback=entry, by=kayes, kind="rumour", topic="symptoms", signal_id=signal.pk)
    assert Feedback.objects.get(pk=entry.pk).signal_id == signal.pk
    with pytest.raises(ValidationError, match="No community signal 999999"):
        log_entry(signal_id=999999)


def test_an_edit_changes_an_open_entry_only(log_entry):
    entry = log_entry(kind="rumour", topic="stigma")
    feedback_update(
        feedback=entry,
        by=None,
        text="Texte corrigé.",
        channel="session",
        area=AdminArea.objects.get(pcode="ML07"),
    )
    entry.refresh_from_db()
    assert (entry.text, entry.channel, entry.area.pcode) == ("Texte corrigé.", "session", "ML07")
    with pytest.raises(ValidationError) as error:
        feedback_update(feedback=entry, by=None, text=" ", source_name="X", channel="fax")
    assert set(error.value.message_dict) == {"text", "source_name", "channel"}
    feedback_answer(feedback=entry, by=None, answer="Non.", at=R0 + H)
    with pytest.raises(WorkflowError, match="can no longer change"):
        feedback_update(feedback=entry, by=None, text="encore")
    assert Feedback.objects.get(pk=entry.pk).text == "Texte corrigé."


def test_an_edit_keeps_the_reviewers_coding(log_entry):
    entry = log_entry()
    feedback_code(feedback=entry, by=None, kind="rumour", topic="stigma", sensitivity="sensitive")
    feedback_update(feedback=entry, by=None, text="Autre.", kind="", topic="", sensitivity="normal")
    entry.refresh_from_db()
    assert (entry.kind, entry.topic, entry.sensitivity, entry.text) == (
        "rumour",
        "stigma",
        "sensitive",
        "Autre.",
    )
    fresh = log_entry()
    feedback_update(feedback=fresh, by=None, kind="question", topic="symptoms")
    fresh.refresh_from_db()
    assert fresh.is_coded and fresh.coded_at == fresh.received_at
