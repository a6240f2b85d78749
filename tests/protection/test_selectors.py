"""Who sees which case: geographic scope, record scope (self / team / area), GBV restriction,
break the glass, referral recipients; every read audited."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from hbmm.accounts.models import AuditEvent
from hbmm.accounts.scope import user_scope
from hbmm.protection import selectors, services
from hbmm.protection.selectors import MASK, RecordScope  # noqa: F401

pytestmark = pytest.mark.django_db


def keys(user):
    return set(selectors.cases_visible(user=user).values_list("case_key", flat=True))


def test_record_scopes_of_the_roles(people):
    assert selectors.record_scope(people.mopti) is RecordScope.TEAM
    assert selectors.record_scope(people.supervisor) is RecordScope.AREA
    assert selectors.record_scope(people.focal) is RecordScope.NONE
    assert selectors.record_scope(people.viewer) is RecordScope.NONE


def test_two_officers_in_two_regions(people, register):
    mopti_case = register(people.mopti, team=people.team)
    gao_case = register(people.gao, site_code="OFF-GAO")
    assert keys(people.mopti) == {mopti_case.case_key}
    assert keys(people.gao) == {gao_case.case_key}
    assert keys(people.mopti_mate) == {mopti_case.case_key}  # same team
    assert keys(people.mopti_other) == set()  # same region, other team
    assert keys(people.supervisor) == {mopti_case.case_key}  # area: Mopti only
    assert keys(people.viewer) == set() and keys(people.focal) == set()
    with pytest.raises(Http404):
        selectors.case_get(user=people.gao, case_key=mopti_case.case_key)
    with pytest.raises(Http404):
        selectors.case_get(user=people.mopti_other, case_key=mopti_case.case_key)


def test_a_narrowed_scope_never_widens(people, register, area):
    case = register(people.supervisor)
    narrowed = user_scope(people.supervisor).narrow(area("ML07"))
    assert not selectors.cases_visible(user=people.supervisor, scope=narrowed).exists()
    assert selectors.cases_visible(user=people.supervisor).get() == case


def test_every_case_read_is_audited(people, register):
    case = register(people.mopti, name="Moussa Diallo")
    before = AuditEvent.objects.filter(action=AuditEvent.Action.READ_PROTECTED).count()
    selectors.case_get(user=people.mopti, case_key=case.case_key)
    identifiers = selectors.case_identifiers_read(user=people.mopti, case=case)
    assert identifiers["name"] == "Moussa Diallo"
    events = AuditEvent.objects.filter(action=AuditEvent.Action.READ_PROTECTED).order_by("pk")
    assert events.count() == before + 2
    opened, read = list(events)[-2:]
    assert opened.actor == read.actor == people.mopti
    assert opened.details == {"case_key": case.case_key, "fields": []}
    assert read.details["fields"] == ["name", "phone", "document_number"]


def test_gbv_case_masked_in_lists_and_closed_to_others(people, register):
    gbv_case = register(people.mopti, name="Fatoumata K", vulnerabilities=["gbv_survivor"])
    plain = register(people.mopti, name="Ibrahim S")
    # The supervisor (area scope, may read identifiers, not GBV team) sees it masked.
    rows = {
        r.case.case_key: r
        for r in selectors.case_rows(
            user=people.supervisor, cases=selectors.case_list(user=people.supervisor)
        )
    }
    assert rows[gbv_case.case_key].masked and rows[gbv_case.case_key].name == ""
    assert not rows[gbv_case.case_key].openable
    assert rows[plain.case_key].name == "Ibrahim S" and not rows[plain.case_key].masked
    with pytest.raises(PermissionDenied):
        selectors.case_get(user=people.supervisor, case_key=gbv_case.case_key)
    with pytest.raises(PermissionDenied):
        selectors.case_identifiers_read(user=people.supervisor, case=gbv_case)
    # The owner and the GBV team read it.
    assert selectors.case_identifiers_read(user=people.mopti, case=gbv_case)["name"] == (
        "Fatoumata K"
    )
    gbv_rows = selectors.case_rows(user=people.gbv, cases=[gbv_case])
    assert gbv_rows[0].name == "Fatoumata K" and not gbv_rows[0].masked
    # The list read is audited with the cases shown and whether names were read.
    event = AuditEvent.objects.filter(target="protection.case_list").order_by("-pk").first()
    assert event.actor == people.gbv and event.details == {
        "cases": [gbv_case.case_key],
        "fields": ["name"],
    }


def test_break_the_glass(people, register):
    gbv_case = register(people.mopti, vulnerabilities=["gbv_survivor"], name="N")
    gao_case = register(people.gao, site_code="OFF-GAO")
    with pytest.raises(PermissionDenied):  # an officer may not
        services.case_break_glass(
            by=people.mopti_other, case_key=gbv_case.case_key, reason="x" * 20
        )
    with pytest.raises(ValidationError):
        services.case_break_glass(by=people.supervisor, case_key=gbv_case.case_key, reason="")
    with pytest.raises(Http404):  # never outside the geographic scope
        services.case_break_glass(
            by=people.supervisor, case_key=gao_case.case_key, reason="urgent medical transfer"
        )
    services.case_break_glass(
        by=people.supervisor, case_key=gbv_case.case_key, reason="survivor in danger tonight"
    )
    case = selectors.case_get(user=people.supervisor, case_key=gbv_case.case_key)
    read = AuditEvent.objects.filter(action=AuditEvent.Action.READ_PROTECTED).order_by("-pk")[0]
    assert read.details["break_glass"] == "survivor in danger tonight"
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.OVERRIDE, details__break_glass="survivor in danger tonight"
    ).exists()
    assert selectors.case_identifiers_read(user=people.supervisor, case=case)["name"] == "N"


def test_recipient_sees_only_what_was_referred(people, register):
    case = register(
        people.mopti,
        name="Aminata",
        vulnerabilities=["medical_need"],
        needs=["health"],
        consent_services=True,
        consent_disclosure=True,
    )
    other = register(people.mopti, consent_services=True, consent_disclosure=True)
    referral = services.referral_create(
        by=people.mopti,
        case=case,
        provider=people.provider,
        service_type="health",
        shared=["needs", "profile"],
    )
    assert list(selectors.referrals_received(user=people.focal)) == [referral]
    assert keys(people.focal) == set()  # the case itself stays closed to them
    with pytest.raises(Http404):
        selectors.case_get(user=people.focal, case_key=other.case_key)
    shared = selectors.referral_shared_read(user=people.focal, referral=referral)
    assert shared["needs"] == ["health"] and "name" not in shared
    assert "vulnerabilities" not in shared
    with pytest.raises(PermissionDenied):
        selectors.referral_shared_read(user=people.mopti, referral=referral)
    with pytest.raises(Http404):
        selectors.referral_get(user=people.gao, pk=referral.pk)


def test_overdue_worklist(people, register, today):
    import datetime as dt

    case = register(people.mopti, consent_services=True, consent_disclosure=True)
    referral = services.referral_create(
        by=people.mopti, case=case, provider=people.provider, service_type="health", due_on=today
    )
    assert not selectors.referrals_overdue(user=people.mopti).exists()
    later = today + dt.timedelta(days=3)
    assert list(selectors.referrals_overdue(user=people.mopti, today=later)) == [referral]
    assert list(selectors.referrals_overdue(user=people.focal, today=later)) == [referral]
    assert not selectors.referrals_overdue(user=people.gao, today=later).exists()
    services.referral_respond(by=people.focal, referral=referral, status="accepted")
    services.referral_respond(by=people.focal, referral=referral, status="done")
    assert not selectors.referrals_overdue(user=people.mopti, today=later).exists()


def test_totals_count_statistics_only_with_consent(people, register, area):
    register(
        people.mopti,
        sex="female",
        age_group="18-59",
        vulnerabilities=["gbv_survivor"],
        consent_statistics=True,
    )
    register(people.mopti, sex="male", age_group="18-59", vulnerabilities=["stranded"])
    register(people.gao, site_code="OFF-GAO", vulnerabilities=["stranded"], consent_statistics=True)
    totals = selectors.protection_totals(scope=user_scope(people.supervisor))
    assert totals.registered == 2 and totals.open == 2
    assert totals.by_vulnerability == {"gbv_survivor": 1}
    assert totals.by_sex_age == {("female", "18-59"): 1}
