# ruff: noqa: F811  (pytest fixtures imported from tests.health.screening_fixtures)
"""Screenings through the intake pipeline: accepted, quarantined with clear reasons (bad
temperature, age, future time, point outside the agent's scope), edits, demo flag."""

import datetime as dt

import pytest
from django.utils import timezone

from hbmm.health.screening.intake_mappers import FORM_ID
from hbmm.health.screening.models import Screening
from hbmm.intake.process import submissions_process
from hbmm.intake.receive import submission_receive
from tests.health.screening_fixtures import english  # noqa: F401


def receive(data, *, instance_id="uuid:s1", submitter=None, deprecated_id=""):
    received = submission_receive(
        channel="openrosa",
        form_id=FORM_ID,
        instance_id=instance_id,
        deprecated_id=deprecated_id,
        payload=f"<data>{sorted(data.items())}</data>",
        payload_format="xml",
        data=data,
        submitter=submitter,
    )
    submissions_process([received.submission])
    received.submission.refresh_from_db()
    return received.submission


GOOD = {
    "point": "BCP-DIBOLI",
    "screened_at": "2020-04-14T08:30:00.000+00:00",
    "traveller_name": "Oumar Sidibé",
    "phone": "+22366000000",
    "document_number": "A123",
    "sex": "male",
    "age": "41",
    "nationality": "SEN",
    "conveyance": "bus",
    "origin_country": "SEN",
    "countries_visited": "SEN GMB",
    "destination": "ML0901",
    "contact_sick": "no",
    "temperature": "38.6",
    "symptoms": "fever cough",
}


@pytest.mark.django_db
def test_an_xlsform_submission_becomes_a_classified_screening(reference, make_user):
    agent = make_user("poe_agent", sites=["BCP-DIBOLI"])
    submission = receive(GOOD, submitter=agent)
    assert submission.status == "accepted", submission.errors
    s = Screening.objects.get(submission=submission)
    assert s.point.code == "BCP-DIBOLI" and s.agent == agent
    assert s.countries_visited == ["SEN", "GMB"] and s.destination.pcode == "ML0901"
    assert s.is_suspect and s.matched_clauses == ["A"] and s.notified_at is not None
    assert submission.site == s.point  # scopes the review of the submission


@pytest.mark.django_db
def test_bad_input_is_quarantined_with_every_reason(reference, make_user):
    agent = make_user("poe_agent", sites=["BCP-GOGUI"])
    future = (timezone.now() + dt.timedelta(days=2)).isoformat()
    bad = {**GOOD, "temperature": "52", "age": "130", "screened_at": future, "sex": "x"}
    submission = receive(bad, submitter=agent)
    assert submission.status == "quarantined"
    reasons = {e["field"]: e["message"] for e in submission.errors}
    assert reasons == {
        "screened_at": "The time is in the future.",
        "point": "This site is outside your geographic scope.",
        "temperature": "Must be at most 45.",
        "age": "Must be at most 120.",
        "sex": "Unknown value; expected one of: male, female, unknown.",
    }
    assert Screening.objects.count() == 0


@pytest.mark.django_db
def test_low_temperature_and_unknown_codes(reference):
    submission = receive(
        {**GOOD, "temperature": "29", "destination": "SN01", "countries_visited": "SEN G1"}
    )
    reasons = {e["field"]: e["message"] for e in submission.errors}
    assert reasons == {
        "temperature": "Must be at least 30.",
        "destination": "Unknown P-code in Mali.",
        "countries_visited": "Unknown country (use an ISO3 code, e.g. MLI).",
    }


@pytest.mark.django_db
def test_countries_are_checked_against_the_iso_list(reference):
    """Three letters are not enough: the code must be a country's (places.countries); a
    country's French or English name gives its code."""
    refused = receive({**GOOD, "nationality": "XYZ", "countries_visited": "SEN ABC"})
    reasons = {e["field"]: (e["value"], e["message"]) for e in refused.errors}
    assert reasons == {
        "nationality": ("XYZ", "Unknown country (use an ISO3 code, e.g. MLI)."),
        "countries_visited": ("ABC", "Unknown country (use an ISO3 code, e.g. MLI)."),
    }
    named = receive(
        {**GOOD, "nationality": "Guinée", "origin_country": "gin", "countries_visited": "Mali;SEN"},
        instance_id="uuid:s9",
    )
    assert named.status == "accepted", named.errors
    screening = Screening.objects.get(submission=named)
    assert (screening.nationality, screening.origin_country) == ("GIN", "GIN")
    assert screening.countries_visited == ["MLI", "SEN"]


@pytest.mark.django_db
def test_an_edit_updates_the_same_screening(reference):
    first = receive({**GOOD, "temperature": "36.5", "symptoms": ""})
    s = Screening.objects.get(submission=first)
    assert not s.is_suspect
    edit = receive({**GOOD, "temperature": "38.9"}, instance_id="uuid:s2", deprecated_id="uuid:s1")
    assert edit.status == "accepted"
    assert Screening.objects.count() == 1
    s.refresh_from_db()
    assert s.is_suspect and s.submission == edit and str(s.temperature) == "38.9"


@pytest.mark.django_db
def test_reasons_are_stored_in_the_deployment_language(reference, settings):
    settings.HBMM_DATA_LANGUAGE = "fr"
    submission = receive({**GOOD, "destination": "ML9999", "countries_visited": "SEN 12"})
    reasons = {e["field"]: e["message"] for e in submission.errors}
    assert reasons == {
        "destination": "P-code inconnu au Mali.",
        "countries_visited": "Pays inconnu (utilisez un code ISO3, par exemple MLI).",
    }
