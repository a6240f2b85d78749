"""The named mobility figures (hbmm.mobility.figures) and the numbers they are made of
(hbmm.mobility.selectors), with exact values, on small hand-made records sent through the intake
pipeline: a month with missing days, points outside the reader's scope, an edit and a correction
of an earlier count. Each figure's drill-down selects exactly the records it counts."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from hbmm.accounts.scope import user_scope
from hbmm.intake.review import submission_correct
from hbmm.mobility import figures, selectors
from hbmm.mobility.models import FlowCount
from hbmm.mobility.services import border_closure_date_set
from hbmm.places.models import Site
from tests.mobility.conftest import flow

D = dt.date


@pytest.fixture
def national(make_user):
    return make_user("im_officer", areas=["MLI"])


@pytest.fixture
def koulikoro(make_user):
    """Sees Koulikoro region only (Kourémalé is there; Zégoua, Bamako are not)."""
    return make_user("viewer", areas=["ML02"])


@pytest.fixture
def flows(submit, reference):
    sent = [
        submit("flow_count", flow("2020-03-02", "BCP-KOUREMALE", "incoming", 40, 20, 10, 10)),
        submit("flow_count", flow("2020-03-02", "BCP-ZEGOUA", "outgoing", 50, 30, 10, 10)),
        submit("flow_count", flow("2020-03-20", "BCP-KOUREMALE", "outgoing", 50, 10, 5, 5)),
        submit("flow_count", flow("2020-04-01", "BCP-KOUREMALE", "incoming", 30, 10, 10, 10)),
        submit("flow_count", flow("2020-04-01", "BCP-KOUREMALE", "outgoing", 20, 10, 5, 5)),
        submit("flow_count", flow("2020-04-02", "BCP-ZEGOUA", "incoming", 30, 10, 5, 5)),
        submit(
            "flow_count",
            flow("2020-04-10", "BCP-ZEGOUA", "outgoing", 100, 30, 10, 10),
            instance_id="uuid:zegoua-0410",
        ),
        submit("flow_count", flow("2020-04-10", "FMP-BAMAKO", "internal", 20, 10, 5, 5)),
    ]
    assert [s.status for s in sent] == ["accepted"] * 8
    return sent


def _flows_counted(figure, scope) -> int:
    """The individuals of the flow counts a figure's drill-down selects."""
    filters = dict(figure.drilldown.params)
    for name in ("start", "end"):
        filters[name] = D.fromisoformat(filters[name])
    if "site" in filters:
        filters["site"] = Site.objects.get(code=filters["site"])
    return sum(c.total for c in selectors.flow_counts(scope=scope, **filters))


@pytest.mark.django_db
def test_monthly_average_counts_only_observed_days(flows, national):
    scope = user_scope(national)
    figure = figures.flow_daily_average(scope=scope, month=D(2020, 4, 17))
    # 340 individuals over 3 observed days (1, 2 and 10 April) of 30.
    assert figure.value == 113
    assert figure.parts["total"] == 340
    assert figure.parts["days_observed"] == 3
    # An average over days says how many points reported (a silent point is not a zero).
    assert figure.parts["points_reporting"] == 3
    assert "(340 individuals over 3 days; 3 points reported)" in figure.definition
    assert figure.parts["days_in_month"] == 30
    assert figure.parts["average"] == Decimal(340) / 3
    # March: 250 over 2 observed days = 125; (113.33 - 125) / 125 = -9.33 % -> -9 %.
    assert figure.parts["previous_average"] == 125
    assert figure.parts["change_percent"] == -9
    assert figure.note == "-9% on March 2020"
    assert figure.as_of == D(2020, 4, 30)
    assert figure.drilldown.url() == "/mobility/flows/?end=2020-04-30&start=2020-04-01"
    assert _flows_counted(figure, scope) == 340


