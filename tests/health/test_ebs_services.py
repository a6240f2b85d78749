# ruff: noqa: F811  (pytest fixtures imported from tests.health.screening_fixtures)
"""Community signals: creation checks, triage / merge / verification / event transitions and
the forbidden ones, through the services."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from hbmm.accounts.models import AuditEvent
from hbmm.health.ebs.models import Signal
from hbmm.health.ebs.services import (
    event_close,
    event_open,
    event_update,
    signal_create,
    signal_merge,
    signal_triage,
    signal_verify,
)
from hbmm.health.screening.workflow import WorkflowError
from hbmm.places.models import AdminArea, Site
from tests.health.screening_fixtures import english, focal_point  # noqa: F401

R0 = dt.datetime(2020, 4, 20, 10, 0, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)


@pytest.fixture
def new_signal(focal_point):
    def make(at=R0, **extra):
        values = {"kind": "fever_cough_cluster", "area": AdminArea.objects.get(pcode="ML0103")}
        values.update(extra)
        return signal_create(reporter=focal_point, reported_at=at, **values)

    return make


@pytest.mark.django_db
def test_signal_place_from_site_or_pcode_and_bad_input(focal_point):
    diboli = Site.objects.get(code="BCP-DIBOLI")
    by_site = signal_create(
        reporter=focal_point, reported_at=R0, kind="sick_traveller", site=diboli
    )
    assert by_site.area.pcode == "ML0103"
    with pytest.raises(ValidationError) as error:
        signal_create(
            reporter=focal_point,
            reported_at=timezone.now() + dt.timedelta(days=1),
            detected_at=timezone.now() + dt.timedelta(days=2),
            kind="ghosts",
            latitude=48.85,
            longitude=2.35,
        )
    assert error.value.message_dict == {
        "reported_at": ["The time is in the future."],
        "detected_at": [
            "The time is in the future.",
            "The detection cannot be after the report.",
        ],
        "latitude": ["The coordinates are outside Mali."],
        "kind": ["Unknown signal type."],
        "place": ["Give a site or a P-code."],
    }
    with pytest.raises(ValidationError) as error:
        signal_create(
            reporter=focal_point,
            reported_at=R0,
            detected_at=R0 + H,
            kind="rumour",
            site=diboli,
            area=AdminArea.objects.get(pcode="ML03"),
        )
    assert error.value.message_dict == {
        "detected_at": ["The detection cannot be after the report."],
        "place": ["The site is not in that admin area."],
    }


@pytest.mark.django_db
def test_triage_verify_event_workflow(new_signal, make_user):
    officer = make_user("surveillance_officer", areas=["ML01"])
    signal = new_signal()
    signal_triage(signal=signal, by=officer, decision="verify", at=R0 + H)
    signal_verify(
        signal=signal, by=officer, is_true=True, verifier_name="Dr Sissoko", at=R0 + 5 * H
    )
    assert signal.status == "verified" and signal.verifier_name == "Dr Sissoko"
    event = event_open(
        signal=signal, by=officer, risk="high", responsible="DRS Kayes", at=R0 + 6 * H
    )
    event_update(event=event, by=officer, actions="Contact tracing", response_at=R0 + 50 * H)
    event_close(event=event, by=officer, at=R0 + 200 * H)
    assert event.status == "closed" and event.response_at == R0 + 50 * H
    steps = list(
        AuditEvent.objects.filter(details__has_key="step")
        .order_by("pk")
        .values_list("details__step", flat=True)
    )
    assert steps == ["triage", "verify", "open", "update", "close"]


@pytest.mark.django_db
def test_forbidden_transitions(new_signal):
    signal = new_signal()
    with pytest.raises(WorkflowError, match="triaged 'to verify'"):
        signal_verify(signal=signal, by=None, is_true=True)
    with pytest.raises(WorkflowError, match="verified true"):
        event_open(signal=signal, by=None, risk="low", responsible="x")
    with pytest.raises(WorkflowError, match="Choose discard"):
        signal_triage(signal=signal, by=None, decision="ignore")
    with pytest.raises(ValidationError, match="why the signal is discarded"):
        signal_triage(signal=signal, by=None, decision="discard")
    with pytest.raises(WorkflowError, match="before the report"):
        signal_triage(signal=signal, by=None, decision="verify", at=R0 - H)
    signal_triage(
        signal=signal, by=None, decision="discard", note="Known chronic illness", at=R0 + H
    )
    with pytest.raises(WorkflowError, match="Only a new signal can be triaged"):
        signal_triage(signal=signal, by=None, decision="verify")

    other = new_signal()
    signal_triage(signal=other, by=None, decision="verify", at=R0 + H)
    with pytest.raises(WorkflowError, match="before the triage"):
        signal_verify(signal=other, by=None, is_true=True, at=R0 + 0.5 * H)
    signal_verify(signal=other, by=None, is_true=False, at=R0 + 3 * H)
    with pytest.raises(WorkflowError, match="verified true"):
        event_open(signal=other, by=None, risk="low", responsible="x")

    true = new_signal()
    signal_triage(signal=true, by=None, decision="verify", at=R0 + H)
    signal_verify(signal=true, by=None, is_true=True, at=R0 + 2 * H)
    with pytest.raises(ValidationError, match="risk level"):
        event_open(signal=true, by=None, risk="extreme", responsible="x")
    event = event_open(signal=true, by=None, risk="low", responsible="x", at=R0 + 3 * H)
    with pytest.raises(WorkflowError, match="already has an event"):
        event_open(signal=true, by=None, risk="low", responsible="x")
    with pytest.raises(WorkflowError, match="before the event's opening"):
        event_update(event=event, by=None, response_at=R0 + H)
    event_close(event=event, by=None, at=R0 + 4 * H)
    with pytest.raises(WorkflowError, match="closed"):
        event_update(event=event, by=None, risk="high")


@pytest.mark.django_db
def test_duplicates_are_merged_into_the_original(new_signal):
    original = new_signal(at=R0, detected_at=R0 - 2 * H)
    second = new_signal(at=R0 + 3 * H, detected_at=R0 - 20 * H)
    third = new_signal(at=R0 + 4 * H)
    signal_merge(signal=second, into=original, by=None, at=R0 + 5 * H)
    # Merging into a duplicate merges into its original.
    signal_triage(signal=third, by=None, decision="duplicate", duplicate_of=second, at=R0 + 6 * H)
    original.refresh_from_db()
    assert third.duplicate_of == original and second.duplicate_of == original
    assert set(original.duplicates.values_list("pk", flat=True)) == {second.pk, third.pk}
    assert original.detected_at == R0 - 20 * H  # the earliest detection of the merged reports
    with pytest.raises(WorkflowError, match="cannot duplicate itself"):
        signal_merge(signal=original, into=third, by=None)
    with pytest.raises(WorkflowError, match="Only a new signal or one to verify"):
        signal_merge(signal=second, into=new_signal(), by=None)
    assert Signal.objects.filter(status="duplicate").count() == 2
