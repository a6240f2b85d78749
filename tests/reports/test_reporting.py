"""Who has not reported: schedules as data, expected / received / on time per site, form and
period, the overview figure ("1 of 2 points reported every day of week 19"), the table page,
and the daily reminder e-mails to the site's users and their supervisors."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from hbmm.accounts.scope import user_scope
from hbmm.jobs.models import Job
from hbmm.mobility.services import flow_counts_save, mrrc_occupancy_save
from hbmm.places.models import AdminArea, Site, SiteKind
from hbmm.reports import tasks
from hbmm.reports.reporting.completeness import (
    ScheduleError,
    last_week_on,
    schedule_get,
    schedules,
    schedules_parse,
    site_counts,
    site_reporting,
)
from hbmm.reports.reporting.figures import reporting_sentence, reporting_week
from hbmm.reports.reporting.maps import COLORS, reporting_map, site_statuses
from tests.health.poe_helpers import import_rows

MONDAY = dt.date(2020, 5, 4)  # ISO week 2020-W19
SUNDAY = dt.date(2020, 5, 10)
UTC = dt.UTC


def at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def day(n: int) -> dt.date:
    return MONDAY + dt.timedelta(days=n)


@pytest.fixture
def week19(reference, make_user):
    """Diboli counts every day of week 19, on time; Gogui counts on Monday (on time) and
    Tuesday (entered on Friday: late), then nothing. Diboli's capacity checklist of the week
    arrives now (years late); Gogui sends none."""
    diboli, gogui = Site.objects.get(code="BCP-DIBOLI"), Site.objects.get(code="BCP-GOGUI")
    rows = [
        {
            "site": diboli,
            "observation_date": day(n),
            "direction": "incoming",
            "total": 5,
            "entered_at": at(day(n), 18),
        }
        for n in range(7)
    ]
    rows += [
        {
            "site": gogui,
            "observation_date": day(0),
            "direction": "incoming",
            "total": 3,
            "entered_at": at(day(1), 9),
        },
        {
            "site": gogui,
            "observation_date": day(1),
            "direction": "incoming",
            "total": 2,
            "entered_at": at(day(4), 9),
        },
    ]
    flow_counts_save(rows=rows)
    im = make_user("im_officer", areas=["MLI"])
    import_rows("poe_capacity", [{"site": "BCP-DIBOLI", "assessed_on": "2020-05-06"}], user=im)
    return make_user("viewer", areas=["ML01"])


def test_schedules_are_checked():
    good = {
        "form": "flow_count",
        "label_fr": "a",
        "label_en": "a",
        "site_kinds": ["fmp"],
        "frequency": "daily",
        "due_days": 1,
        "permission": "mobility.add_flowcount",
    }
    assert schedules_parse({"schedules": [good]})[0].due_days == 1
    for change, message in (
        ({"form": "nothing"}, r"schedule 1 \(nothing\): form must be one of"),
        ({"frequency": "monthly"}, "frequency must be daily or weekly"),
        ({"due_days": -1}, "due_days must be a whole number"),
        ({"site_kinds": []}, "site_kinds must list"),
    ):
        with pytest.raises(ScheduleError, match=message):
            schedules_parse({"schedules": [{**good, **change}]})
    with pytest.raises(ScheduleError, match="one schedule"):
        schedules_parse({"schedules": [good, good]})


@pytest.mark.django_db
def test_expected_received_on_time_per_site(week19):
    scope = user_scope(week19)
    flows = site_reporting(
        scope=scope,
        schedule=schedule_get("flow_count"),
        start=MONDAY,
        end=SUNDAY,
        today=dt.date(2020, 5, 20),
    )
    summary = {
        r.site.code: (
            r.expected,
            r.received,
            r.on_time,
            [p.start for p in r.missing],
            [p.start for p in r.late],
        )
        for r in flows
    }
    assert summary == {
        "BCP-DIBOLI": (7, 7, 7, [], []),
        "BCP-GOGUI": (7, 2, 1, [day(n) for n in range(2, 7)], [day(1)]),
    }
    checklists = site_reporting(
        scope=scope,
        schedule=schedule_get("poe_capacity"),
        start=MONDAY,
        end=SUNDAY,
        today=dt.date(2020, 5, 20),
    )
    assert [(r.site.code, r.expected, r.received, r.on_time) for r in checklists] == [
        ("BCP-DIBOLI", 1, 1, 0),  # received years after the deadline
        ("BCP-GOGUI", 1, 0, 0),
    ]
    # Periods not over on `today` are not expected yet.
    early = site_reporting(
        scope=scope,
        schedule=schedule_get("flow_count"),
        start=MONDAY,
        end=SUNDAY,
        today=day(3),
    )
    assert [(r.site.code, r.expected, r.received) for r in early] == [
        ("BCP-DIBOLI", 3, 3),
        ("BCP-GOGUI", 3, 2),
    ]


@pytest.mark.django_db
def test_week_figures_exact(week19):
    figures = reporting_week(scope=user_scope(week19), monday=MONDAY, today=dt.date(2020, 5, 20))
    shown = {f.key: (f.value, f.denominator, f.display, f.note) for f in figures}
    assert shown == {
        "reporting.flow_count": (
            1,
            2,
            "1 of 2 points (50%)",
            "1 of 2 points reported every day of week 19; 2 reported at least once; 1 report late",
        ),
        "reporting.poe_capacity": (
            1,
            2,
            "1 of 2 points (50%)",
            "1 of 2 points reported in week 19; 1 report late",
        ),
    }
    assert figures[0].drilldown.params == {
        "form": "flow_count",
        "start": "2020-05-04",
        "end": "2020-05-10",
    }


def test_the_sentence_agrees_in_french_and_english():
    flows = schedule_get("flow_count")
    assert (
        reporting_sentence(flows, complete=182, expected=200, week=19)
        == "182 of 200 points reported every day of week 19"
    )
    assert reporting_sentence(flows, complete=1, expected=1, week=19) == (
        "1 of 1 point reported every day of week 19"
    )
    with translation.override("fr"):
        assert reporting_sentence(flows, complete=182, expected=200, week=19) == (
            "182 sur 200 points ont transmis chaque jour de la semaine 19"
        )
        assert reporting_sentence(flows, complete=1, expected=1, week=19) == (
            "1 sur 1 point a transmis chaque jour de la semaine 19"
        )


def test_the_overview_week_is_the_last_one_over():
    assert last_week_on(dt.date(2020, 5, 10)) == MONDAY  # a Sunday: its own week
    assert last_week_on(dt.date(2020, 5, 13)) == MONDAY
    assert last_week_on(dt.date(2020, 5, 9)) == dt.date(2020, 4, 27)


@pytest.mark.django_db
def test_table_page_and_overview(week19, client):
    client.force_login(week19)
    response = client.get(
        reverse("reports:reporting"),
        {"form": "flow_count", "start": "2020-05-04", "end": "2020-05-10", "missing": "on"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "BCP-GOGUI" in body and "BCP-DIBOLI" not in body
    assert "2020-05-06 2020-05-07 2020-05-08 2020-05-09 2020-05-10" in body
    overview = client.get(reverse("reports:overview"), {"as_of": "2020-05-13"})
    assert overview.status_code == 200
    assert (
        "1 sur 2 points ont transmis chaque jour de la semaine 19\u202f; 2 ont transmis au moins "
        "une fois\u202f; 1 rapport en retard" in overview.content.decode()
    )


@pytest.mark.django_db
def test_reminders_to_the_site_users_and_supervisors(
    week19, make_user, django_capture_on_commit_callbacks, settings
):
    settings.BASE_URL = "http://hbmm.example.org"
    make_user("enumerator", sites=["BCP-GOGUI"], email="enum@example.org", language="en")
    make_user("enumerator", sites=["BCP-GOGUI"])  # no e-mail address: nothing
    make_user("poe_supervisor", areas=["ML01"], email="sup@example.org", language="en")
    # Sikasso's information officer: the supervisor of the flow counts of Sikasso's points.
    make_user("im_officer", areas=["ML03"], email="sikasso@example.org", language="en")
    # 2020-05-12 07:00: the day's reports of 2020-05-10 are late (due by the end of 05-11);
    # no weekly period ended 3 days before.
    now = at(dt.date(2020, 5, 12), 7)
    assert tasks.reporting_reminders_schedule(now=at(dt.date(2020, 5, 12), 6)) is None
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.reporting_reminders_schedule(now=now) == 2
    assert tasks.reporting_reminders_schedule(now=now) is None  # the day is claimed
    message, sikasso = mail.outbox
    assert sikasso.to == ["sikasso@example.org"]
    assert sikasso.subject == "[HBMM] 3 reports not received"
    assert [line for line in sikasso.body.splitlines() if line.startswith("- ")] == [
        "- Heremakono (BCP-HEREMAKONO): Flow counts at the flow monitoring points, 2020-05-10",
        "- Sona (BCP-SONA): Flow counts at the flow monitoring points, 2020-05-10",
        "- Zegoua (BCP-ZEGOUA): Flow counts at the flow monitoring points, 2020-05-10",
    ]
    assert message.to == ["enum@example.org"]
    assert message.subject == "[HBMM] 1 report not received"
    assert "- Gogui (BCP-GOGUI): Flow counts at the flow monitoring points, 2020-05-10" in (
        message.body
    )
    assert "http://hbmm.example.org/reports/reporting/" in message.body
    assert Job.objects.get(kind="reporting_reminder").outcome == {"sent": 2}
    # 2020-05-13: the weekly checklist of week 19 is late at Gogui (poe_supervisor too), and
    # both points' flow counts of 05-11.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.reporting_reminders_schedule(now=at(dt.date(2020, 5, 13), 8)) == 3
    by_to = {m.to[0]: m for m in mail.outbox}
    assert set(by_to) == {"enum@example.org", "sup@example.org", "sikasso@example.org"}
    assert by_to["enum@example.org"].subject == "[HBMM] 2 reports not received"
    supervisor = by_to["sup@example.org"].body
    assert (
        "- Gogui (BCP-GOGUI): Capacity checklist at the points of entry, week 19 "
        "(2020-05-04 to 2020-05-10)" in supervisor
    )
    assert "Flow counts" not in supervisor  # the flow counts' supervisors are im_officers


@pytest.mark.django_db
def test_reporting_page_queries_do_not_grow_with_rows(week19, client, make_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(make_user("viewer", areas=["MLI"]))
    url = reverse("reports:reporting")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, {"start": "2020-05-04", "end": "2020-05-10"})
            assert response.status_code == 200
        return len(queries)

    before = count()
    more = [
        {
            "site": Site.objects.get(code=code),
            "observation_date": day(n),
            "direction": "incoming",
            "total": 1,
            "entered_at": at(day(n), 20),
        }
        for code in ("BCP-KOUREMALE", "BCP-ZEGOUA")
        for n in range(7)
    ]
    flow_counts_save(rows=more)
    assert count() == before  # more sites with reports: the same queries


@pytest.mark.django_db
def test_the_reporting_map_colours_each_site_by_its_reporting(week19):
    """Week 19 in Kayes (the viewer's scope): Diboli sent every flow count on time and its
    capacity checklist late (all received, some late); Gogui sent 2 of 7 flow counts and no
    checklist (some missing). Flow counts alone: Diboli all on time."""
    scope = user_scope(week19)
    today = dt.date(2020, 6, 1)
    found = site_statuses(scope=scope, start=MONDAY, end=SUNDAY, today=today)
    assert [(s.site.code, s.status, s.received, s.expected) for s in found] == [
        ("BCP-DIBOLI", "late", 8, 8),
        ("BCP-GOGUI", "partial", 2, 8),
    ]
    flows = site_statuses(scope=scope, start=MONDAY, end=SUNDAY, today=today, form="flow_count")
    assert [(s.site.code, s.status) for s in flows] == [
        ("BCP-DIBOLI", "on_time"),
        ("BCP-GOGUI", "partial"),
    ]
    # A week nobody reported: nothing received, from both.
    silent = site_statuses(
        scope=scope, start=dt.date(2020, 5, 11), end=dt.date(2020, 5, 17), today=today
    )
    assert [s.status for s in silent] == ["none", "none"]
    with translation.override("en"):
        layer = reporting_map(scope=scope, start=MONDAY, end=SUNDAY, today=today)
    assert layer is not None
    assert [(p.code, p.status, p.color) for p in layer.points] == [
        ("BCP-DIBOLI", "late", COLORS["late"]),
        ("BCP-GOGUI", "partial", COLORS["partial"]),
    ]
    assert layer.summary == (
        "2 sites expected to report from 4 May 2020 to 10 May 2020: 0 all on time, 1 late, "
        "1 partial, 0 nothing received."
    )


@pytest.mark.django_db
def test_the_reporting_page_shows_the_map_with_its_counts(week19, client):
    client.force_login(week19)
    url = reverse("reports:reporting")
    page = client.get(url, {"start": "2020-05-04", "end": "2020-05-10"}, HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200
    assert page.context["map"]["title"] == "Reporting of the sites expected to report"
    # the legend, with its counts, and the site without coordinates counted apart
    assert ">All received, some late (1)</text>" in html
    assert ">Some missing (1)</text>" in html
    assert "1 site without coordinates, not shown" in html  # Diboli
    assert ">Gogui</text>" in html  # its name beside its point
    # Without dates: the last week over on the page's as-of date (week 19 for 2020-05-13).
    page = client.get(url, {"as_of": "2020-05-13"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert page.context["map"]["summary"] == (
        "2 sites censés transmettre du 4 mai 2020 au 10 mai 2020\u202f: 0 tout à temps, "
        "1 en retard, 1 partiellement, 0 rien reçu."
    )


def _site(code: str, kinds: list[str], **active) -> Site:
    site = Site.objects.create(
        code=code, name_fr=code, name_en=code, area=AdminArea.objects.get(pcode="ML0103"), **active
    )
    site.kinds.set(SiteKind.objects.filter(code__in=kinds))
    return site


@pytest.mark.django_db
def test_sites_opened_or_closed_in_the_week_hand_entries_and_the_deadline_to_the_second(
    week19, make_user
):
    """Week 19 in Kayes, beside Diboli and Gogui: a point opened on Wednesday (expected 5 days:
    its Wednesday count received at 23:59:59 on Thursday, the last day on time; its Thursday
    count at midnight on Saturday, late; and one checklist for the week, not sent); a point
    closed after Tuesday (expected 2 days, sent Monday's); a point closed before the week (not
    expected); two migrant centres (weekly): one whose only report was entered by hand (no
    reception time: on time), one with a report entered by hand and another received years
    later (late: the first known reception counts)."""
    opened = _site("FMP-OPENED", ["fmp", "bcp"], active_from=day(2))
    closed = _site("FMP-CLOSED", ["fmp"], active_to=day(1))
    _site("FMP-GONE", ["fmp", "bcp"], active_to=day(-1))
    by_hand, mixed = _site("MRRC-HAND", ["mrrc"]), _site("MRRC-MIXED", ["mrrc"])
    received = {
        (opened, 2): dt.datetime(2020, 5, 7, 23, 59, 59, tzinfo=UTC),
        (opened, 3): at(day(5), 0),
        (opened, 4): at(day(4), 20),
        (opened, 5): at(day(5), 20),
        (opened, 6): at(day(6), 20),
        (closed, 0): at(day(0), 20),
    }
    flow_counts_save(
        rows=[
            {
                "site": site,
                "observation_date": day(n),
                "direction": "incoming",
                "total": 4,
                "entered_at": when,
            }
            for (site, n), when in received.items()
        ]
    )
    mrrc_occupancy_save(rows=[{"site": s, "date": day(0), "total": 9} for s in (by_hand, mixed)])
    im = make_user("im_officer", areas=["MLI"])
    import_rows(
        "mrrc_occupancy", [{"site": "MRRC-MIXED", "date": "2020-05-06", "total": 7}], user=im
    )
    scope, today = user_scope(week19), dt.date(2020, 5, 20)
    expected = {
        "flow_count": {
            "BCP-DIBOLI": (7, 7, 7, [], []),
            "BCP-GOGUI": (7, 2, 1, [day(n) for n in range(2, 7)], [day(1)]),
            "FMP-CLOSED": (2, 1, 1, [day(1)], []),
            "FMP-OPENED": (5, 5, 4, [], [day(3)]),
        },
        "poe_capacity": {
            "BCP-DIBOLI": (1, 1, 0, [], [MONDAY]),
            "BCP-GOGUI": (1, 0, 0, [MONDAY], []),
            "FMP-OPENED": (1, 0, 0, [MONDAY], []),
        },
        "mrrc_occupancy": {
            "MRRC-HAND": (1, 1, 1, [], []),
            "MRRC-MIXED": (1, 1, 0, [], [MONDAY]),
        },
    }
    for schedule in schedules():
        rows = site_reporting(scope=scope, schedule=schedule, start=MONDAY, end=SUNDAY, today=today)
        assert {
            r.site.code: (
                r.expected,
                r.received,
                r.on_time,
                [p.start for p in r.missing],
                [p.start for p in r.late],
            )
            for r in rows
        } == expected[schedule.form], schedule.form
        # The figures' counts agree with the periods the table lists.
        counts = site_counts(scope=scope, schedule=schedule, start=MONDAY, end=SUNDAY, today=today)
        assert [(c.site.code, c.expected, c.received, c.on_time, c.late) for c in counts] == [
            (r.site.code, r.expected, r.received, r.on_time, len(r.late)) for r in rows
        ]
    with translation.override("en"):
        figures = reporting_week(scope=scope, monday=MONDAY, today=today)
    assert [(f.key, f.value, f.denominator, f.note) for f in figures] == [
        (
            "reporting.flow_count",
            2,
            4,
            "2 of 4 points reported every day of week 19; 4 reported at least once; 2 reports late",
        ),
        ("reporting.poe_capacity", 1, 3, "1 of 3 points reported in week 19; 1 report late"),
        ("reporting.mrrc_occupancy", 2, 2, "2 of 2 points reported in week 19; 1 report late"),
    ]
    statuses = site_statuses(scope=scope, start=MONDAY, end=SUNDAY, today=today)
    assert [(s.site.code, s.status, s.received, s.expected) for s in statuses] == [
        ("BCP-DIBOLI", "late", 8, 8),
        ("BCP-GOGUI", "partial", 2, 8),
        ("FMP-CLOSED", "partial", 1, 2),
        ("FMP-OPENED", "partial", 5, 6),
        ("MRRC-HAND", "on_time", 1, 1),
        ("MRRC-MIXED", "late", 1, 1),
    ]