@pytest.mark.django_db
def test_monthly_average_without_observations_is_no_data(flows, national):
    figure = figures.flow_daily_average(scope=user_scope(national), month=D(2020, 2, 1))
    assert figure.value is None and figure.parts["change_percent"] is None
    assert figure.display == "no data" and figure.note == ""
    may = figures.flow_daily_average(scope=user_scope(national), month=D(2020, 5, 1))
    assert may.value is None and may.parts["previous_average"] == Decimal(340) / 3


@pytest.mark.django_db
def test_monthly_average_leaves_out_points_outside_scope(flows, koulikoro):
    scope = user_scope(koulikoro)
    figure = figures.flow_daily_average(scope=scope, month=D(2020, 4, 1))
    # Kourémalé only: 100 on 1 April; March 150 over 2 days = 75; +33.3 % -> 33.
    assert (figure.value, figure.parts["days_observed"]) == (100, 1)
    assert "(100 individuals over 1 day; 1 point reported)" in figure.definition
    with translation.override("fr"):
        french = figures.flow_daily_average(scope=scope, month=D(2020, 4, 1))
    assert "(100 personnes sur 1 jour\u202f; 1 point a transmis)" in french.definition
    assert figure.parts["previous_average"] == 75
    assert figure.parts["change_percent"] == 33
    assert figure.note == "+33% on March 2020"
    records = selectors.flow_counts(scope=scope, start=D(2020, 4, 1), end=D(2020, 4, 30))
    assert set(records.values_list("site__code", flat=True)) == {"BCP-KOUREMALE"}


@pytest.mark.django_db
def test_cumulative_split_by_direction(flows, national, koulikoro):
    scope = user_scope(national)
    period = figures.flow_in_period(scope=scope, start=D(2020, 3, 1), end=D(2020, 4, 30))
    assert period.total.value == 590
    assert (period.incoming.value, period.outgoing.value, period.internal.value) == (190, 360, 40)
    assert period.total.parts["days_observed"] == 5
    assert period.per_day.value == 118
    for figure in (period.total, period.incoming, period.outgoing, period.internal):
        assert _flows_counted(figure, scope) == figure.value
    # Both ends are included.
    edge = figures.flow_in_period(scope=scope, start=D(2020, 3, 20), end=D(2020, 4, 1))
    assert (edge.total.value, edge.total.parts["days_observed"], edge.per_day.value) == (170, 2, 85)
    scoped = figures.flow_in_period(
        scope=user_scope(koulikoro), start=D(2020, 3, 1), end=D(2020, 4, 30)
    )
    assert (scoped.total.value, scoped.incoming.value, scoped.outgoing.value) == (250, 140, 110)
    empty = figures.flow_in_period(scope=scope, start=D(2019, 1, 1), end=D(2019, 1, 31))
    assert empty.total.value is None and not empty.has_data


@pytest.mark.django_db
def test_until_border_closure_uses_the_setting(flows, national, settings):
    settings.HBMM_BORDER_CLOSURE_DATE = ""
    assert selectors.border_closure_date() is None
    settings.HBMM_BORDER_CLOSURE_DATE = "2020-04-02"
    closure = selectors.border_closure_date()
    scope = user_scope(national)
    since = figures.flow_since_plan_start(scope=scope, end=closure - dt.timedelta(days=1))
    assert since.total.drilldown.params == {"start": "2016-06-01", "end": "2020-04-01"}
    assert since.total.value == 350
    assert since.total.label == "Individuals observed since June 2016"
    border_closure_date_set(day=D(2020, 3, 19))  # the administrator's date wins
    assert selectors.border_closure_date() == D(2020, 3, 19)
    assert figures.flow_since_plan_start(scope=scope, end=D(2020, 3, 18)).total.value == 180


@pytest.mark.django_db
def test_an_edit_replaces_the_earlier_count(flows, submit, national):
    edited = submit(
        "flow_count",
        flow("2020-04-10", "BCP-ZEGOUA", "outgoing", 70, 30, 10, 10),
        instance_id="uuid:zegoua-0410-v2",
        deprecated_id="uuid:zegoua-0410",
    )
    assert edited.status == "accepted"
    assert FlowCount.objects.count() == 8
    assert (
        FlowCount.objects.get(site__code="BCP-ZEGOUA", observation_date=D(2020, 4, 10)).submission
        == edited
    )
    figure = figures.flow_daily_average(scope=user_scope(national), month=D(2020, 4, 1))
    assert (figure.parts["total"], figure.value) == (310, 103)


