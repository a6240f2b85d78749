"""Corrections and reprocessing by a reviewer (submission_correct, submission_reprocess, the
submission page): the reviewer needs the domain permission of the form's records, corrected
values are checked against the reviewer's scope (whoever sent the submission, a file or a
pull included), and the audit log attributes the change to the reviewer."""

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied

from hbmm.accounts.models import AuditEvent
from hbmm.health.screening.models import Screening
from hbmm.intake.models import Correction
from hbmm.intake.review import submission_correct, submission_reprocess
from tests.health.test_screening_intake import GOOD
from tests.intake.conftest import receive_processed

FLOW = {
    "observation_date": "2020-04-28",
    "site": "BCP-GOGUI",
    "direction": "incoming",
    "men": "-1",
    "women": "1",
    "boys": "0",
    "girls": "0",
}
SCREENING = {k: v for k, v in GOOD.items() if k not in ("destination", "symptoms")}
SCREENING["temperature"] = "36.6"


def received(form_id, data, *, instance_id="uuid:x1", submitter=None, channel="openrosa"):
    return receive_processed(
        form_id, data, instance_id=instance_id, submitter=submitter, channel=channel
    )


def grant(user, *codenames):
    for codename in codenames:
        app, code = codename.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app, codename=code)
        )
    return type(user).objects.get(pk=user.pk)  # fresh permission cache


@pytest.mark.django_db
def test_a_reviewer_without_the_screening_permission_cannot_correct_a_screening(
    reference, make_user, client
):
    agent = make_user("poe_agent", sites=["BCP-DIBOLI"])
    item = received("screening", {**SCREENING, "temperature": "52"}, submitter=agent)
    assert item.status == "quarantined"
    officer = make_user("im_officer", areas=["MLI"])  # reviews submissions, not screenings
    with pytest.raises(PermissionDenied):
        submission_correct(submission=item, changes={"temperature": "37"}, by=officer)
    client.force_login(officer)
    response = client.post(f"/intake/submissions/{item.pk}/", {"field__temperature": "37"})
    assert response.status_code == 403
    assert client.post(f"/intake/submissions/{item.pk}/reprocess/").status_code == 403
    item.refresh_from_db()
    assert item.status == "quarantined" and item.corrections == {}
    assert not Screening.objects.exists() and not Correction.objects.exists()


@pytest.mark.django_db
def test_correcting_an_accepted_record_needs_the_change_permission(reference, make_user):
    agent = make_user("poe_agent", sites=["BCP-DIBOLI"])
    item = received("screening", SCREENING, submitter=agent)
    assert item.status == "accepted"
    reviewer = grant(make_user("im_officer", areas=["MLI"]), "health.add_screening")
    with pytest.raises(PermissionDenied):
        submission_correct(submission=item, changes={"temperature": "38.5"}, by=reviewer)
    reviewer = grant(reviewer, "health.change_screening")
    corrected = submission_correct(submission=item, changes={"temperature": "38.5"}, by=reviewer)
    assert corrected.status == "accepted"
    assert str(Screening.objects.get().temperature) == "38.5"


@pytest.mark.django_db
@pytest.mark.parametrize("sender", ["none", "national_file"])
def test_corrected_values_are_checked_against_the_reviewers_scope(
    probe, make_user, sender, settings, tmp_path
):
    """A pulled row (no submitting person) or a national officer's file row in Kayes, corrected
    by a Kayes reviewer who moves it to Bamako: the reviewer's scope decides, not the
    original sender's (nor 'no sender, no check')."""
    submitter = make_user("im_officer", areas=["MLI"]) if sender == "national_file" else None
    item = received("flow_count", FLOW, submitter=submitter, channel="file")
    assert item.status == "quarantined" and item.site.code == "BCP-GOGUI"
    kayes_reviewer = make_user("im_officer", areas=["ML01"])
    corrected = submission_correct(
        submission=item, changes={"site": "FMP-BAMAKO", "men": "1"}, by=kayes_reviewer
    )
    assert corrected.status == "quarantined"
    assert {e["field"] for e in corrected.errors} == {"site"}
    assert probe.saved == []


