"""The named mobility figures, with exact values, on small hand-made records sent through the
intake pipeline: a month with missing days, points outside the reader's scope, an edit and a
correction of an earlier count."""

import datetime as dt
from decimal import Decimal

import pytest

from hbmm.accounts.scope import user_scope
from hbmm.intake.services import submission_correct
from hbmm.mobility import selectors
from hbmm.mobility.models import FlowCount
from hbmm.mobility.services import border_closure_date_set
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


@pytest.mark.django_db
def test_monthly_average_counts_only_observed_days(flows, national):
    figure = selectors.flow_monthly_average(scope=user_scope(national), month=D(2020, 4, 17))
    # 340 individuals over 3 observed days (1, 2 and 10 April) of 30.
    assert figure.value == 113
    assert figure.parts["total"] == 340
    assert figure.parts["days_observed"] == 3
    assert figure.parts["days_in_month"] == 30
    assert figure.parts["average"] == Decimal(340) / 3
    # March: 250 over 2 observed days = 125; (113.33 - 125) / 125 = -9.33 % -> -9 %.
    assert figure.parts["previous_average"] == 125
    assert figure.parts["change_percent"] == -9
    assert figure.as_of == D(2020, 4, 30)
    assert figure.records.count() == 5
    assert figure.url == "/mobility/flows/?start=2020-04-01&end=2020-04-30"


@pytest.mark.django_db
def test_monthly_average_without_observations_is_no_data(flows, national):
    figure = selectors.flow_monthly_average(scope=user_scope(national), month=D(2020, 2, 1))
    assert figure.value is None and figure.parts["change_percent"] is None
    may = selectors.flow_monthly_average(scope=user_scope(national), month=D(2020, 5, 1))
    assert may.value is None and may.parts["previous_average"] == Decimal(340) / 3


@pytest.mark.django_db
def test_monthly_average_leaves_out_points_outside_scope(flows, koulikoro):
    figure = selectors.flow_monthly_average(scope=user_scope(koulikoro), month=D(2020, 4, 1))
    # Kourémalé only: 100 on 1 April; March 150 over 2 days = 75; +33.3 % -> 33.
    assert (figure.value, figure.parts["days_observed"]) == (100, 1)
    assert figure.parts["previous_average"] == 75
    assert figure.parts["change_percent"] == 33
    assert set(figure.records.values_list("site__code", flat=True)) == {"BCP-KOUREMALE"}


@pytest.mark.django_db
def test_cumulative_split_by_direction(flows, national, koulikoro):
    figure = selectors.flow_cumulative(
        scope=user_scope(national), start=D(2020, 3, 1), end=D(2020, 4, 30)
    )
    assert figure.value == 590
    assert (figure.parts["incoming"], figure.parts["outgoing"], figure.parts["internal"]) == (
        190,
        360,
        40,
    )
    assert figure.parts["days_observed"] == 5
    assert figure.parts["average_per_day"] == 118
    # Both ends are included.
    edge = selectors.flow_cumulative(
        scope=user_scope(national), start=D(2020, 3, 20), end=D(2020, 4, 1)
    )
    assert (edge.value, edge.parts["days_observed"], edge.parts["average_per_day"]) == (170, 2, 85)
    scoped = selectors.flow_cumulative(
        scope=user_scope(koulikoro), start=D(2020, 3, 1), end=D(2020, 4, 30)
    )
    assert (scoped.value, scoped.parts["incoming"], scoped.parts["outgoing"]) == (250, 140, 110)
    empty = selectors.flow_cumulative(
        scope=user_scope(national), start=D(2019, 1, 1), end=D(2019, 1, 31)
    )
    assert empty.value is None


@pytest.mark.django_db
def test_until_border_closure_uses_the_setting(flows, national, settings):
    settings.HBMM_BORDER_CLOSURE_DATE = ""
    assert selectors.flow_until_border_closure(scope=user_scope(national)) is None
    settings.HBMM_BORDER_CLOSURE_DATE = "2020-04-02"
    figure = selectors.flow_until_border_closure(scope=user_scope(national))
    assert (figure.parts["start"], figure.parts["end"]) == (D(2016, 6, 1), D(2020, 4, 1))
    assert figure.value == 350
    border_closure_date_set(day=D(2020, 3, 19))  # the administrator's date wins
    assert selectors.border_closure_date() == D(2020, 3, 19)
    assert selectors.flow_until_border_closure(scope=user_scope(national)).value == 180


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
    figure = selectors.flow_monthly_average(scope=user_scope(national), month=D(2020, 4, 1))
    assert (figure.parts["total"], figure.value) == (310, 103)


