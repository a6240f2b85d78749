"""4W rows: partners report and see only their own rows, within their scope; a locked period
refuses new rows; counts by sex and age add up; funding in two currencies is exact."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from hbmm.accounts.scope import user_scope
from hbmm.response import selectors, services
from hbmm.response.models import ActivityReport, ReportingPeriod


@pytest.fixture
def partner(make_user, orgs):
    def make(org, areas=("ML01",)):
        user = make_user("partner", areas=list(areas))
        services.membership_set(user=user, organisation=orgs[org])
        return user

    return make


@pytest.mark.django_db
def test_a_partner_reports_only_for_its_organisation_and_sees_only_its_rows(
    partner, orgs, report, make_user
):
    crm, drs = partner("crm"), partner("drs")
    report(crm, orgs["crm"], "people-reached", "ML01", value=30, women=10, men=8, girls=7, boys=5)
    report(drs, orgs["drs"], "people-reached", "ML01", value=5, women=1, men=1, girls=1, boys=2)
    with pytest.raises(ValidationError) as error:
        report(crm, orgs["drs"], "radio-spots", "ML01", value=3)
    assert "organisation" in error.value.message_dict
    seen = selectors.activity_reports(
        scope=user_scope(crm), organisations=selectors.reader_organisations(crm)
    )
    assert [r.organisation.code for r in seen] == ["crm"]
    manager = make_user("programme_manager", areas=["MLI"])
    everything = selectors.activity_reports(
        scope=user_scope(manager), organisations=selectors.reader_organisations(manager)
    )
    assert sorted(r.organisation.code for r in everything) == ["crm", "drs-kayes"]
    # A partner user with no organisation sees nothing.
    lonely = make_user("partner", areas=["MLI"])
    assert not selectors.activity_reports(
        scope=user_scope(lonely), organisations=selectors.reader_organisations(lonely)
    ).exists()


@pytest.mark.django_db
def test_a_row_outside_the_writers_scope_is_refused(partner, orgs, report):
    crm = partner("crm", areas=["ML01"])
    with pytest.raises(ValidationError) as error:
        report(crm, orgs["crm"], "radio-spots", "ML07", value=2)  # Gao
    assert "area" in error.value.message_dict
    assert not ActivityReport.objects.exists()


@pytest.mark.django_db
def test_a_locked_period_refuses_new_rows_until_unlocked(partner, orgs, report, make_user, plan):
    crm = partner("crm")
    manager = make_user("programme_manager", areas=["MLI"])
    report(crm, orgs["crm"], "radio-spots", "ML01", month=(2020, 5), value=4)
    period = ReportingPeriod.objects.get(plan=plan, month=dt.date(2020, 5, 1))
    services.period_lock(period=period, by=manager)
    with pytest.raises(ValidationError) as error:
        report(crm, orgs["crm"], "radio-spots", "ML01", month=(2020, 5), value=1)
    assert "locked" in " ".join(error.value.message_dict["period"])
    report(crm, orgs["crm"], "radio-spots", "ML01", month=(2020, 6), value=1)  # June is open
    assert ActivityReport.objects.count() == 2
    services.period_unlock(period=period, by=manager)
    report(crm, orgs["crm"], "radio-spots", "ML01", month=(2020, 5), value=1)
    assert ActivityReport.objects.count() == 3


@pytest.mark.django_db
def test_counts_by_sex_and_age_and_training_fields_are_checked(partner, orgs, report):
    crm = partner("crm")
    with pytest.raises(ValidationError) as error:
        report(crm, orgs["crm"], "people-reached", "ML01", value=30, women=10, men=8)
    assert "girls" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        report(
            crm, orgs["crm"], "people-reached", "ML01", value=31, women=10, men=8, girls=7, boys=5
        )
    assert "add up to 30" in error.value.message_dict["value"][0]
    with pytest.raises(ValidationError) as error:
        report(crm, orgs["crm"], "agents-trained", "ML01", value=12, women=4, men=8)
    assert "participant_role" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        report(crm, orgs["crm"], "radio-spots", "ML01", value=3, training_topic="IPC")
    assert "training_topic" in error.value.message_dict
    trained = report(
        crm,
        orgs["crm"],
        "agents-trained",
        "ML01",
        value=12,
        women=4,
        men=8,
        participant_role="border_agents",
        training_topic="Screening of travellers",
        pre_test_score=Decimal("48.5"),
        post_test_score=Decimal("81"),
    )
    assert trained.pk and ActivityReport.objects.count() == 1


@pytest.mark.django_db
def test_a_month_outside_the_plan_is_refused(plan):
    with pytest.raises(ValidationError) as error:
        services.period_get_or_create(plan=plan, month=dt.date(2021, 1, 1))
    assert "period" in error.value.message_dict


@pytest.mark.django_db
def test_funding_with_contributions_in_two_currencies_is_exact(plan, orgs, make_user):
    manager = make_user("programme_manager", areas=["MLI"])
    poe = plan.pillars.get(code="poe")
    rcce = plan.pillars.get(code="rcce")
    services.contribution_create(
        plan=plan,
        donor=orgs["echo"],
        amount=Decimal("200000"),
        currency="EUR",
        rate=Decimal("1.0850"),
        rate_date=dt.date(2020, 5, 4),
        signed_on=dt.date(2020, 5, 5),
        pillar=poe,
        by=manager,
    )
    services.contribution_create(
        plan=plan,
        donor=orgs["kfw"],
        amount=Decimal("75000"),
        currency="usd",
        signed_on=dt.date(2020, 6, 1),
        pillar=rcce,
        by=manager,
    )
    services.contribution_create(
        plan=plan,
        donor=orgs["kfw"],
        amount=Decimal("30000000"),
        currency="XOF",
        rate=Decimal("0.00165"),
        rate_date=dt.date(2020, 6, 1),
        signed_on=dt.date(2020, 6, 2),
        by=manager,
    )
    services.contribution_create(
        plan=plan,
        donor=orgs["echo"],
        amount=Decimal("1000000"),
        currency="USD",
        signed_on=dt.date(2020, 6, 2),
        status="pledged",
        by=manager,
    )
    with pytest.raises(ValidationError) as error:
        services.contribution_create(
            plan=plan,
            donor=orgs["echo"],
            amount=Decimal("10"),
            currency="EUR",
            signed_on=dt.date(2020, 6, 2),
            by=manager,
        )
    assert "rate" in error.value.message_dict

    may = selectors.plan_funding(plan=plan, as_of=dt.date(2020, 5, 31))
    assert may.funded == Decimal("217000.00")  # 200,000 EUR x 1.085
    june = selectors.plan_funding(plan=plan, as_of=dt.date(2020, 6, 30))
    by_code = {p.pillar.code: p for p in june.pillars}
    assert by_code["poe"].funded == Decimal("217000.00")
    assert by_code["poe"].gap == Decimal("533000.00")
    assert by_code["rcce"].funded == Decimal("75000")
    assert by_code["rcce"].coverage == Decimal(50)
    assert june.unearmarked == Decimal("49500.00")  # 30,000,000 XOF x 0.00165
    assert june.funded == Decimal("341500.00")  # the pledge is not funding
    assert june.requirement == Decimal(3_000_000)
    assert june.gap == Decimal("2658500.00")
    assert (june.contributions, june.donors) == (3, 2)
    assert selectors.pledged_total(plan=plan, as_of=dt.date(2020, 6, 30)) == Decimal(1_000_000)
