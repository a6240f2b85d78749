# ruff: noqa: F811  (pytest fixtures imported from tests.health.screening_fixtures)
"""The suspects' median delays (screening -> notification -> referral), found by the database
(ranks and counts by window functions) from the middle one or two delays of each group: the
same figures as the median of every suspect's delay in Python, on SQLite and PostgreSQL."""

import datetime as dt
import random
from statistics import median

import pytest

from hbmm.accounts.scope import EVERYTHING, user_scope
from hbmm.health.screening import selectors
from hbmm.health.screening.models import Screening
from hbmm.health.screening.workflow import screening_notify, screening_refer
from tests.health.screening_fixtures import T0, english, facilities, fever_cough, healthy, screen  # noqa: F401

H = dt.timedelta(hours=1)
APRIL = (dt.date(2020, 4, 1), dt.date(2020, 4, 30))


def _steps(screening, facility, *, notified=None, referred=None):
    """Notify `notified` after the screening and refer `referred` after the notification."""
    if notified is not None:
        screening_notify(
            screening=screening, by=None, at=screening.screened_at + notified, send_email=False
        )
    if referred is not None:
        screening_refer(
            screening=screening,
            by=None,
            facility=facility,
            transport="ambulance",
            at=screening.notified_at + referred,
        )


@pytest.fixture
def viewer(make_user):
    return user_scope(make_user("viewer", areas=["MLI"]))


@pytest.mark.django_db
def test_even_count_is_the_mean_of_the_two_middle_delays(screen, facilities, viewer):
    hospital = facilities["hospital"]
    # Notification after 12 and 18 minutes (0.2 h and 0.3 h): the median is 0.25 h, which
    # Python rounds to 0.2 (0.25 is exact in binary: half to even), as before.
    first = screen("BCP-DIBOLI", T0, **fever_cough())
    second = screen("BCP-DIBOLI", T0 + H, **fever_cough())
    _steps(first, hospital, notified=dt.timedelta(minutes=12), referred=H)
    _steps(second, hospital, notified=dt.timedelta(minutes=18))  # notified, not referred
    summary = selectors.screening_summary(scope=viewer, start=APRIL[0], end=APRIL[1])
    assert summary["median_hours_to_notification"] == 0.2
    assert summary["notified_count"] == 2
    # Referral: the one referred suspect (1 h after 12 minutes).
    assert (summary["median_hours_to_referral"], summary["referred_count"]) == (1.2, 1)
    assert summary["median_hours_notification_to_referral"] == 1.0


@pytest.mark.django_db
def test_suspects_not_notified_are_not_counted(screen, facilities, viewer):
    hospital = facilities["hospital"]
    screen("BCP-DIBOLI", T0, **fever_cough())  # a suspect, not notified
    notified = screen("BCP-DIBOLI", T0 + H, **fever_cough())
    _steps(notified, hospital, notified=3 * H, referred=2 * H)
    summary = selectors.screening_summary(scope=viewer, start=APRIL[0], end=APRIL[1])
    assert summary["suspect"] == 2
    assert (summary["median_hours_to_notification"], summary["notified_count"]) == (3.0, 1)
    assert (summary["median_hours_to_referral"], summary["referred_count"]) == (5.0, 1)
    rows = selectors.screening_figures(scope=viewer, start=APRIL[0], end=APRIL[1], by=("week",))
    assert [(r["suspect"], r["median_hours_to_notification"]) for r in rows] == [(2, 3.0)]


@pytest.mark.django_db
def test_no_suspect_no_median(screen, viewer):
    screen("BCP-DIBOLI", T0, **healthy())
    summary = selectors.screening_summary(scope=viewer, start=APRIL[0], end=APRIL[1])
    assert summary["screened"] == 1
    assert summary["median_hours_to_notification"] is None
    assert summary["median_hours_to_referral"] is None
    assert summary["median_hours_notification_to_referral"] is None
    assert (summary["notified_count"], summary["referred_count"]) == (0, 0)
    rows = selectors.screening_figures(scope=viewer, start=APRIL[0], end=APRIL[1], by=("point",))
    assert [(r["point"], r["median_hours_to_notification"]) for r in rows] == [("BCP-DIBOLI", None)]


def _python_medians(by_key):
    """The medians as computed from every suspect's delay in Python (the reference)."""
    out = {}
    for key, rows in by_key.items():
        notification = [(n - s).total_seconds() / 3600 for s, n, _r in rows]
        referral = [(r - s).total_seconds() / 3600 for s, _n, r in rows if r]
        out[key] = (
            round(median(notification), 1) if notification else None,
            round(median(referral), 1) if referral else None,
        )
    return out


