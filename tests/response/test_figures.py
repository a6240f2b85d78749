"""Progress against targets from 4W rows, and a computed indicator equal to its drill-down."""

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from hbmm.accounts.scope import user_scope
from hbmm.health.poe.models import CapacityAssessment
from hbmm.presentation.figures import COUNT, FACT
from hbmm.response import figures, selectors, services


@pytest.fixture
def manager(make_user):
    return make_user("programme_manager", areas=["MLI"])


@pytest.mark.django_db
def test_reported_indicator_sums_completed_rows_up_to_the_month(manager, orgs, report, plan):
    report(manager, orgs["crm"], "isolation-rooms-provided", "ML01", month=(2020, 4), value=2)
    report(manager, orgs["iom"], "isolation-rooms-provided", "ML03", month=(2020, 5), value=1)
    report(
        manager,
        orgs["iom"],
        "isolation-rooms-provided",
        "ML03",
        month=(2020, 5),
        value=4,
        status="planned",
    )
    report(manager, orgs["iom"], "isolation-rooms-provided", "ML03", month=(2020, 6), value=1)
    progress = {
        p.indicator.code: p
        for p in selectors.indicator_progress(
            plan=plan,
            scope=user_scope(manager),
            organisations=None,
            as_of=dt.date(2020, 5, 31),
        )
    }
    rooms = progress["isolation-rooms-provided"]
    assert (rooms.achieved, rooms.target.value, rooms.rows, rooms.partners, rooms.areas) == (
        Decimal(3),
        Decimal(5),
        2,
        2,
        2,
    )
    assert rooms.share == Decimal(60)
    figure = figures.indicator_figure(rooms, plan=plan, as_of=dt.date(2020, 5, 31))
    assert figure.display == "3 rooms, target 5 (60%)"
    over = dataclasses.replace(figure, value=6)  # a target may be passed: never "6 of 5"
    assert over.display == "6 rooms, target 5 (120%)"
    with translation.override("fr"):
        french = figures.indicator_figure(rooms, plan=plan, as_of=dt.date(2020, 5, 31))
        assert dataclasses.replace(french, value=6).display == "6 salles, cible 5 (120\u202f%)"
    assert figure.drilldown.key == "response.reports"
    assert "version 1" in figure.definition
    assert progress["radio-spots"].achieved is None  # nothing reported: no data, not 0


@pytest.mark.django_db
def test_narrowed_scope_counts_only_its_rows(manager, orgs, report, plan, area):
    report(manager, orgs["crm"], "hygiene-kits-distributed", "ML01", value=100)
    report(manager, orgs["crm"], "hygiene-kits-distributed", "ML07", value=40)
    kayes = user_scope(manager).narrow(area("ML01"))
    (kits,) = [
        p
        for p in selectors.indicator_progress(
            plan=plan, scope=kayes, organisations=None, as_of=dt.date(2020, 5, 31)
        )
        if p.indicator.code == "hygiene-kits-distributed"
    ]
    assert kits.achieved == Decimal(100)


@pytest.mark.django_db
def test_computed_indicator_equals_its_drilldown(manager, plan, site, client):
    for code, day, handwashing in [
        ("BCP-DIBOLI", dt.date(2020, 4, 1), "no"),
        ("BCP-DIBOLI", dt.date(2020, 5, 6), "yes"),
        ("BCP-GOGUI", dt.date(2020, 5, 6), "yes"),
        ("BCP-KOUREMALE", dt.date(2020, 5, 7), "not_assessed"),
    ]:
        CapacityAssessment.objects.create(
            site=site(code), assessed_on=day, point_type="bcp", handwashing=handwashing
        )
    scope = user_scope(manager)
    as_of = dt.date(2020, 5, 31)
    progress = {
        p.indicator.code: p
        for p in selectors.indicator_progress(
            plan=plan, scope=scope, organisations=None, as_of=as_of
        )
    }
    assessed = figures.indicator_figure(progress["points-assessed"], plan=plan, as_of=as_of)
    assert assessed.value == 3 and assessed.denominator == 35
    handwashing = figures.indicator_figure(progress["handwashing-stations"], plan=plan, as_of=as_of)
    assert handwashing.value == 2 and handwashing.denominator == 21
    client.force_login(manager)
    for figure in (assessed, handwashing):
        page = client.get(figure.drilldown.url())
        assert page.status_code == 200
        assert page.context["page"].paginator.count == figure.value