@pytest.mark.django_db
def test_a_corrected_quarantined_count_enters_the_figures(flows, submit, national):
    bad = submit(
        "flow_count", {**flow("2020-04-20", "BCP-ZEGOUA", "incoming", 50, 30, 10, 10), "total": 99}
    )
    assert bad.status == "quarantined"
    scope = user_scope(national)
    assert figures.flow_daily_average(scope=scope, month=D(2020, 4, 1)).value == 113
    submission_correct(submission=bad, changes={"total": "100"}, by=national)
    figure = figures.flow_daily_average(scope=scope, month=D(2020, 4, 1))
    assert (figure.parts["total"], figure.parts["days_observed"], figure.value) == (440, 4, 110)


@pytest.mark.django_db
def test_breakdowns_add_up_and_link_to_their_records(flows, submit, national):
    submit(
        "flow_count",
        flow(
            "2020-04-11",
            "BCP-ZEGOUA",
            "incoming",
            5,
            3,
            1,
            1,
            nationality_CIV=7,
            nationality_BFA=3,
            reason_economic=6,
            reason_family=4,
        ),
    )
    scope = user_scope(national)
    start, end = D(2020, 4, 1), D(2020, 4, 30)
    by = {
        key: selectors.flow_breakdown(scope=scope, start=start, end=end, by=key)
        for key in selectors.BREAKDOWNS
    }
    for rows in by.values():
        assert sum(r.value for r in rows if r.key != "unknown") == 350
    assert [(r.key, r.value) for r in by["point"]] == [
        ("BCP-ZEGOUA", 210),
        ("BCP-KOUREMALE", 100),
        ("FMP-BAMAKO", 40),
    ]
    assert [(r.key, r.value) for r in by["direction"]] == [
        ("incoming", 120),
        ("outgoing", 190),
        ("internal", 40),
    ]
    assert {r.key: r.value for r in by["sex_age"]} == {
        "men": 205,
        "women": 73,
        "boys": 36,
        "girls": 36,
    }
    assert {r.key: r.value for r in by["reason"]} == {"-": 340, "economic": 6, "family": 4}
    assert {r.key: r.value for r in by["nationality"]} == {"-": 340, "CIV": 7, "BFA": 3}
    assert selectors.flow_counts(scope=scope, start=start, end=end, nationality="BFA").count() == 1
    assert selectors.flow_counts(scope=scope, start=start, end=end, nationality="-").count() == 5
    reasons = figures.flow_breakdown(scope=scope, start=start, end=end, by="reason")
    economic = next(f for f in reasons if f.key == "mobility.flow_by_reason.economic")
    assert economic.value == 6
    assert economic.drilldown.url() == (
        "/mobility/flows/?end=2020-04-30&reason=economic&start=2020-04-01"
    )
    assert selectors.flow_counts(scope=scope, start=start, end=end, reason="economic").count() == 1
    points = figures.flow_breakdown(scope=scope, start=start, end=end, by="point")
    assert (points[0].label, points[0].value) == (Site.objects.get(code="BCP-ZEGOUA").name, 210)
    assert points[0].drilldown.params["site"] == "BCP-ZEGOUA"