@pytest.mark.django_db
def test_medians_per_group_equal_the_median_of_every_delay(screen, facilities, viewer):
    """Groups of odd and even sizes, equal delays, delays to the microsecond, suspects not
    notified or not referred, over two points and three ISO weeks."""
    hospital = facilities["hospital"]
    draw = random.Random(19)
    for index in range(40):
        point = ("BCP-DIBOLI", "BCP-GOGUI")[index % 2]
        at = T0 + dt.timedelta(days=draw.randrange(14), minutes=draw.randrange(600))
        suspect = screen(point, at, **fever_cough())
        if index % 7 == 0:
            continue  # not notified
        notified = dt.timedelta(minutes=draw.choice([30, 30, 45, 90, 125]))
        referred = None
        if index % 3:
            referred = dt.timedelta(
                seconds=draw.randrange(36000), microseconds=draw.randrange(10**6)
            )
        _steps(suspect, hospital, notified=notified, referred=referred)
    records = Screening.objects.filter(is_suspect=True, notified_at__isnull=False)
    by_week: dict = {}
    for s, n, r, code in records.values_list(
        "screened_at", "notified_at", "referred_at", "point__code"
    ):
        week = "{}-W{:02d}".format(*s.isocalendar()[:2])
        by_week.setdefault((code, week), []).append((s, n, r))
    expected = _python_medians(by_week)
    rows = selectors.screening_figures(
        scope=viewer, start=APRIL[0], end=APRIL[1], by=("point", "week")
    )
    found = {
        (r["point"], r["week"]): (r["median_hours_to_notification"], r["median_hours_to_referral"])
        for r in rows
    }
    assert found == expected
    assert any(len(rows) % 2 == 0 for rows in by_week.values())
    assert any(len(rows) % 2 == 1 for rows in by_week.values())
    whole = _python_medians({(): [row for rows in by_week.values() for row in rows]})[()]
    summary = selectors.screening_summary(scope=viewer, start=APRIL[0], end=APRIL[1])
    assert (summary["median_hours_to_notification"], summary["median_hours_to_referral"]) == whole
    assert summary["notified_count"] == records.count()
    assert summary["referred_count"] == records.filter(referred_at__isnull=False).count()


@pytest.mark.django_db
def test_counts_only_leave_the_medians_out(screen, facilities, viewer):
    suspect = screen("BCP-DIBOLI", T0, **fever_cough())
    _steps(suspect, facilities["hospital"], notified=2 * H)
    week = selectors.screening_figures(scope=viewer, start=APRIL[0], end=APRIL[1], by=("week",))
    counts = selectors.screening_figures(
        scope=viewer, start=APRIL[0], end=APRIL[1], by=("week",), delays=False
    )
    assert week[0]["median_hours_to_notification"] == 2.0
    assert counts[0]["median_hours_to_notification"] is None
    assert [{k: r[k] for k in selectors.COUNTS} for r in counts] == [
        {k: r[k] for k in selectors.COUNTS} for r in week
    ]


@pytest.mark.django_db
def test_under_a_time_cut_the_records_known_then(screen, facilities):
    """A report reproduced as known on a past moment reads the records (the day summary holds
    the present): the screening entered after that moment is not counted, nor its delay."""
    hospital = facilities["hospital"]
    first = screen("BCP-DIBOLI", T0, **fever_cough())
    _steps(first, hospital, notified=H)
    later = screen("BCP-GOGUI", T0 + H, **fever_cough())
    _steps(later, hospital, notified=5 * H)
    known = EVERYTHING.as_known_on(first.created_at)
    summary = selectors.screening_summary(scope=known, start=APRIL[0], end=APRIL[1])
    assert (summary["screened"], summary["suspect"], summary["points"]) == (1, 1, 1)
    assert (summary["median_hours_to_notification"], summary["notified_count"]) == (1.0, 1)
    now = selectors.screening_summary(scope=EVERYTHING, start=APRIL[0], end=APRIL[1])
    assert (now["screened"], now["points"], now["median_hours_to_notification"]) == (2, 2, 3.0)
    rows = selectors.screening_figures(scope=known, start=APRIL[0], end=APRIL[1], by=("point",))
    assert [(r["point"], r["screened"], r["median_hours_to_notification"]) for r in rows] == [
        ("BCP-DIBOLI", 1, 1.0)
    ]


@pytest.mark.django_db
def test_weeks_from_the_day_summary_across_a_new_year(screen, viewer):
    """By week alone the day summary is summed by day and the days by ISO week: 31 December
    2020 and 3 January 2021 are both in week 2020-W53; the records, grouped by the database,
    say the same."""
    for day, suspect in ((dt.date(2020, 12, 28), True), (dt.date(2020, 12, 31), False),
                         (dt.date(2021, 1, 3), True), (dt.date(2021, 1, 4), False)):  # fmt: skip
        at = dt.datetime(day.year, day.month, day.day, 23, 30, tzinfo=dt.UTC)
        screen("BCP-DIBOLI", at, **(fever_cough() if suspect else healthy()))
    period = {"start": dt.date(2020, 12, 1), "end": dt.date(2021, 1, 31), "by": ("week",)}
    summary = selectors.screening_figures(scope=viewer, **period)
    assert [(r["week"], r["screened"], r["suspect"]) for r in summary] == [
        ("2020-W53", 3, 2),
        ("2021-W01", 1, 0),
    ]
    records = selectors.screening_figures(
        scope=EVERYTHING.as_known_on(dt.datetime(2100, 1, 1, tzinfo=dt.UTC)), **period
    )
    assert records == summary
