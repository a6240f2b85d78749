# ruff: noqa: F811  (pytest fixtures imported from tests.health.screening_fixtures)
"""7-1-7 timeliness per signal and as figures, on fixed timestamps; the signals board."""

import datetime as dt

import pytest

from hbmm.accounts.scope import user_scope
from hbmm.health.ebs import selectors
from hbmm.health.ebs.services import (
    event_open,
    event_update,
    signal_create,
    signal_merge,
    signal_triage,
    signal_verify,
)
from hbmm.places.models import AdminArea
from tests.health.screening_fixtures import english, focal_point  # noqa: F401

R0 = dt.datetime(2020, 4, 20, 10, 0, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)
NOW = R0 + 200 * H


@pytest.fixture
def signals(focal_point):
    kayes = AdminArea.objects.get(pcode="ML0103")

    def new(at, detected=None):
        return signal_create(
            reporter=focal_point, reported_at=at, detected_at=detected, kind="rumour", area=kayes
        )

    a = new(R0, R0 - 10 * H)
    signal_triage(signal=a, by=None, decision="verify", at=R0 + H)
    signal_verify(signal=a, by=None, is_true=True, at=R0 + 20 * H)
    event = event_open(signal=a, by=None, risk="high", responsible="DRS", at=R0 + 21 * H)
    event_update(event=event, by=None, response_at=R0 + 100 * H)

    b = new(R0, R0 - 30 * H)
    signal_triage(signal=b, by=None, decision="verify", at=R0 + H)
    signal_verify(signal=b, by=None, is_true=True, at=R0 + 30 * H)
    event_open(signal=b, by=None, risk="moderate", responsible="DRS", at=R0 + 31 * H)

    c = new(R0 + 190 * H)  # still new, 10 hours old
    d = new(R0, R0 - H)
    signal_triage(signal=d, by=None, decision="discard", note="not a health event", at=R0 + 2 * H)
    e = new(R0 + H)
    signal_merge(signal=e, into=a, by=None, at=R0 + 2 * H)
    f = new(R0)  # to verify, never verified
    signal_triage(signal=f, by=None, decision="verify", at=R0 + H)
    g = new(R0, R0 - 2 * H)
    signal_triage(signal=g, by=None, decision="verify", at=R0 + H)
    signal_verify(signal=g, by=None, is_true=False, at=R0 + 12 * H)
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f, "g": g}


@pytest.mark.django_db
def test_per_signal_measures(signals):
    a = selectors.signal_timeliness(signals["a"], now=NOW)
    assert (a["notification"].state, a["notification"].hours) == ("met", 10.0)
    assert (a["verification"].state, a["verification"].hours) == ("met", 20.0)
    assert (a["response"].state, a["response"].hours) == ("met", 100.0)
    b = selectors.signal_timeliness(signals["b"], now=NOW)
    assert [b[k].state for k in ("notification", "verification", "response")] == [
        "missed",
        "missed",
        "overdue",
    ]
    c = selectors.signal_timeliness(signals["c"], now=NOW)
    assert c["notification"].state == "not_assessed"
    assert (c["verification"].state, c["verification"].hours) == ("pending", 10.0)
    assert c["response"].state == "not_applicable"
    assert selectors.signal_timeliness(signals["d"], now=NOW)["verification"].state == (
        "not_applicable"
    )


@pytest.mark.django_db
def test_timeliness_figures(signals, make_user):
    national = make_user("surveillance_officer", areas=["MLI"])
    figures = selectors.signals_timeliness(
        scope=user_scope(national), start=dt.date(2020, 4, 1), end=dt.date(2020, 5, 31), now=NOW
    )
    assert figures["signals"] == 6  # the merged duplicate is not counted again
    assert figures["by_status"] == {
        "new": 1,
        "discarded": 1,
        "to_verify": 1,
        "verified": 2,
        "not_confirmed": 1,
    }
    assert figures["notification"] == {
        "met": 3,
        "missed": 1,
        "pending": 0,
        "overdue": 0,
        "not_assessed": 2,
        "total": 6,
        "assessed": 4,
        "share_met": 75.0,
        "median_hours": 6.0,
    }
    assert figures["verification"] == {
        "met": 2,
        "missed": 1,
        "pending": 1,
        "overdue": 1,
        "not_assessed": 0,
        "total": 5,
        "assessed": 3,
        "share_met": 66.7,
        "median_hours": 20.0,
    }
    assert figures["response"] == {
        "met": 1,
        "missed": 0,
        "pending": 0,
        "overdue": 1,
        "not_assessed": 0,
        "total": 2,
        "assessed": 1,
        "share_met": 100.0,
        "median_hours": 100.0,
    }
    assert (figures["events"], figures["events_open"]) == (2, 2)
    sikasso = make_user("surveillance_officer", areas=["ML03"])
    assert (
        selectors.signals_timeliness(scope=user_scope(sikasso), start=None, end=None, now=NOW)[
            "signals"
        ]
        == 0
    )


@pytest.mark.django_db
def test_verification_alone_equals_the_timeliness_figures(signals, focal_point, make_user):
    """The overview's figure reads the verification from the database's delays: the same
    counts and median as `signals_timeliness`, here with a delay just over 24 hours that
    rounds to 24.0 (met) and one verified to the microsecond."""
    kayes = AdminArea.objects.get(pcode="ML0103")
    for taken in (24 * H + dt.timedelta(minutes=2), 7 * H + dt.timedelta(microseconds=123457)):
        signal = signal_create(
            reporter=focal_point, reported_at=R0 + 3 * H, kind="rumour", area=kayes
        )
        signal_triage(signal=signal, by=None, decision="verify", at=R0 + 4 * H)
        signal_verify(signal=signal, by=None, is_true=False, at=R0 + 3 * H + taken)
    scope = user_scope(make_user("surveillance_officer", areas=["MLI"]))
    period = {"start": dt.date(2020, 4, 1), "end": dt.date(2020, 5, 31)}
    for now in (NOW, R0 + 20 * H):
        whole = selectors.signals_timeliness(scope=scope, now=now, **period)
        alone = selectors.signals_verification(scope=scope, now=now, **period)
        assert alone == {"signals": whole["signals"], "verification": whole["verification"]}
    assert alone["verification"]["met"] == 4  # a, g, and both new ones (24.0 h rounds to met)


@pytest.mark.django_db
def test_board_open_signals_by_age(signals, make_user):
    officer = make_user("surveillance_officer", areas=["ML01"])
    board = selectors.signals_board(scope=user_scope(officer), now=NOW)
    assert board["open"] == 2 and board["overdue"] == 1
    assert board["buckets"] == [("0-6", 0), ("6-12", 1), ("12-24", 0), ("24+", 1)]
    assert [(r["signal"].pk, r["age_hours"], r["overdue"]) for r in board["rows"]] == [
        (signals["f"].pk, 200.0, True),
        (signals["c"].pk, 10.0, False),
    ]
    assert len(board["events"]) == 2