@pytest.mark.django_db
def test_daily_series_and_table_per_point(flows, national, koulikoro):
    scope = user_scope(national)
    series = selectors.flow_daily_series(scope=scope, start=D(2020, 4, 1), end=D(2020, 4, 10))
    assert series == [
        {"date": D(2020, 4, 1), "direction": "incoming", "total": 60},
        {"date": D(2020, 4, 1), "direction": "outgoing", "total": 40},
        {"date": D(2020, 4, 2), "direction": "incoming", "total": 50},
        {"date": D(2020, 4, 10), "direction": "internal", "total": 40},
        {"date": D(2020, 4, 10), "direction": "outgoing", "total": 150},
    ]
    points = figures.flow_by_point(scope=scope, start=D(2020, 3, 1), end=D(2020, 4, 30))
    assert [
        (
            p.site.code,
            p.total.value,
            p.incoming.value,
            p.outgoing.value,
            p.days_observed,
            p.average_per_day,
        )
        for p in points
    ] == [
        ("BCP-KOUREMALE", 250, 140, 110, 3, 83),
        ("BCP-ZEGOUA", 300, 50, 250, 3, 100),
        ("FMP-BAMAKO", 40, 0, 0, 1, 40),
    ]
    for point in points:
        for figure in point.figures:
            assert _flows_counted(figure, scope) == figure.value
    assert [
        p.site.code
        for p in selectors.flow_by_point(
            scope=user_scope(koulikoro), start=D(2020, 3, 1), end=D(2020, 4, 30)
        )
    ] == ["BCP-KOUREMALE"]


@pytest.fixture
def stranded(submit, reference):
    for day, site, n in [
        ("19/03/2020", "BCP-KOUREMALE", 30),
        ("25/03/2020", "BCP-ZEGOUA", 20),
        ("26/03/2020", "BCP-KOUREMALE", 7),
        ("18/03/2020", "BCP-GOGUI", 5),
    ]:
        sent = submit(
            "stranded", {"date": day, "site": site, "count": n, "nationalities": "GIN CIV"}
        )
        assert sent.status == "accepted", sent.errors


@pytest.mark.django_db
def test_stranded_in_the_first_week_after_the_closure(stranded, national, koulikoro):
    border_closure_date_set(day=D(2020, 3, 19))
    closure = selectors.border_closure_date()
    figure = figures.stranded_first_week_of_closure(scope=user_scope(national), closure=closure)
    assert figure.value == 50
    assert figure.drilldown.params == {"start": "2020-03-19", "end": "2020-03-25"}
    assert (figure.parts["groups"], figure.parts["sites"]) == (2, 2)
    koulikoro_scope = user_scope(koulikoro)
    assert (
        figures.stranded_first_week_of_closure(scope=koulikoro_scope, closure=closure).value == 30
    )
    period = figures.stranded_in_period(
        scope=user_scope(national), start=D(2020, 3, 1), end=D(2020, 3, 31)
    )
    assert period.value == 62
    assert period.drilldown.url() == "/mobility/stranded/?end=2020-03-31&start=2020-03-01"


@pytest.fixture
def rounds(submit, mobility_sites):
    rows = [
        (1, "31/01/2020", "ML0501", "", 1000, 200),
        (1, "31/01/2020", "ML0703", "", 500, 90),
        (1, "31/01/2020", "ML0103", "", 300, 60),
        (2, "31/03/2020", "ML0501", "", 1200, 230),
        (2, "31/03/2020", "ML0703", "", 400, 80),
        (2, "31/03/2020", "ML0901", "IDP-FALADIE", 150, 30),
    ]
    for number, day, pcode, site, n, households in rows:
        sent = submit(
            "displacement",
            {
                "round": number,
                "date": day,
                "pcode": pcode,
                "site": site,
                "individus": n,
                "menages": households,
            },
        )
        assert sent.status == "accepted", sent.errors