@pytest.mark.django_db
def test_a_corrected_quarantined_count_enters_the_figures(flows, submit, national):
    bad = submit(
        "flow_count", {**flow("2020-04-20", "BCP-ZEGOUA", "incoming", 50, 30, 10, 10), "total": 99}
    )
    assert bad.status == "quarantined"
    assert (
        selectors.flow_monthly_average(scope=user_scope(national), month=D(2020, 4, 1)).value == 113
    )
    submission_correct(submission=bad, changes={"total": "100"}, by=national)
    figure = selectors.flow_monthly_average(scope=user_scope(national), month=D(2020, 4, 1))
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
    start, end = D(2020, 4, 1), D(2020, 4, 30)
    by = {
        key: selectors.flow_breakdown(scope=user_scope(national), start=start, end=end, by=key)
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
    assert (
        selectors.flow_counts(
            scope=user_scope(national), start=start, end=end, nationality="BFA"
        ).count()
        == 1
    )
    assert (
        selectors.flow_counts(
            scope=user_scope(national), start=start, end=end, nationality="-"
        ).count()
        == 5
    )
    economic = next(r for r in by["reason"] if r.key == "economic")
    assert economic.url == "/mobility/flows/?reason=economic&start=2020-04-01&end=2020-04-30"
    assert (
        selectors.flow_counts(
            scope=user_scope(national), start=start, end=end, reason="economic"
        ).count()
        == 1
    )


@pytest.mark.django_db
def test_daily_series_and_table_per_point(flows, national, koulikoro):
    series = selectors.flow_daily_series(
        scope=user_scope(national), start=D(2020, 4, 1), end=D(2020, 4, 10)
    )
    assert series == [
        {"date": D(2020, 4, 1), "direction": "incoming", "total": 60},
        {"date": D(2020, 4, 1), "direction": "outgoing", "total": 40},
        {"date": D(2020, 4, 2), "direction": "incoming", "total": 50},
        {"date": D(2020, 4, 10), "direction": "internal", "total": 40},
        {"date": D(2020, 4, 10), "direction": "outgoing", "total": 150},
    ]
    points = selectors.flow_by_point(
        scope=user_scope(national), start=D(2020, 3, 1), end=D(2020, 4, 30)
    )
    assert [
        (p.site.code, p.total, p.incoming, p.outgoing, p.days_observed, p.average_per_day)
        for p in points
    ] == [
        ("BCP-KOUREMALE", 250, 140, 110, 3, 83),
        ("BCP-ZEGOUA", 300, 50, 250, 3, 100),
        ("FMP-BAMAKO", 40, 0, 0, 1, 40),
    ]
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
    figure = selectors.stranded_after_border_closure(scope=user_scope(national))
    assert figure.value == 50
    assert (figure.parts["start"], figure.parts["end"]) == (D(2020, 3, 19), D(2020, 3, 25))
    assert (figure.parts["groups"], figure.parts["sites"]) == (2, 2)
    assert selectors.stranded_after_border_closure(scope=user_scope(koulikoro)).value == 30
    period = selectors.stranded_in_period(
        scope=user_scope(national), start=D(2020, 3, 1), end=D(2020, 3, 31)
    )
    assert period.value == 62
    assert period.url == "/mobility/stranded/?start=2020-03-01&end=2020-03-31"


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
    figure = selectors.idps_current(scope=user_scope(national), as_of=D(2020, 5, 15))
    # Round 2 for Bandiagara, Gao and Bamako's IDP site; Kayes only had round 1.
    assert figure.value == 1200 + 400 + 150 + 300
    assert figure.as_of == D(2020, 3, 31)
    assert figure.parts["households"] == 230 + 80 + 30 + 60
    assert figure.parts["rounds"] == {1: D(2020, 1, 31), 2: D(2020, 3, 31)}
    assert figure.records.count() == 4
    before = selectors.idps_current(scope=user_scope(national), as_of=D(2020, 2, 15))
    assert (before.value, before.as_of) == (1800, D(2020, 1, 31))
    mopti = make_user("viewer", areas=["ML05"])
    assert selectors.idps_current(scope=user_scope(mopti), as_of=D(2020, 5, 15)).value == 1200
    regions = selectors.idps_by_region(scope=user_scope(national), as_of=D(2020, 5, 15))
    assert [(r.area.pcode, r.total) for r in regions] == [
        ("ML05", 1200),
        ("ML07", 400),
        ("ML01", 300),
        ("ML09", 150),
    ]


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
    figure = selectors.mrrc_occupancy(scope=user_scope(national), on=D(2020, 5, 15))
    assert figure.value == 120
    assert (figure.parts["women"], figure.parts["children"]) == (12, 8)
    assert figure.parts["not_broken_down"] == 40
    assert figure.parts["centres"] == [
        ("MRRC-BAMAKO", D(2020, 5, 15), 80),
        ("MRRC-GAO", D(2020, 5, 1), 40),
    ]
    # Gao's March report is more than 31 days old on 10 April; Bamako had none yet.
    assert selectors.mrrc_occupancy(scope=user_scope(national), on=D(2020, 4, 10)).value is None
    gao_only = make_user("protection_officer", sites=["MRRC-GAO"])
    assert selectors.mrrc_occupancy(scope=user_scope(gao_only), on=D(2020, 5, 15)).value == 40
