"""Community feedback reads: exact counts over a period, by week and topic, by region, top
rumours, and the reader's scope (a Gao reader counts nothing of Kayes)."""

import datetime as dt

import pytest

from hbmm.accounts.scope import EVERYTHING, user_scope
from hbmm.feedback import figures, selectors
from hbmm.feedback.services import feedback_answer, feedback_code, feedback_refer
from tests.feedback.conftest import R0, D, H

pytestmark = pytest.mark.django_db
MONDAY = R0.date()  # 2020-04-20, ISO week 17
SUNDAY = MONDAY + dt.timedelta(days=6)


@pytest.fixture
def week(log_entry):
    """Ten entries in week 17 (eight in Kayes region ML01, two in Gao ML07), one in week 16, one
    in week 18; three answered (2 h, 50 h, 80 h after reception), one referred."""
    entries = [
        log_entry(R0, kind="rumour", topic="stigma"),
        log_entry(R0 + H, kind="rumour", topic="stigma"),
        log_entry(R0 + 2 * H, kind="rumour", topic="stigma", site="BCP-DIBOLI"),
        log_entry(R0 + D, kind="rumour", topic="border_closure"),
        log_entry(R0 + D, kind="rumour", topic="border_closure", pcode="ML07"),
        log_entry(R0 + 2 * D, kind="rumour", topic="vaccination", pcode="ML07"),
        log_entry(R0 + 2 * D, kind="question", topic="symptoms", channel="session"),
        log_entry(R0 + 3 * D, kind="complaint", topic="services", channel="focal_point"),
        log_entry(R0 + 4 * D, channel="social_media"),  # not coded yet
        log_entry(R0 + 6 * D + 13 * H, kind="praise", topic="services"),  # Sunday 23:00
    ]
    log_entry(R0 - D, kind="rumour", topic="symptoms")  # Sunday of week 16
    log_entry(R0 + 7 * D, kind="rumour", topic="symptoms")  # Monday of week 18
    feedback_answer(feedback=entries[0], by=None, answer="a", at=R0 + 2 * H)
    feedback_answer(feedback=entries[6], by=None, answer="b", at=entries[6].received_at + 50 * H)
    feedback_answer(feedback=entries[7], by=None, answer="c", at=entries[7].received_at + 80 * H)
    feedback_refer(feedback=entries[3], by=None, to="DRS", at=R0 + D + H)
    return entries


def test_summary_exact(week):
    summary = selectors.feedback_summary(scope=EVERYTHING, start=MONDAY, end=SUNDAY)
    assert summary.total == 10
    assert summary.by_kind == {
        "rumour": 6,
        "question": 1,
        "suggestion": 0,
        "complaint": 1,
        "praise": 1,
    }
    assert summary.by_status == {"open": 6, "answered": 3, "referred": 1}
    assert summary.by_channel == {"hotline": 7, "session": 1, "focal_point": 1, "social_media": 1}
    assert summary.uncoded == 1
    assert (summary.answered, summary.answered_within_target) == (3, 2)
    assert summary.median_hours_to_answer == 50.0


def test_figures_exact_with_drilldowns(week):
    period = figures.feedback_period(scope=EVERYTHING, start=MONDAY, end=SUNDAY)
    assert period.received.value == 10
    assert (period.rumours.value, period.rumours.denominator) == (6, 10)
    assert period.rumours.display == "6 of 10 entries (60%)"
    assert (period.answered.value, period.answered.denominator) == (2, 10)
    assert (period.pending.value, period.pending.denominator) == (7, 10)
    assert period.pending.drilldown.params == {
        "start": "2020-04-20",
        "end": "2020-04-26",
        "status": "pending",
    }
    top = figures.top_rumours(scope=EVERYTHING, start=MONDAY, end=SUNDAY)
    assert [(f.label, f.value, f.denominator) for f in top] == [
        ("migrants and stigma", 3, 6),
        ("border closure", 2, 6),
        ("vaccination", 1, 6),
    ]
    assert top[0].drilldown.params["topic"] == "stigma"


def test_weekly_by_topic_and_region(week):
    rows = selectors.feedback_weekly(
        scope=EVERYTHING, start=MONDAY - dt.timedelta(days=7), end=SUNDAY + dt.timedelta(days=7)
    )
    assert rows == [
        {"week": dt.date(2020, 4, 13), "topic": "symptoms", "n": 1},
        {"week": MONDAY, "topic": "", "n": 1},
        {"week": MONDAY, "topic": "border_closure", "n": 2},
        {"week": MONDAY, "topic": "services", "n": 2},
        {"week": MONDAY, "topic": "stigma", "n": 3},
        {"week": MONDAY, "topic": "symptoms", "n": 1},
        {"week": MONDAY, "topic": "vaccination", "n": 1},
        {"week": dt.date(2020, 4, 27), "topic": "symptoms", "n": 1},
    ]
    assert selectors.feedback_by_region(scope=EVERYTHING, start=MONDAY, end=SUNDAY) == {
        "ML01": 8,
        "ML07": 2,
    }
    assert selectors.feedback_per_region(scope=EVERYTHING, start=MONDAY, end=SUNDAY) == [
        ("ML01", "Kayes", 8),
        ("ML07", "Gao", 2),
    ]


def test_scope(week, make_user):
    gao = user_scope(make_user("im_officer", areas=["ML07"]))
    summary = selectors.feedback_summary(scope=gao, start=MONDAY, end=SUNDAY)
    assert (summary.total, summary.by_kind["rumour"]) == (2, 2)
    assert selectors.top_rumours(scope=gao, start=MONDAY, end=SUNDAY) == [
        ("border_closure", 1),
        ("vaccination", 1),
    ]
    diboli_only = user_scope(make_user("im_officer", sites=["BCP-DIBOLI"]))
    assert selectors.feedback_list(scope=diboli_only).count() == 1
    assert selectors.latest_feedback_date(scope=gao) == dt.date(2020, 4, 22)
    assert selectors.latest_feedback_date(scope=EVERYTHING) == dt.date(2020, 4, 27)


def test_uncoded_and_pending_filters(week):
    assert selectors.feedback_list(scope=EVERYTHING, uncoded=True).count() == 1
    assert selectors.feedback_list(scope=EVERYTHING, status="pending").count() == 9
    feedback_code(feedback=week[8], by=None, kind="suggestion", topic="prevention")
    assert selectors.feedback_list(scope=EVERYTHING, uncoded=True).count() == 0


def test_counts_stand_as_they_were_at_the_end_of_the_day(week):
    """Coding, answers and closures recorded after the end of the period are not counted: a
    report for a past date does not change."""
    later = R0 + 9 * D  # Wednesday of the week after
    feedback_code(feedback=week[8], by=None, kind="question", topic="vaccination", at=later)
    feedback_answer(feedback=week[1], by=None, answer="d", at=later)
    summary = selectors.feedback_summary(scope=EVERYTHING, start=MONDAY, end=SUNDAY)
    assert (summary.uncoded, summary.by_kind["question"], summary.answered) == (1, 1, 3)
    assert summary.by_status == {"open": 6, "answered": 3, "referred": 1}
    weekly = selectors.feedback_weekly(scope=EVERYTHING, start=MONDAY, end=SUNDAY)
    assert {"week": MONDAY, "topic": "", "n": 1} in weekly
    after = selectors.feedback_summary(scope=EVERYTHING, start=MONDAY, end=later.date())
    assert (after.uncoded, after.by_kind["question"], after.answered) == (0, 2, 4)
    assert after.total == 11  # with the Monday of the week after, still open
    assert after.by_status == {"open": 6, "answered": 4, "referred": 1}
