"""RCCE reach beside the feedback volume: the people reached by awareness sessions from the
4W reports (read through `hbmm.response.selectors`), per month and region, beside the feedback
received in each ISO week of that month; exact values, the reader's scope and organisations."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from hbmm.accounts.scope import user_scope
from hbmm.feedback import figures, selectors
from hbmm.response import services as response_services
from tests.feedback.conftest import R0, D
from tests.response.conftest import _fresh_lookups, indicator, orgs, plan, report  # noqa: F401

pytestmark = pytest.mark.django_db
APRIL_24 = dt.date(2020, 4, 24)
APRIL, MAY = dt.date(2020, 4, 1), dt.date(2020, 5, 1)
SESSION = {"channel": "session"}


def _each(n: int) -> dict:
    return {"women": n, "men": n, "girls": n, "boys": n, **SESSION}


@pytest.fixture
def world(make_user, orgs, report, log_entry):  # noqa: F811
    def partner(org):
        user = make_user("partner", areas=["ML01"])
        response_services.membership_set(user=user, organisation=orgs[org])
        return user

    crm, drs = partner("crm"), partner("drs")
    manager = make_user("programme_manager", areas=["MLI"])
    # April: Kayes (ML01) 40 by the Red Cross, 60 by the regional health directorate in a
    # cercle of Kayes; Gao (ML07) reached only by radio (not a session: not counted); a planned
    # session is not counted either. May: 10 in Kayes.
    report(crm, orgs["crm"], "people-reached", "ML01", month=(2020, 4), value=40, **_each(10))
    report(drs, orgs["drs"], "people-reached", "ML0103", month=(2020, 4), value=60, **_each(15))
    report(
        manager,
        orgs["iom"],
        "people-reached",
        "ML07",
        month=(2020, 4),
        value=20,
        women=5,
        men=5,
        girls=5,
        boys=5,
        channel="radio",
    )
    report(
        manager,
        orgs["iom"],
        "people-reached",
        "ML01",
        month=(2020, 4),
        value=400,
        status="planned",
        **_each(100),
    )
    report(
        crm,
        orgs["crm"],
        "people-reached",
        "ML01",
        month=(2020, 5),
        value=10,
        **_each(0) | {"women": 10},
    )
    # Feedback: the ISO weeks of April 2020 are those of 30 March to 27 April (their Thursday
    # in April); 25 March is in March's last week, 5 May in May's first.
    for at, pcode in (
        (dt.datetime(2020, 3, 25, 9, tzinfo=dt.UTC), "ML0103"),
        (dt.datetime(2020, 3, 31, 9, tzinfo=dt.UTC), "ML0103"),
        (R0 - 7 * D, "ML0103"),
        (R0, "ML0103"),
        (R0 + D, "ML0101"),
        (R0, "ML07"),
        (R0 + 5 * D, "ML0103"),  # 25 April: after 24 April
        (dt.datetime(2020, 5, 5, 9, tzinfo=dt.UTC), "ML0103"),
    ):
        log_entry(at, pcode=pcode)
    return {"crm": crm, "manager": manager}


def test_month_weeks_are_the_iso_weeks_whose_thursday_is_in_the_month():
    assert selectors.month_weeks(dt.date(2020, 4, 15)) == [
        dt.date(2020, 3, 30),
        dt.date(2020, 4, 6),
        dt.date(2020, 4, 13),
        dt.date(2020, 4, 20),
        dt.date(2020, 4, 27),
    ]
    assert selectors.month_weeks(dt.date(2020, 3, 1)) == [
        dt.date(2020, 3, 2),
        dt.date(2020, 3, 9),
        dt.date(2020, 3, 16),
        dt.date(2020, 3, 23),
    ]


def _rows(user):
    return [
        (r.month, r.region, r.reached, [n for _m, n in r.weeks], r.feedback, r.per_thousand)
        for r in selectors.reach_beside_feedback(
            scope=user_scope(user),
            organisations=selectors.reach_organisations(user),
            start=dt.date(2020, 4, 1),
            end=dt.date(2020, 5, 8),
        )
    ]


def test_reach_beside_feedback_by_month_and_region_exact(world):
    # May's weeks stop with the end's (4 May); 25 March is in no month of the range.
    assert _rows(world["manager"]) == [
        (APRIL, "ML01", 100, [1, 0, 1, 3, 0], 5, Decimal("50.0")),
        (APRIL, "ML07", None, [0, 0, 0, 1, 0], 1, None),
        (MAY, "ML01", 10, [1], 1, Decimal("100.0")),
    ]
    # A partner counts only its own organisation's 4W rows, in its scope (Kayes).
    assert _rows(world["crm"]) == [
        (APRIL, "ML01", 40, [1, 0, 1, 3, 0], 5, Decimal("125.0")),
        (MAY, "ML01", 10, [1], 1, Decimal("100.0")),
    ]


def test_the_reach_figure_and_its_definition(world, make_user):
    manager = world["manager"]
    figure = figures.rcce_reach(
        scope=user_scope(manager),
        organisations=selectors.reach_organisations(manager),
        month=APRIL_24,
        end=APRIL_24,
    )
    assert (figure.value, figure.display) == (100, "100 people")
    assert figure.parts["feedback"] == 5 and str(figure.parts["per_thousand"]) == "50.0"
    assert figure.definition == (
        "People reached by awareness sessions in April 2020, from the partners' completed 4W "
        "reports (risk communication, channel: awareness session), beside the 5 community "
        "feedback entries received in the ISO weeks of April 2020 (50.0 per 1,000 people "
        "reached)."
    )
    assert figure.drilldown.key == "response.reports"
    assert figure.drilldown.params == {"start": "2020-04", "end": "2020-04", "status": "completed"}
    # A reader of feedback who may not read the plan's indicators gets no reach at all.
    assert not selectors.may_read_reach(make_user("enumerator", areas=["MLI"]))
    assert selectors.may_read_reach(manager)


def test_the_feedback_page_shows_the_reach_table(world, client):
    client.force_login(world["manager"])
    page = client.get(reverse("feedback:index"), {"start": "2020-04-18", "end": "2020-04-24"})
    assert page.status_code == 200
    assert page.context["reach"].value == 100
    rows = [(r.month.month, r.region, r.reached, r.feedback) for r in page.context["reach_rows"]]
    assert rows == [(3, "ML01", None, 1), (4, "ML01", 100, 4), (4, "ML07", None, 1)]
    html = page.content.decode()
    # French, the users' first language: ISO week 17 is "S17", a narrow space before the colon.
    assert 'id="rcce-reach"' in html and "S17\u202f: 2" in html


def test_the_section_sets_the_reach_beside_the_weeks_feedback(world):
    from hbmm.reports.registry import Context  # noqa: PLC0415
    from hbmm.reports.sections import feedback as section  # noqa: PLC0415

    ctx = Context.of(world["manager"], as_of=APRIL_24)
    result = section.build(ctx)
    assert result.sentences[-1] == (
        "RCCE reach: 100 people reached by awareness sessions in April 2020 (4W), beside 5 "
        "feedback entries in its weeks (50.0 per 1,000 people reached)."
    )
    assert result.figures[-1].key == "feedback.rcce_reach" and result.figures[-1].value == 100
    with translation.override("fr"):
        french = section.build(ctx).sentences[-1]
    assert french == (
        "Portée de la communication sur les risques\u202f: 100 personnes touchées par les "
        "séances de sensibilisation en avril 2020 (4W), à côté de 5 retours communautaires "
        "reçus dans ses semaines (50,0 pour 1\u202f000 personnes touchées)."
    )


def test_the_feedback_page_narrows_to_a_region(world, client, make_user):
    """Trends by topic, week and area: the page's figures, chart, reach and lists for one
    region of the reader's scope."""
    client.force_login(world["manager"])
    week = {"start": "2020-04-18", "end": "2020-04-24"}
    page = client.get(reverse("feedback:index"), week | {"area": "ML07"})
    assert page.status_code == 200 and page.context["area"].pcode == "ML07"
    assert page.context["period"].received.value == 1
    assert [(code, n) for code, _name, n in page.context["regions"]] == [("ML07", 1)]
    rows = [(r.month.month, r.region, r.reached, r.feedback) for r in page.context["reach_rows"]]
    assert rows == [(4, "ML07", None, 1)]
    everywhere = client.get(reverse("feedback:index"), week)
    assert everywhere.context["period"].received.value == 3
    # An officer of Kayes asking for Gao sees nothing of it: the region narrows, never widens.
    client.force_login(make_user("im_officer", areas=["ML01"]))
    kayes_reader = client.get(reverse("feedback:index"), week | {"area": "ML07"})
    assert kayes_reader.status_code == 200
    assert kayes_reader.context["period"].received.value is None
    assert kayes_reader.context["regions"] == [] and kayes_reader.context["reach_rows"] == []