@pytest.mark.django_db
def test_current_idps_take_each_areas_latest_round(rounds, national, make_user):
    scope = user_scope(national)
    figure = figures.idps_current(scope=scope, as_of=D(2020, 5, 15))
    # Round 2 for Bandiagara, Gao and Bamako's IDP site; Kayes only had round 1.
    assert figure.value == 1200 + 400 + 150 + 300
    assert figure.as_of == D(2020, 3, 31)
    assert figure.parts["households"] == 230 + 80 + 30 + 60
    assert figure.parts["rounds"] == {1: D(2020, 1, 31), 2: D(2020, 3, 31)}
    assert figure.parts["latest_round"] == 2
    assert selectors.displacement_records(scope=scope, current_on=D(2020, 5, 15)).count() == 4
    assert figure.drilldown.url() == "/mobility/displacement/?as_of=2020-05-15"
    before = figures.idps_current(scope=scope, as_of=D(2020, 2, 15))
    assert (before.value, before.as_of) == (1800, D(2020, 1, 31))
    mopti = make_user("viewer", areas=["ML05"])
    assert figures.idps_current(scope=user_scope(mopti), as_of=D(2020, 5, 15)).value == 1200
    regions = figures.idps_by_region(scope=scope, as_of=D(2020, 5, 15))
    assert [(r.area.pcode, r.total.value, r.households.value) for r in regions] == [
        ("ML05", 1200, 230),
        ("ML07", 400, 80),
        ("ML01", 300, 60),
        ("ML09", 150, 30),
    ]
    assert regions[0].total.drilldown.params == {"as_of": "2020-05-15", "area": "ML05"}


@pytest.fixture
def occupancy(submit, mobility_sites):
    rows = [
        ("2020-05-13", "MRRC-BAMAKO", (50, 10, 3, 2)),
        ("2020-05-15", "MRRC-BAMAKO", (60, 12, 4, 4)),
        ("2020-05-16", "MRRC-BAMAKO", (900, 99, 0, 0)),
        ("2020-05-01", "MRRC-GAO", 40),
        ("2020-03-01", "MRRC-GAO", 70),
    ]
    for day, site, counts in rows:
        data = {"date": day, "centre": site}
        if isinstance(counts, tuple):
            data |= dict(zip(["men", "women", "boys", "girls"], counts, strict=True))
        else:
            data["present"] = counts
        sent = submit("mrrc_occupancy", data)
        assert sent.status == "accepted", sent.errors


@pytest.mark.django_db
def test_mrrc_occupancy_on_a_date(occupancy, national, make_user):
    present = figures.mrrc_present(scope=user_scope(national), as_of=D(2020, 5, 15))
    assert present.total.value == 120
    assert (present.women.value, present.children.value) == (12, 8)
    assert present.total.parts["not_broken_down"] == 40
    totals = selectors.mrrc_totals(scope=user_scope(national), on=D(2020, 5, 15))
    assert totals.centres == [
        ("MRRC-BAMAKO", D(2020, 5, 15), 80),
        ("MRRC-GAO", D(2020, 5, 1), 40),
    ]
    assert "(2 centres)" in present.total.definition
    # Gao's March report is more than 31 days old on 10 April; Bamako had none yet.
    april = figures.mrrc_present(scope=user_scope(national), as_of=D(2020, 4, 10))
    assert april.total.value is None
    gao_only = make_user("protection_officer", sites=["MRRC-GAO"])
    assert figures.mrrc_present(scope=user_scope(gao_only), as_of=D(2020, 5, 15)).total.value == 40


def test_trend_month_is_the_last_complete_month():
    assert figures.trend_month(D(2020, 5, 15)) == D(2020, 4, 1)
    assert figures.trend_month(D(2020, 5, 31)) == D(2020, 5, 1)
    assert figures.trend_month(D(2020, 1, 1)) == D(2019, 12, 1)


@pytest.mark.django_db
def test_latest_data_date_is_the_newest_of_flows_centres_and_rounds(
    submit, rounds, occupancy, national, make_user
):
    scope = user_scope(national)
    assert selectors.latest_data_date(scope=scope) == D(2020, 5, 16)  # Bamako's centre
    sent = submit("flow_count", flow("2020-05-20", "BCP-KOUREMALE", "incoming", 1, 1, 0, 0))
    assert sent.status == "accepted", sent.errors
    assert selectors.latest_data_date(scope=scope) == D(2020, 5, 20)
    # A reader of Mopti sees its displacement rounds only.
    assert selectors.latest_data_date(scope=user_scope(make_user("viewer", areas=["ML05"]))) == (
        D(2020, 3, 31)
    )
    nowhere = make_user("viewer", areas=["ML08"])
    assert selectors.latest_data_date(scope=user_scope(nowhere)) is None