@pytest.mark.django_db
def test_funding_figures_say_n_of_requirement(plan, orgs, manager):
    services.contribution_create(
        plan=plan,
        donor=orgs["echo"],
        amount=Decimal("750000"),
        currency="USD",
        signed_on=dt.date(2020, 5, 5),
        pillar=plan.pillars.get(code="poe"),
        by=manager,
    )
    funding = figures.funding_figures(plan=plan, as_of=dt.date(2020, 5, 15))
    assert funding.requirement.display == "3,000,000 USD"
    assert funding.funded.display == "750,000 of 3,000,000 USD (25%)"
    assert funding.gap.display == "2,250,000 of 3,000,000 USD (75%)"
    poe = next(f for f in funding.pillars if f.key == "response.funded.poe")
    assert poe.display == "750,000 of 750,000 USD (100%)"


@pytest.mark.django_db
def test_stranded_migrants_assisted_is_computed_from_protection_equal_to_its_drilldown(
    manager, plan, site, make_user, client
):
    """Counted once per person whatever the assistance given, only stranded migrants (linked
    to a group count or registered as stranded), only assistance in the plan up to the date."""
    from hbmm.mobility.services import stranded_migrants_save
    from hbmm.protection import services as protection

    officer = make_user("protection_officer", areas=["MLI"])
    (group,) = stranded_migrants_save(
        rows=[{"site": site("OFF-GAO"), "date": dt.date(2020, 4, 2), "count": 12}]
    )

    def case(code, **values):
        return protection.case_register(
            by=officer, site=site(code), identified_on=dt.date(2020, 4, 3), **values
        )

    a = case("OFF-MOPTI", vulnerabilities=["stranded"])
    b = case("OFF-MOPTI", vulnerabilities=["stranded", "medical_need"])
    c = case("OFF-GAO", stranded_group_id=group.pk)
    not_stranded = case("OFF-GAO", vulnerabilities=["medical_need"])
    late = case("OFF-GAO", vulnerabilities=["stranded"])
    never = case("OFF-MOPTI", vulnerabilities=["stranded"])  # registered, never assisted
    assert never.pk
    for who, kind, day in [
        (a, "food", dt.date(2020, 4, 5)),
        (a, "shelter", dt.date(2020, 4, 6)),  # twice assisted: one person
        (b, "cash", dt.date(2020, 5, 10)),
        (c, "medical", dt.date(2020, 5, 31)),
        (not_stranded, "food", dt.date(2020, 5, 1)),
        (late, "food", dt.date(2020, 6, 1)),  # after the date
    ]:
        protection.assistance_record(by=officer, case=who, kind=kind, given_on=day)
    as_of = dt.date(2020, 5, 31)
    (progress,) = [
        p
        for p in selectors.indicator_progress(
            plan=plan, scope=user_scope(manager), organisations=None, as_of=as_of
        )
        if p.indicator.code == "stranded-migrants-assisted"
    ]
    figure = figures.indicator_figure(progress, plan=plan, as_of=as_of)
    assert figure.value == 3
    assert figure.parts["source"] == "computed"
    assert "protection.stranded_assisted" in figure.definition
    assert figure.drilldown.key == "response.stranded_assisted"
    client.force_login(manager)
    page = client.get(figure.drilldown.url())
    assert page.status_code == 200
    rows = [tuple(v for _column, v in r) for r in page.context["page"].object_list]
    assert rows == [("OFF-GAO", 1), ("OFF-MOPTI", 2)]
    assert sum(n for _site, n in rows) == figure.value
    # a partner (no view of every organisation's rows) is refused the drill-down
    partner = make_user("partner", areas=["MLI"])
    client.force_login(partner)
    assert client.get(figure.drilldown.url()).status_code == 403


@pytest.mark.django_db
def test_indicators_counting_people_are_suppressed_when_small_in_public_outputs(plan):
    """People (disaggregated or computed from people's records) are COUNT; points, kits,
    meetings are FACT, published as they are."""
    disclosure = {i.code: figures.indicator_disclosure(i) for i in plan.indicators.all()}
    assert disclosure["travellers-screened"] == COUNT
    assert disclosure["stranded-migrants-assisted"] == COUNT
    assert disclosure["people-reached"] == COUNT
    assert disclosure["agents-trained"] == COUNT
    assert disclosure["points-assessed"] == FACT
    assert disclosure["handwashing-stations"] == FACT
    assert disclosure["hygiene-kits-distributed"] == FACT
    assert disclosure["radio-spots"] == FACT
