# ruff: noqa: F811  (pytest fixtures imported from tests.health.screening_fixtures)
"""Screening services: classification stored with its version, the agent's override
(audited), every workflow transition and the forbidden ones, follow-up, bad input."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from hbmm.accounts.models import AuditEvent
from hbmm.health.screening.followup import followup_start, followup_visit_add
from hbmm.health.screening.models import Screening
from hbmm.health.screening.services import screening_create, screening_decide
from hbmm.health.screening.workflow import (
    WorkflowError,
    screening_close,
    screening_isolate,
    screening_notify,
    screening_refer,
    screening_result,
    screening_sample,
)
from hbmm.places.models import Site
from tests.health.screening_fixtures import T0, english, facilities, fever_cough, healthy, screen  # noqa: F401

H = dt.timedelta(hours=1)


@pytest.mark.django_db
def test_suspect_is_classified_with_the_definition_version(screen):
    s = screen(**fever_cough())
    assert s.auto_suspect and s.is_suspect and s.matched_clauses == ["A"]
    assert s.classification_status == "automatic"
    assert (s.case_definition.code, s.case_definition.version) == ("who-2020-03-20", 1)
    assert s.has_symptoms and s.age_group == "25-49"


@pytest.mark.django_db
def test_confirming_is_not_an_override(screen, make_user):
    agent = make_user("poe_agent", sites=["BCP-DIBOLI"])
    s = screen(**healthy())
    screening_decide(screening=s, by=agent, decision="not_suspect")
    s.refresh_from_db()
    assert s.classification_status == "confirmed" and not s.is_suspect
    assert not AuditEvent.objects.filter(action="override").exists()


@pytest.mark.django_db
def test_override_needs_a_reason_and_is_audited(screen, make_user):
    agent = make_user("poe_agent", sites=["BCP-DIBOLI"])
    s = screen(**healthy(symptoms=["headache"]))
    with pytest.raises(ValidationError) as error:
        screening_decide(screening=s, by=agent, decision="suspect", reason="  ")
    assert "override_reason" in error.value.message_dict
    screening_decide(
        screening=s, by=agent, decision="suspect", reason="Vomiting blood, travelling with a case"
    )
    s.refresh_from_db()
    assert s.is_suspect and not s.auto_suspect and s.classification_status == "overridden"
    event = AuditEvent.objects.get(action="override")
    assert event.actor == agent and event.target == f"health.screening:{s.pk}"
    assert event.details == {
        "automatic": "not_suspect",
        "decision": "suspect",
        "reason": "Vomiting blood, travelling with a case",
        "case_definition": "who-2020-03-20 v1",
    }


@pytest.mark.django_db
def test_override_at_creation_from_the_form(reference):
    s = screening_create(
        point=Site.objects.get(code="BCP-DIBOLI"),
        screened_at=T0,
        decision="not_suspect",
        override_reason="Known asthma, temperature taken after running",
        notify=False,
        **fever_cough(),
    )
    assert s.auto_suspect and not s.is_suspect and s.classification_status == "overridden"
    assert AuditEvent.objects.filter(action="override", target=f"health.screening:{s.pk}").exists()


@pytest.mark.django_db
def test_full_workflow_timestamps(screen, facilities):
    s = screen(**fever_cough())
    screening_isolate(screening=s, by=None, at=T0 + 0.25 * H)
    screening_notify(screening=s, by=None, at=T0 + H, send_email=False)
    screening_refer(
        screening=s,
        by=None,
        facility=facilities["hospital"],
        transport="ambulance",
        at=T0 + 3 * H,
    )
    screening_sample(screening=s, by=None, lab=facilities["lab"], at=T0 + 5 * H)
    screening_result(screening=s, by=None, result="positive", at=T0 + 30 * H)
    screening_close(screening=s, by=None, outcome="hospitalised", at=T0 + 31 * H)
    s.refresh_from_db()
    assert s.step == "closed" and s.lab_result == "positive"
    assert s.hours_between("screened_at", "notified_at") == 1.0
    assert s.hours_between("screened_at", "referred_at") == 3.0
    steps = list(
        AuditEvent.objects.filter(target=f"health.screening:{s.pk}", details__has_key="step")
        .order_by("pk")
        .values_list("details__step", flat=True)
    )
    assert steps == ["isolated", "notified", "referred", "sampled", "resulted", "closed"]


@pytest.mark.django_db
def test_forbidden_transitions(screen, facilities):
    not_suspect = screen(**healthy())
    with pytest.raises(WorkflowError, match="not a suspect"):
        screening_isolate(screening=not_suspect, by=None, at=T0 + H)

    s = screen(**fever_cough())
    with pytest.raises(WorkflowError, match="Record the notification first"):
        screening_refer(
            screening=s, by=None, facility=facilities["hospital"], transport="ambulance"
        )
    with pytest.raises(WorkflowError, match="Record the notification first"):
        screening_sample(screening=s, by=None, lab=facilities["lab"])
    with pytest.raises(WorkflowError, match="Record the sample first"):
        screening_result(screening=s, by=None, result="negative")
    with pytest.raises(WorkflowError, match="before the screening"):
        screening_isolate(screening=s, by=None, at=T0 - H)
    with pytest.raises(WorkflowError, match="in the future"):
        screening_isolate(screening=s, by=None, at=timezone.now() + dt.timedelta(hours=2))

    screening_isolate(screening=s, by=None, at=T0 + H)
    with pytest.raises(WorkflowError, match="already recorded"):
        screening_isolate(screening=s, by=None, at=T0 + 2 * H)
    with pytest.raises(WorkflowError, match="has been isolated"):
        screening_decide(screening=s, by=None, decision="not_suspect", reason="mistake")

    screening_notify(screening=s, by=None, at=T0 + 2 * H, send_email=False)
    with pytest.raises(WorkflowError, match="health facility"):
        screening_refer(screening=s, by=None, facility=facilities["lab"], transport="ambulance")
    with pytest.raises(WorkflowError, match="before the notification"):
        screening_refer(
            screening=s,
            by=None,
            facility=facilities["hospital"],
            transport="ambulance",
            at=T0 + H,
        )
    with pytest.raises(WorkflowError, match="laboratory"):
        screening_sample(screening=s, by=None, lab=facilities["hospital"], at=T0 + 3 * H)
    screening_sample(screening=s, by=None, lab=facilities["lab"], at=T0 + 3 * H)
    with pytest.raises(WorkflowError, match="lab result first"):
        screening_close(screening=s, by=None, outcome="released", at=T0 + 4 * H)
    with pytest.raises(WorkflowError, match="positive, negative or inconclusive"):
        screening_result(screening=s, by=None, result="maybe", at=T0 + 4 * H)
    screening_result(screening=s, by=None, result="negative", at=T0 + 20 * H)
    with pytest.raises(WorkflowError, match="before the lab result"):
        screening_close(screening=s, by=None, outcome="released", at=T0 + 10 * H)
    screening_close(screening=s, by=None, outcome="released", at=T0 + 21 * H)
    with pytest.raises(WorkflowError, match="closed"):
        screening_refer(
            screening=s,
            by=None,
            facility=facilities["hospital"],
            transport="ambulance",
            at=T0 + 22 * H,
        )
    s.refresh_from_db()
    assert s.referred_at is None and s.outcome == "released"


@pytest.mark.django_db
def test_bad_input_is_refused_with_the_field_named(reference, make_user):
    diboli = Site.objects.get(code="BCP-DIBOLI")
    cases = [
        ({"temperature": Decimal("29.9")}, "temperature", "between 30 and 45"),
        ({"temperature": Decimal("45.1")}, "temperature", "between 30 and 45"),
        ({"age": 121}, "age", "between 0 and 120"),
        ({"nationality": "Mali"}, "nationality", "three-letter ISO country code"),
        ({"countries_visited": ["GIN", "x"]}, "countries_visited", "three-letter ISO"),
        ({"symptoms": ["sneezing"]}, "symptoms", "Unknown symptoms: sneezing."),
        ({"sex": "m"}, "sex", "male, female or not stated"),
    ]
    for values, field, message in cases:
        with pytest.raises(ValidationError) as error:
            screening_create(point=diboli, screened_at=T0, notify=False, **values)
        assert message in " ".join(error.value.message_dict[field])
    with pytest.raises(ValidationError) as error:
        screening_create(
            point=diboli, screened_at=timezone.now() + dt.timedelta(hours=1), notify=False
        )
    assert error.value.message_dict["screened_at"] == ["The time is in the future."]
    agent = make_user("poe_agent", sites=["BCP-GOGUI"])
    with pytest.raises(ValidationError) as error:
        screening_create(point=diboli, screened_at=T0, agent=agent, notify=False)
    assert error.value.message_dict["point"] == ["This site is outside your geographic scope."]
    with pytest.raises(ValidationError) as error:
        screening_create(point=Site.objects.get(code="OFF-KAYES"), screened_at=T0, notify=False)
    assert "not a point of entry" in error.value.message_dict["point"][0]
    assert Screening.objects.count() == 0


@pytest.mark.django_db
def test_follow_up_visits(screen):
    s = screen(**healthy())
    with pytest.raises(WorkflowError, match="Start the follow-up"):
        followup_visit_add(screening=s, by=None, visited_on=dt.date(2020, 4, 16))
    followup_start(screening=s, by=None)
    assert s.follow_up_until == dt.date(2020, 4, 28)
    visit = followup_visit_add(
        screening=s,
        by=None,
        visited_on=dt.date(2020, 4, 16),
        symptoms=["cough"],
        temperature=Decimal("37.2"),
    )
    assert visit.symptoms == ["cough"]
    assert s.follow_up_outcome == "symptomatic"  # the symptoms closed the follow-up
    s.follow_up_outcome, s.follow_up_closed_on = "", None
    with pytest.raises(ValidationError) as error:
        followup_visit_add(screening=s, by=None, visited_on=dt.date(2020, 4, 29))
    assert "within the follow-up" in error.value.message_dict["visited_on"][0]


@pytest.mark.django_db
def test_identifiers_are_encrypted_at_rest_and_keyed(reference):
    from django.db import connection

    diboli = Site.objects.get(code="BCP-DIBOLI")
    first = screening_create(
        point=diboli,
        screened_at=T0,
        name="Moussa Keita",
        phone="+223 70 00 00 00",
        document_number="ML 1234567",
        notify=False,
    )
    again = screening_create(
        point=diboli,
        screened_at=T0 + H,
        name="M. Keita",
        document_number="ML1234567",
        notify=False,
    )
    assert first.person_key == again.person_key and first.person_key.startswith("T-")
    with connection.cursor() as cursor:
        cursor.execute(
            "select name, phone, document_number from health_screening where id = %s",
            [first.pk],
        )
        raw = cursor.fetchone()
    assert all(value.startswith("gAAAAA") for value in raw)  # Fernet tokens
    assert "Keita" not in " ".join(raw) and "1234567" not in " ".join(raw)
    assert Screening.objects.get(pk=first.pk).name == "Moussa Keita"


@pytest.mark.django_db
def test_suspect_screened_by_a_clock_slightly_ahead_is_notified(reference):
    ahead = timezone.now() + dt.timedelta(minutes=3)  # within the allowed clock skew
    s = screening_create(
        point=Site.objects.get(code="BCP-DIBOLI"), screened_at=ahead, **fever_cough()
    )
    assert s.notified_at == ahead and s.hours_between("screened_at", "notified_at") == 0.0
