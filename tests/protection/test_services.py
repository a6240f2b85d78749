"""Writes of protection: consent gate and its override, statuses, transfer, retention."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404

from hbmm.accounts.models import AuditEvent
from hbmm.protection import selectors, services
from hbmm.protection.models import Case, CaseEvent, Referral

pytestmark = pytest.mark.django_db


def consenting(**extra):
    return {"consent_services": True, "consent_disclosure": True, **extra}


def test_register_encrypts_identifiers_at_rest(people, register):
    case = register(
        people.mopti, name="Awa Traoré", phone="+22370000000", document_number="ML-PASS-0042"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, phone, document_number, person_key FROM protection_case WHERE id = %s",
            [case.pk],
        )
        name, phone, document, person_key = cursor.fetchone()
    for raw, clear in ((name, "Awa Traoré"), (phone, "+22370000000"), (document, "ML-PASS-0042")):
        assert clear not in raw and "Traor" not in raw and raw.startswith("gAAAA")
    assert person_key.startswith("P-") and len(person_key) == 14
    assert Case.objects.get(pk=case.pk).name == "Awa Traoré"
    assert case.owner == people.mopti and case.status == Case.Status.OPEN
    assert case.case_key.startswith("PC-") and len(case.case_key) == 11


def test_register_outside_scope_or_role_is_refused(people, register):
    with pytest.raises(PermissionDenied):
        register(people.mopti, site_code="OFF-GAO")
    with pytest.raises(PermissionDenied):
        register(people.viewer)
    assert not Case.objects.exists()


def test_register_with_gbv_vulnerability_is_restricted(people, register):
    case = register(people.mopti, vulnerabilities=["gbv_survivor", "stranded"])
    assert case.is_gbv
    with pytest.raises(ValidationError) as error:
        register(people.mopti, vulnerabilities=["nope"])
    assert "vulnerabilities" in error.value.message_dict


def test_referral_without_consent_is_blocked(people, register):
    case = register(people.mopti, consent_services=True)  # no disclosure consent
    with pytest.raises(ValidationError) as error:
        services.referral_create(
            by=people.mopti, case=case, provider=people.provider, service_type="health"
        )
    assert "override_reason" in error.value.message_dict
    # An officer may not override, even with a reason.
    with pytest.raises(PermissionDenied):
        services.referral_create(
            by=people.mopti,
            case=case,
            provider=people.provider,
            service_type="health",
            override_reason="life-threatening injury",
        )
    assert not Referral.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.OVERRIDE).exists()


def test_override_by_supervisor_is_audited_and_shown_on_the_case(people, register):
    case = register(people.mopti)
    referral = services.referral_create(
        by=people.supervisor,
        case=case,
        provider=people.provider,
        service_type="health",
        override_reason="unconscious, needs emergency care",
    )
    assert referral.consent_override and referral.override_reason.startswith("unconscious")
    event = AuditEvent.objects.get(action=AuditEvent.Action.OVERRIDE)
    assert event.actor == people.supervisor
    assert event.target == f"protection.case:{case.pk}"
    assert event.details["consent_override"] == "unconscious, needs emergency care"
    assert event.details["consent"] == {"services": False, "disclosure": False}
    shown = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.OVERRIDE)
    assert shown.by == people.supervisor and shown.reason.startswith("unconscious")


def test_referral_with_consent_needs_no_override(people, register):
    case = register(people.mopti, **consenting())
    referral = services.referral_create(
        by=people.mopti, case=case, provider=people.provider, service_type="mhpss"
    )
    assert not referral.consent_override and referral.status == Referral.Status.IN_PROGRESS
    assert Case.objects.get(pk=case.pk).status == Case.Status.ACTIVE
    with pytest.raises(ValidationError) as error:
        services.referral_create(
            by=people.mopti, case=case, provider=people.provider, service_type="legal"
        )
    assert "service_type" in error.value.message_dict


def test_referral_statuses(people, register):
    case = register(people.mopti, **consenting())
    make = lambda: services.referral_create(  # noqa: E731
        by=people.mopti, case=case, provider=people.provider, service_type="health"
    )
    referral = make()
    # Only the recipient answers; the referring officer cannot accept.
    with pytest.raises(PermissionDenied):
        services.referral_respond(by=people.mopti, referral=referral, status="accepted")
    with pytest.raises(ValidationError):  # done before accepted
        services.referral_respond(by=people.focal, referral=referral, status="done")
    referral = services.referral_respond(by=people.focal, referral=referral, status="accepted")
    assert referral.accepted_at is not None and referral.closed_at is None
    referral = services.referral_respond(by=people.focal, referral=referral, status="done")
    assert referral.status == "done" and referral.closed_at is not None
    with pytest.raises(ValidationError):  # final
        services.referral_revoke(by=people.mopti, referral=referral, reason="x")

    rejected = make()
    with pytest.raises(ValidationError) as error:
        services.referral_respond(by=people.focal, referral=rejected, status="rejected")
    assert "reason" in error.value.message_dict
    rejected = services.referral_respond(
        by=people.focal, referral=rejected, status="rejected", reason="no capacity"
    )
    assert rejected.status_reason == "no capacity"

    revoked = make()
    with pytest.raises(Http404):  # another region's officer does not see the case
        services.referral_revoke(by=people.gao, referral=revoked, reason="moved")
    revoked = services.referral_revoke(by=people.mopti, referral=revoked, reason="moved")
    assert revoked.status == "revoked"
    with pytest.raises(ValidationError):
        services.referral_respond(by=people.focal, referral=revoked, status="accepted")


def test_case_statuses(people, register):
    case = register(people.mopti)
    with pytest.raises(ValidationError) as error:
        services.case_status_set(by=people.mopti, case=case, status="closed")
    assert "closure_reason" in error.value.message_dict
    case = services.case_status_set(by=people.mopti, case=case, status="active")
    with pytest.raises(ValidationError):
        services.case_status_set(by=people.mopti, case=case, status="open")
    case = services.case_status_set(
        by=people.mopti, case=case, status="closed", closure_reason="returned"
    )
    assert case.closed_on is not None and case.closure_reason == "returned"
    with pytest.raises(ValidationError):  # no referral on a closed case
        services.referral_create(
            by=people.supervisor,
            case=case,
            provider=people.provider,
            service_type="health",
            override_reason="emergency",
        )
    case = services.case_status_set(by=people.mopti, case=case, status="active")
    assert case.closure_reason == "" and case.closed_on is None
    kinds = list(
        CaseEvent.objects.filter(case=case, kind="status").values_list("details__after", flat=True)
    )
    assert sorted(kinds) == ["active", "active", "closed"]


def test_transfer_needs_role_reason_and_scope(people, register):
    case = register(people.mopti)
    with pytest.raises(PermissionDenied):
        services.case_transfer(by=people.mopti, case=case, to=people.mopti_other, reason="leave")
    with pytest.raises(ValidationError) as error:
        services.case_transfer(by=people.supervisor, case=case, to=people.gao, reason="moving")
    assert "to" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.case_transfer(by=people.supervisor, case=case, to=people.mopti_other, reason="")
    case = services.case_transfer(
        by=people.supervisor, case=case, to=people.mopti_other, reason="officer on leave"
    )
    assert case.owner == people.mopti_other
    with pytest.raises(Http404):  # the former owner (no team) no longer sees it
        selectors.case_find(user=people.mopti, case_key=case.case_key)


def test_assistance_and_return(people, register, today):
    case = register(people.mopti, **consenting())
    services.assistance_record(by=people.mopti, case=case, kind="food", given_on=today, value=5000)
    with pytest.raises(ValidationError) as error:
        services.assistance_record(
            by=people.mopti, case=case, kind="food", given_on=today, value=-1
        )
    assert "value" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.voluntary_return_set(
            by=people.mopti, case=case, destination_country="gin", departure_on=today
        )
    assert "departure_on" in error.value.message_dict
    record = services.voluntary_return_set(
        by=people.mopti,
        case=case,
        destination_country="gin",
        fit_to_travel_on=today,
        departure_on=today,
        route="Bamako - Kourémalé - Siguiri",
    )
    assert record.destination_country == "GIN"
    with pytest.raises(Http404):
        services.assistance_record(by=people.gao, case=case, kind="food", given_on=today)


def test_anonymise_closed_cases_with_a_moved_clock(people, register):
    old = register(people.mopti, name="Old Case", **consenting(consent_statistics=True))
    services.case_status_set(by=people.mopti, case=old, status="closed", closure_reason="needs_met")
    recent = register(people.mopti, name="Still Open")
    now = dt.datetime.now(dt.UTC)
    assert services.cases_anonymise(older_than_months=6, now=now) == 0
    later = now + dt.timedelta(days=200)
    assert services.cases_anonymise(older_than_months=6, now=later) == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.name == "" and old.person_key == "" and old.anonymised_at == later
    assert recent.name == "Still Open"
    assert old.sex and old.consent_statistics  # statistics kept
    assert not selectors.can_read_identifiers(people.mopti, old)


def test_anonymise_command(people, register):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("anonymise", "--older-than", "24-months", stdout=out)
    assert out.getvalue().startswith("0 closed case(s)")
    with pytest.raises(CommandError, match="--older-than"):
        call_command("anonymise", "--older-than", "soon")


def test_gbv_restriction_follows_the_vulnerability_and_only_the_gbv_team_lifts_it(people, register):
    case = register(people.mopti, name="A")
    case = services.case_update(
        by=people.mopti, case=case, vulnerabilities=["gbv_survivor"], is_gbv=False
    )
    assert case.is_gbv  # set by the vulnerability whatever the box said
    with pytest.raises(PermissionDenied):
        services.case_update(by=people.mopti, case=case, vulnerabilities=[], is_gbv=False)
    case = services.case_update(by=people.gbv, case=case, vulnerabilities=[], is_gbv=False)
    assert not case.is_gbv
    changed = CaseEvent.objects.filter(case=case, kind="changed").first()
    assert changed.details == {"fields": ["is_gbv", "vulnerabilities"]}