@pytest.mark.django_db
def test_a_reviewer_cannot_correct_a_submission_outside_their_scope(probe, make_user):
    item = received("flow_count", FLOW)
    with pytest.raises(PermissionDenied):
        submission_correct(
            submission=item, changes={"men": "1"}, by=make_user("im_officer", areas=["ML09"])
        )


@pytest.mark.django_db
def test_the_audit_log_attributes_a_corrected_screening_to_the_reviewer(reference, make_user):
    agent = make_user("poe_agent", sites=["BCP-DIBOLI"])
    item = received("screening", SCREENING, submitter=agent)
    reviewer = grant(
        make_user("im_officer", areas=["ML01"]), "health.add_screening", "health.change_screening"
    )
    before = AuditEvent.objects.count()
    submission_correct(submission=item, changes={"temperature": "38.9"}, by=reviewer, note="typo")
    events = list(AuditEvent.objects.order_by("pk")[before:])
    assert events and {e.actor for e in events} == {reviewer}
    assert any(e.target == f"health.screening:{Screening.objects.get().pk}" for e in events)
    assert Screening.objects.get().agent == agent  # who screened does not change


@pytest.mark.django_db
def test_reprocess_by_a_reviewer_uses_their_scope_and_is_audited(probe, make_user):
    kayes_enumerator = make_user("enumerator", areas=["ML01"])
    item = received(
        "flow_count", {**FLOW, "men": "1", "site": "FMP-BAMAKO"}, submitter=kayes_enumerator
    )
    assert item.status == "quarantined" and item.site.code == "FMP-BAMAKO"
    with pytest.raises(PermissionDenied):  # filed under Bamako: outside this reviewer's scope
        submission_reprocess(submission=item, by=make_user("im_officer", areas=["ML01"]))
    bamako_reviewer = make_user("im_officer", areas=["ML09"])
    processed = submission_reprocess(submission=item, by=bamako_reviewer)
    assert processed.status == "accepted"
    event = AuditEvent.objects.get(target=f"intake.submission:{item.pk}")
    assert event.actor == bamako_reviewer and event.details["status"] == "accepted"


@pytest.mark.django_db
def test_correcting_the_current_version_of_an_edited_record_is_not_an_edit_again(probe, make_user):
    """An accepted edit moved a record from Kayes to Bamako; a Bamako reviewer corrects it:
    the version it replaced (in Kayes) is not replaced again, so it is not in question."""
    national = make_user("enumerator", areas=["MLI"])
    receive_processed("flow_count", {**FLOW, "men": "1"}, instance_id="uuid:k1", submitter=national)
    edit = receive_processed(
        "flow_count",
        {**FLOW, "men": "2", "site": "FMP-BAMAKO"},
        instance_id="uuid:k2",
        deprecated_id="uuid:k1",
        submitter=national,
    )
    assert (edit.status, edit.root_id) == ("accepted", "uuid:k1")
    reviewer = grant(make_user("im_officer", areas=["ML09"]), "intake.change_submission")
    corrected = submission_correct(submission=edit, changes={"men": "3"}, by=reviewer)
    assert (corrected.status, corrected.is_current) == ("accepted", True)
    assert probe.saved[-1]["men"] == 3


@pytest.mark.django_db
def test_a_poe_supervisor_corrects_a_quarantined_screening_of_their_region_only(
    reference, make_user
):
    """Screenings are corrected by those who may make them: a supervisor of the post's region,
    not an information officer without screening rights, nor a supervisor of another region."""
    agent = make_user("poe_agent", sites=["BCP-DIBOLI"])
    item = received("screening", {**SCREENING, "temperature": "52"}, submitter=agent)
    other_region = make_user("poe_supervisor", areas=["ML07"])
    with pytest.raises(PermissionDenied):
        submission_correct(submission=item, changes={"temperature": "37"}, by=other_region)
    supervisor = make_user("poe_supervisor", areas=["ML01"])
    corrected = submission_correct(submission=item, changes={"temperature": "37"}, by=supervisor)
    assert corrected.status == "accepted"
    assert Screening.objects.filter(submission=corrected).count() == 1
