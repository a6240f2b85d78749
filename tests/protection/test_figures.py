"""Protection figures and the report section: exact counts, consent to statistics, small cells
and GBV left out, no identifier anywhere."""

import datetime as dt

import pytest
from django.utils import timezone

from hbmm.accounts.scope import user_scope
from hbmm.mobility.services import stranded_migrants_save
from hbmm.protection import figures, services
from hbmm.protection.models import Referral
from hbmm.reports.registry import Context
from hbmm.reports.sections import protection as section

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(people, register, site, today):
    group = stranded_migrants_save(
        rows=[{"site": site("OFF-MOPTI"), "date": today - dt.timedelta(days=3), "count": 40}]
    )[0]
    stats = {"consent_statistics": True, "consent_services": True, "consent_disclosure": True}
    cases = [
        register(
            people.mopti,
            name=f"Person {i}",
            vulnerabilities=["stranded"],
            stranded_group_id=group.pk,
            **stats,
        )
        for i in range(5)
    ]
    register(people.mopti, name="No stats", vulnerabilities=["stranded", "elderly"])
    register(people.mopti, name="Elder", vulnerabilities=["elderly"], **stats)  # 1 < 5
    for i in range(5):  # GBV: never public, even above the threshold
        register(people.mopti, name=f"G{i}", vulnerabilities=["gbv_survivor"], **stats)
    made = [
        services.referral_create(
            by=people.mopti, case=c, provider=people.provider, service_type="health"
        )
        for c in cases[:3]
    ]
    services.referral_respond(by=people.focal, referral=made[0], status="accepted")
    services.referral_respond(by=people.focal, referral=made[0], status="done")
    services.referral_respond(by=people.focal, referral=made[1], status="accepted")
    # Acceptance delays of 1 and 3 days.
    now = timezone.now()
    Referral.objects.filter(pk=made[0].pk).update(created_at=now - dt.timedelta(days=1))
    Referral.objects.filter(pk=made[1].pk).update(created_at=now - dt.timedelta(days=3))
    Referral.objects.filter(pk__in=[made[0].pk, made[1].pk]).update(accepted_at=now)
    services.voluntary_return_set(
        by=people.mopti,
        case=cases[4],
        destination_country="GIN",
        fit_to_travel_on=today,
        departure_on=today,
    )
    return cases


def test_protection_figures(people, data, today):
    result = figures.protection_cases(scope=user_scope(people.supervisor), as_of=today)
    assert result.registered.value == 12
    assert result.registered.parts == {"open": 12, "closed": 0}
    assert (result.from_stranded.value, result.from_stranded.denominator) == (5, 12)
    assert result.referrals.value == 3
    assert (result.accepted.value, result.accepted.denominator) == (2, 3)
    assert (result.completed.value, result.completed.denominator) == (1, 3)
    assert result.median_days.value == 2.0
    assert result.returns.value == 1
    # stranded: 5 consenting (the sixth did not consent); elderly 1 (small); GBV left out.
    assert [(f.key, f.value) for f in result.by_vulnerability] == [
        ("protection.vulnerability.stranded", 5)
    ]
    assert result.suppressed == 2
    scope = user_scope(people.supervisor)
    before = figures.protection_cases(scope=scope, as_of=today - dt.timedelta(days=2))
    assert before.registered.value == 0  # all were identified yesterday
    yesterday = figures.protection_cases(scope=scope, as_of=today - dt.timedelta(days=1))
    assert yesterday.registered.value == 12
    assert yesterday.referrals.value == 2  # two were dated back one and three days
    assert yesterday.accepted.value == 0 and yesterday.returns.value == 0  # done today
    gao = figures.protection_cases(scope=user_scope(people.gao), as_of=today)
    assert gao.registered.value == 0 and not gao.has_data


def test_section_sentences_without_identifiers(people, data, today):
    result = section.build(Context.of(people.supervisor, as_of=today))
    text = " ".join(result.sentences)
    assert "40 stranded migrants were counted" in text
    assert "5 of them were then registered" in text and "of 12 cases" in text
    assert "3 referrals to services were made: 2 accepted and 1 completed." in text
    everything = text + " ".join(str(f.label) + str(f.definition) for f in result.figures)
    assert "Person" not in everything and "gbv" not in everything.lower()
    assert all(f.drilldown is None for f in result.figures)


def test_section_empty_without_data(people, today):
    result = section.build(Context.of(people.gao, as_of=today))
    assert result.no_data
