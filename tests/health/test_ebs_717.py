# ruff: noqa: F811  (pytest fixtures imported from tests.health.screening_fixtures)
"""The whole 7-1-7 of community events on fixed records: the date of emergence and the
detection target, the early-response checklist, the bottleneck review a missed target needs
before closing, and the shares of events meeting each target and all three, by week and
region, with the bottleneck categories most cited."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from hbmm.accounts.models import AuditEvent
from hbmm.accounts.scope import EVERYTHING
from hbmm.health.ebs import figures, performance, selectors
from hbmm.health.ebs.early_response import bottleneck_record, response_action_record
from hbmm.health.ebs.models import ResponseAction
from hbmm.health.ebs.services import (
    event_close,
    event_open,
    event_update,
    signal_create,
    signal_triage,
    signal_verify,
)
from hbmm.health.screening.workflow import WorkflowError
from hbmm.places.models import AdminArea
from tests.health.screening_fixtures import english, focal_point  # noqa: F401

R0 = dt.datetime(2020, 4, 20, 10, 0, tzinfo=dt.UTC)  # a Monday, ISO week 2020-W17
H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)
NOW = R0 + 200 * H  # 2020-04-28 18:00
ITEMS = ResponseAction.Item.values


def _event(focal_point, pcode, reported, *, detected=None, emerged=None, kind="first_case"):
    signal = signal_create(
        reporter=focal_point,
        reported_at=reported,
        detected_at=detected,
        kind="unexplained_deaths",
        area=AdminArea.objects.get(pcode=pcode),
    )
    signal_triage(signal=signal, by=None, decision="verify", at=reported + H)
    signal_verify(
        signal=signal,
        by=None,
        is_true=True,
        at=reported + 2 * H,
        emerged_on=emerged,
        emergence_kind=kind if emerged else "",
    )
    return event_open(signal=signal, by=None, risk="high", responsible="DRS", at=reported + 3 * H)


def _respond(event, done: dict, *, not_applicable=()):
    for item, at in done.items():
        response_action_record(event=event, item=item, state="done", done_at=at, by=None)
    for item in not_applicable:
        response_action_record(
            event=event, item=item, state="not_applicable", note="low risk", by=None
        )


@pytest.fixture
def events(focal_point):
    """A: every target met. B: every target missed (the response still open, past 7 days).
    C (Sikasso, a week later): detection and notification met, the response still running.
    D (Kayes, a week later): no detection time (neither detection nor notification can be
    judged), the response met."""
    a = _event(focal_point, "ML0103", R0, detected=R0 - 10 * H, emerged=dt.date(2020, 4, 15))
    _respond(
        a,
        {item: R0 + (10 + 15 * i) * H for i, item in enumerate(ITEMS[:6])},
        not_applicable=ITEMS[6:],
    )
    b = _event(focal_point, "ML0103", R0, detected=R0 - 30 * H, emerged=dt.date(2020, 4, 10))
    c = _event(
        focal_point, "ML0302", R0 + 7 * D, detected=R0 + 7 * D - 2 * H, emerged=dt.date(2020, 4, 25)
    )
    d = _event(focal_point, "ML0103", R0 + 7 * D, emerged=dt.date(2020, 4, 25), kind="first_sign")
    _respond(d, {"investigation": R0 + 7 * D + 20 * H}, not_applicable=ITEMS[1:])
    return {"a": a, "b": b, "c": c, "d": d}


@pytest.mark.django_db
def test_emergence_and_the_detection_target(events):
    a = events["a"].signal
    assert (a.emerged_on, a.emergence_kind, a.emergence_estimated) == (
        dt.date(2020, 4, 15),
        "first_case",
        True,
    )
    measures = performance.signal_timeliness(a, now=NOW)
    assert (measures["detection"].state, measures["detection"].days) == ("met", 5.0)
    b = performance.signal_timeliness(events["b"].signal, now=NOW)["detection"]
    assert (b.state, b.days) == ("missed", 9.0)
    d = performance.signal_timeliness(events["d"].signal, now=NOW)["detection"]
    assert d.state == "not_assessed"


@pytest.mark.django_db
def test_an_emergence_after_the_detection_is_refused_naming_the_field(focal_point):
    signal = signal_create(
        reporter=focal_point,
        reported_at=R0,
        detected_at=R0 - 30 * H,
        kind="rumour",
        area=AdminArea.objects.get(pcode="ML0103"),
    )
    signal_triage(signal=signal, by=None, decision="verify", at=R0 + H)
    with pytest.raises(WorkflowError) as refused:
        signal_verify(
            signal=signal,
            by=None,
            is_true=True,
            at=R0 + 2 * H,
            emerged_on=dt.date(2020, 4, 20),
            emergence_kind="first_case",
        )
    assert refused.value.message_dict == {
        "emerged_on": ["The emergence cannot be after the detection (2020-04-19)."]
    }
    with pytest.raises(WorkflowError) as refused:
        signal_verify(signal=signal, by=None, is_true=True, at=R0 - H)
    assert list(refused.value.message_dict) == ["verified_at"]


@pytest.mark.django_db
def test_the_checklist_completes_at_the_latest_applicable_action(events):
    a, d = events["a"], events["d"]
    a.refresh_from_db()
    # The latest of the six done (the two others do not apply): 10 + 15 x 5 = 85 hours.
    assert a.response_at == R0 + 85 * H
    lines = performance.checklist(a)
    assert [line.state for line in lines] == ["done"] * 6 + ["not_applicable"] * 2
    d.refresh_from_db()
    assert d.response_at == R0 + 7 * D + 20 * H
    # One action back to do: the early response is no longer complete.
    response_action_record(event=a, item="samples", state="to_do", by=None)
    a.refresh_from_db()
    assert a.response_at is None
    response_action_record(event=a, item="samples", state="done", done_at=R0 + 90 * H, by=None)
    a.refresh_from_db()
    assert a.response_at == R0 + 90 * H
    # Not applicable says why; done is not before the notification.
    with pytest.raises(ValidationError) as refused:
        response_action_record(event=a, item="rcce", state="not_applicable", by=None)
    assert refused.value.message_dict == {"note": ["Say why the action does not apply."]}
    with pytest.raises(WorkflowError) as refused:
        response_action_record(event=a, item="rcce", state="done", done_at=R0 - H, by=None)
    assert list(refused.value.message_dict) == ["done_at"]
    audited = AuditEvent.objects.filter(
        target=f"health.healthevent:{a.pk}", details__step="response_action"
    )
    assert audited.count() == 10
    # Once an event has its checklist, the completion is not set by hand.
    b = events["b"]
    response_action_record(event=b, item="investigation", state="done", done_at=R0 + 5 * H, by=None)
    b.refresh_from_db()
    assert b.response_at is None  # seven actions still to do
    with pytest.raises(WorkflowError, match="follows its checklist"):
        event_update(event=b, by=None, response_at=R0 + 6 * H)


@pytest.mark.django_db
def test_a_missed_target_needs_its_bottleneck_review_before_closing(events):
    a, b = events["a"], events["b"]
    assert performance.missed_without_review(b, now=NOW) == [
        "detection",
        "notification",
        "response",
    ]
    with pytest.raises(WorkflowError) as refused:
        event_close(event=b, by=None, at=NOW)
    assert refused.value.messages == [
        "Missed target without a bottleneck review: detection (7 days), notification (1 day), "
        "early response (7 days). Record it first."
    ]
    with pytest.raises(WorkflowError) as refused:  # a target met has nothing to review
        bottleneck_record(
            event=a, target="detection", category="community", cause="x", fix="y", by=None
        )
    assert list(refused.value.message_dict) == ["target"]
    with pytest.raises(ValidationError) as refused:
        bottleneck_record(
            event=b, target="detection", category="community", cause="", fix="", by=None
        )
    assert sorted(refused.value.message_dict) == ["cause", "fix"]
    for target, category in (
        ("detection", "community"),
        ("notification", "community"),
        ("response", "laboratory"),
    ):
        bottleneck_record(
            event=b,
            target=target,
            category=category,
            cause="Deaths seen as ordinary",
            fix="Train the village chiefs",
            by=None,
            now=NOW,
        )
    assert performance.missed_without_review(b, now=NOW) == []
    event_close(event=b, by=None, at=NOW)
    assert b.status == "closed"
    event_close(event=a, by=None, at=NOW)  # nothing missed: closes
    assert performance.bottleneck_counts(scope=EVERYTHING) == [
        {
            "category": "community",
            "label": "community awareness or care-seeking",
            "count": 2,
            "by_target": {"detection": 1, "notification": 1, "response": 0},
        },
        {
            "category": "laboratory",
            "label": "laboratory: sampling, transport or testing",
            "count": 1,
            "by_target": {"detection": 0, "notification": 0, "response": 1},
        },
    ]


def _shares(rows):
    return {row["key"]: [row["events"], *(f.display for f in row["figures"])] for row in rows}


@pytest.mark.django_db
def test_shares_of_events_meeting_each_target_and_all_three(events):
    kwargs = {"scope": EVERYTHING, "start": None, "end": None, "now": NOW}
    assert _shares(figures.events_717(**kwargs)) == {
        "": [
            4,
            "2 of 3 events (67%)",  # detection: A, C met; B missed; D not assessed
            "2 of 3 events (67%)",  # notification: the same
            "2 of 3 events (67%)",  # response: A, D met; B overdue; C still running
            "1 of 2 events (50%)",  # all three: A met; B missed; C, D undetermined
        ]
    }
    assert _shares(figures.events_717(by="week", **kwargs)) == {
        (2020, 17): [
            2,
            "1 of 2 events (50%)",
            "1 of 2 events (50%)",
            "1 of 2 events (50%)",
            "1 of 2 events (50%)",
        ],
        (2020, 18): [
            2,
            "1 of 1 event (100%)",
            "1 of 1 event (100%)",
            "1 of 1 event (100%)",
            "none assessed",
        ],
    }
    by_area = figures.events_717(by="area", **kwargs)
    assert [row["label"] for row in by_area] == ["Kayes (ML01)", "Sikasso (ML03)"]
    assert _shares(by_area) == {
        "ML01": [
            3,
            "1 of 2 events (50%)",
            "1 of 2 events (50%)",
            "2 of 3 events (67%)",
            "1 of 2 events (50%)",
        ],
        "ML03": [1, "1 of 1 event (100%)", "1 of 1 event (100%)", "none assessed", "none assessed"],
    }
    # The board's open events show their checklist's progress: done, out of those that apply.
    board = selectors.signals_board(scope=EVERYTHING, now=NOW)
    assert [(e.pk, e.actions_done, e.actions_applicable) for e in board["events"]] == [
        (events["a"].pk, 6, 6),
        (events["b"].pk, 0, 8),
        (events["c"].pk, 0, 8),
        (events["d"].pk, 1, 1),
    ]
    # The period is the notification's: the second week alone.
    second = figures.events_717(
        scope=EVERYTHING, start=dt.date(2020, 4, 27), end=dt.date(2020, 5, 3), now=NOW
    )
    assert second[0]["events"] == 2
