# ruff: noqa: F811  (pytest fixtures imported from tests.health.screening_fixtures)
"""The 14-day follow-up: worklist statuses, lost to follow-up after missed visits in a row
(a setting), closure outcomes, the symptomatic visit that makes a suspect case and alerts the
surveillance officer without identifiers, and the follow-up figures with exact values."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from hbmm.accounts.models import AuditEvent
from hbmm.accounts.scope import EVERYTHING, user_scope
from hbmm.health.screening import figures, selectors
from hbmm.health.screening.followup import followup_close, followup_start, followup_visit_add
from hbmm.health.screening.models import Screening
from hbmm.health.screening.workflow import WorkflowError
from hbmm.places.models import AdminArea
from hbmm.presentation.tables import Query, get_table
from tests.health.screening_fixtures import T0, english, healthy, screen  # noqa: F401

D0 = T0.date()  # 2020-04-14, screening day (day 0); follow-up until 2020-04-28


def day(n: int) -> dt.date:
    return D0 + dt.timedelta(days=n)


@pytest.fixture
def followed(screen):
    """Four travellers screened at Diboli on D0, followed by team A (Kayes)."""

    def make(code="BCP-DIBOLI", at=T0, team="A", **values):
        s = screen(code, at, **(values or healthy()))
        return followup_start(screening=s, by=None, team=team)

    return make


@pytest.mark.django_db
def test_worklist_statuses(followed):
    visited, due, overdue, not_reached, ended = (followed() for _ in range(5))
    for n in (1, 2, 3):
        followup_visit_add(screening=visited, by=None, visited_on=day(n))
    followup_visit_add(screening=due, by=None, visited_on=day(2))
    followup_visit_add(screening=overdue, by=None, visited_on=day(1))
    followup_visit_add(screening=not_reached, by=None, visited_on=day(2), reached=False)
    rows = selectors.followup_worklist(scope=EVERYTHING, on=day(3))
    status = {r.screening.pk: (r.status, r.day, r.last_visit_on, r.missed_in_a_row) for r in rows}
    assert status == {
        visited.pk: ("visited", 3, day(3), 0),
        due.pk: ("due", 3, day(2), 0),
        overdue.pk: ("overdue", 3, day(1), 0),
        not_reached.pk: ("not_reached", 3, day(2), 1),
        ended.pk: ("overdue", 3, None, 0),
    }
    # In the order a team works: not reached, overdue, due, then visited.
    assert [r.status for r in rows] == ["not_reached", "overdue", "overdue", "due", "visited"]
    # After day 14 the follow-up is to be closed.
    rows = selectors.followup_worklist(scope=EVERYTHING, on=day(15))
    assert {r.screening.pk: r.status for r in rows}[ended.pk] == "to_close"
    # The day of the screening itself has nobody to visit yet.
    assert selectors.followup_worklist(scope=EVERYTHING, on=D0) == []


@pytest.mark.django_db
def test_worklist_by_team_and_area_and_scope(followed, make_user):
    kayes = followed(team="A")
    followed(team="B")
    bamako = followed(team="A", **healthy(destination=AdminArea.objects.get(pcode="ML0901")))
    by_team = selectors.followup_worklist(scope=EVERYTHING, on=day(1), team="B")
    assert len(by_team) == 1
    # The area is the destination, else the point's area (Diboli: ML0103).
    in_kayes = selectors.followup_worklist(scope=EVERYTHING, on=day(1), area="ML01", team="A")
    assert [r.screening.pk for r in in_kayes] == [kayes.pk]
    in_bamako = selectors.followup_worklist(scope=EVERYTHING, on=day(1), area="ML09")
    assert [r.screening.pk for r in in_bamako] == [bamako.pk]
    assert selectors.followup_teams(scope=EVERYTHING) == ["A", "B"]
    outsider = make_user("surveillance_officer", areas=["ML03"])
    assert selectors.followup_worklist(scope=user_scope(outsider), on=day(1)) == []


@pytest.mark.django_db
def test_two_missed_visits_in_a_row_is_lost(followed, settings):
    s = followed()
    followup_visit_add(screening=s, by=None, visited_on=day(1), reached=False)
    followup_visit_add(screening=s, by=None, visited_on=day(2))  # reached: the count restarts
    followup_visit_add(screening=s, by=None, visited_on=day(3), reached=False)
    assert s.follow_up_outcome == ""
    followup_visit_add(screening=s, by=None, visited_on=day(4), reached=False)
    s.refresh_from_db()
    assert (s.follow_up_outcome, s.follow_up_closed_on) == ("lost", day(4))
    with pytest.raises(WorkflowError, match="The follow-up is closed"):
        followup_visit_add(screening=s, by=None, visited_on=day(5))
    # The limit is a setting.
    settings.HBMM_FOLLOWUP_MISSED_LIMIT = 3
    t = followed()
    for n in (1, 2):
        followup_visit_add(screening=t, by=None, visited_on=day(n), reached=False)
    assert t.follow_up_outcome == ""
    followup_visit_add(screening=t, by=None, visited_on=day(3), reached=False)
    assert t.follow_up_outcome == "lost"


@pytest.mark.django_db
def test_a_missed_visit_records_no_symptom(followed):
    s = followed()
    with pytest.raises(ValidationError) as error:
        followup_visit_add(
            screening=s, by=None, visited_on=day(1), reached=False, symptoms=["cough"]
        )
    assert "not reached" in error.value.message_dict["reached"][0]
    assert s.visits.count() == 0


@pytest.mark.django_db
def test_closing_outcomes(followed):
    s = followed()
    with pytest.raises(ValidationError) as error:
        followup_close(screening=s, by=None, outcome="completed", on=day(13))
    assert error.value.message_dict["on"] == [
        "The 14 days end on 2020-04-28: the follow-up cannot be completed before."
    ]
    with pytest.raises(ValidationError) as error:
        followup_close(screening=s, by=None, outcome="symptomatic", on=day(3))
    assert "Record the visit" in error.value.message_dict["outcome"][0]
    followup_close(screening=s, by=None, outcome="completed", on=day(14))
    assert (s.follow_up_outcome, s.follow_up_closed_on) == ("completed", day(14))
    moved = followed()
    followup_close(screening=moved, by=None, outcome="moved", on=day(5), note="to Dakar")
    event = AuditEvent.objects.filter(target=f"health.screening:{moved.pk}").latest("pk")
    assert event.details == {
        "step": "follow_up_closed",
        "outcome": "moved",
        "on": "2020-04-19",
        "note": "to Dakar",
    }
    with pytest.raises(WorkflowError, match="closed"):
        followup_close(screening=moved, by=None, outcome="died", on=day(6))


@pytest.fixture
def officer(make_user):
    return make_user(
        "surveillance_officer", areas=["ML0103"], email="dso@example.org", language="en"
    )


@pytest.mark.django_db
def test_symptomatic_visit_makes_a_suspect_and_alerts_without_identifiers(
    screen, officer, django_capture_on_commit_callbacks
):
    s = screen(
        name="Fatoumata Diarra", phone="+22376543210", document_number="P0099887", **healthy()
    )
    assert not s.is_suspect
    followup_start(screening=s, by=officer)
    followup_visit_add(screening=s, by=officer, visited_on=day(1))
    with django_capture_on_commit_callbacks(execute=True):
        followup_visit_add(
            screening=s,
            by=officer,
            visited_on=day(2),
            symptoms=["cough"],
            temperature=Decimal("38.6"),
        )
    s = Screening.objects.get(pk=s.pk)
    assert (s.follow_up_outcome, s.follow_up_closed_on) == ("symptomatic", day(2))
    assert s.is_suspect and s.classification_status == "overridden"
    assert s.override_reason == "Symptoms at the follow-up visit of 2020-04-16."
    assert s.notified_at is not None and s.alert_recipients == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["dso@example.org"]
    assert message.subject == f"[HBMM] Suspect case at Diboli (SCR-{s.pk:06d})"
    assert "A traveller under 14-day follow-up has symptoms: a suspect case." in message.body
    assert "Follow-up visit: 2020-04-16" in message.body
    assert "Temperature at the visit: 38.6 °C" in message.body
    assert "Symptoms at the visit: cough" in message.body
    for identifier in ("Fatoumata", "Diarra", "76543210", "P0099887", s.person_key):
        assert identifier not in message.subject + message.body


@pytest.mark.django_db
def test_fever_alone_is_symptomatic_and_demo_data_sends_nothing(
    followed, officer, django_capture_on_commit_callbacks
):
    s = followed()
    with django_capture_on_commit_callbacks(execute=True):
        followup_visit_add(
            screening=s, by=None, visited_on=day(1), temperature=Decimal("38.0"), alert=False
        )
    s.refresh_from_db()
    assert s.follow_up_outcome == "symptomatic" and s.is_suspect
    assert s.notified_at is None and mail.outbox == []


@pytest.fixture
def cohort(followed, screen):
    """Two weeks of entries at two points, with every outcome."""
    w16 = [followed() for _ in range(4)]  # Diboli, 2020-04-14 (W16)
    w17 = [followed("BCP-GOGUI", T0 + dt.timedelta(days=7)) for _ in range(3)]  # W17
    screen()  # screened, never followed: counted nowhere
    followup_close(screening=w16[0], by=None, outcome="completed", on=day(14))
    followup_close(screening=w16[1], by=None, outcome="completed", on=day(14))
    followup_visit_add(screening=w16[2], by=None, visited_on=day(1), reached=False)
    followup_visit_add(screening=w16[2], by=None, visited_on=day(2), reached=False)  # lost
    followup_visit_add(screening=w17[0], by=None, visited_on=day(8), symptoms=["fever"])
    followup_close(screening=w17[1], by=None, outcome="died", on=day(9))
    return w16, w17


@pytest.mark.django_db
def test_followup_figures_exact(cohort):
    period = figures.followup_period(scope=EVERYTHING, start=D0, end=day(13))
    shown = {f.key: (f.value, f.denominator, f.display) for f in period.figures}
    # On 2020-04-27: w16[0], w16[1] (completed the day after), w16[3] and w17[2] are open;
    # w16[2] (lost), w17[0] (symptomatic) and w17[1] (died) were closed before.
    assert shown == {
        "followup.under_follow_up": (4, None, "4 travellers"),
        "followup.completed": (2, 5, "2 of 5 closed follow-ups (40%)"),
        "followup.lost": (1, 7, "1 of 7 follow-ups (14%)"),
        "followup.symptomatic": (1, 7, "1 of 7 follow-ups (14%)"),
    }
    by_week = figures.followup_breakdown(scope=EVERYTHING, start=D0, end=day(13), by="week")
    assert [(r["label"], r["followed"], r["open"]) for r in by_week] == [
        ("2020-W16", 4, 1),
        ("2020-W17", 3, 1),
    ]
    assert [c.display for c in by_week[0]["cells"]] == [
        "2 of 3 (67%)",
        "1 of 4 (25%)",
        "0 of 4 (0%)",
    ]
    assert [c.display for c in by_week[1]["cells"]] == [
        "0 of 2 (0%)",
        "0 of 3 (0%)",
        "1 of 3 (33%)",
    ]
    by_point = figures.followup_breakdown(scope=EVERYTHING, start=D0, end=day(13), by="point")
    assert [(r["key"], r["followed"]) for r in by_point] == [("BCP-DIBOLI", 4), ("BCP-GOGUI", 3)]
    lost = by_point[0]["cells"][1].drilldown
    assert lost.params == {
        "start": "2020-04-14",
        "end": "2020-04-27",
        "site": "BCP-DIBOLI",
        "outcome": "lost",
    }


@pytest.mark.django_db
def test_followups_table_drills_down_to_the_records(cohort, make_user, client):
    w16, w17 = cohort
    table = get_table("health.followups")
    lost = Query(scope=EVERYTHING, filters={"start": D0, "end": day(13), "outcome": "lost"})
    assert list(table.rows(lost).values_list("pk", flat=True)) == [w16[2].pk]
    open_on = Query(scope=EVERYTHING, filters={"open_on": day(13)})
    assert sorted(table.rows(open_on).values_list("pk", flat=True)) == sorted(
        [w16[0].pk, w16[1].pk, w16[3].pk, w17[2].pk]
    )
    # The figure's drill-down opens the table's page, which lists those records.
    period = figures.followup_period(scope=EVERYTHING, start=D0, end=day(13))
    client.force_login(make_user("surveillance_officer", areas=["ML01"]))
    response = client.get(period.figures[2].drilldown.url())
    assert response.status_code == 200
    assert w16[2].person_key in response.content.decode()
    assert w16[3].person_key not in response.content.decode()


@pytest.mark.django_db
def test_worklist_page(followed, client, make_user):
    s = followed()
    agent = make_user("poe_agent", sites=["BCP-DIBOLI"])
    client.force_login(agent)
    response = client.get(reverse("health:followup_worklist"), {"on": "2020-04-15"})
    assert response.status_code == 200
    body = response.content.decode()
    assert s.reference in body and "1 due today" in body and "day 1 of 14" in body
    assert "Fatoumata" not in body
    viewer = make_user("viewer")
    client.force_login(viewer)
    assert client.get(reverse("health:followup_worklist")).status_code == 403


@pytest.mark.django_db
def test_worklist_page_queries_do_not_grow_with_rows(followed, client, make_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(make_user("poe_agent", sites=["BCP-DIBOLI"]))
    url = reverse("health:followup_worklist")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, {"on": "2020-04-16"}).status_code == 200
        return len(queries)

    followup_visit_add(screening=followed(), by=None, visited_on=day(1))
    one = count()
    for _ in range(6):
        followup_visit_add(screening=followed(), by=None, visited_on=day(1), reached=False)
    assert count() == one
