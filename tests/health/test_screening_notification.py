# ruff: noqa: F811  (pytest fixtures imported from tests.health.screening_fixtures)
"""The alert e-mail: to the point's supervisors and the district surveillance officers, with
no personal identifiers; sent after the transaction commits."""

import pytest
from django.core import mail

from hbmm.health.screening.services import screening_create
from hbmm.health.screening.workflow import alert_recipients
from hbmm.places.models import Site
from tests.health.screening_fixtures import T0, english, fever_cough, healthy  # noqa: F401


@pytest.fixture
def staff(make_user):
    return {
        # Diboli is in cercle Kayes (ML0103), region Kayes (ML01).
        "supervisor": make_user("poe_supervisor", areas=["ML01"], email="sup@example.org"),
        "other_region_sup": make_user("poe_supervisor", areas=["ML03"], email="sik@example.org"),
        "district_so": make_user(
            "surveillance_officer", areas=["ML0103"], email="dso@example.org", language="en"
        ),
        "region_so": make_user("surveillance_officer", areas=["ML01"], email="rso@example.org"),
        "no_email": make_user("poe_supervisor", areas=["ML01"]),
        "agent": make_user("poe_agent", sites=["BCP-DIBOLI"], email="agent@example.org"),
    }


@pytest.mark.django_db
def test_recipients_are_supervisors_and_district_officers(staff):
    recipients = alert_recipients(Site.objects.get(code="BCP-DIBOLI"))
    assert [u.email for u in recipients] == ["sup@example.org", "dso@example.org"]
    # Gogui (ML0106) has no district officer: the region's officer gets the alert.
    recipients = alert_recipients(Site.objects.get(code="BCP-GOGUI"))
    assert [u.email for u in recipients] == ["sup@example.org", "rso@example.org"]


@pytest.mark.django_db
def test_suspect_sends_alert_without_identifiers(
    staff, django_capture_on_commit_callbacks, settings
):
    settings.BASE_URL = "http://hbmm.example.org"
    with django_capture_on_commit_callbacks(execute=True):
        s = screening_create(
            point=Site.objects.get(code="BCP-DIBOLI"),
            screened_at=T0,
            agent=staff["agent"],
            name="Fatoumata Diarra",
            phone="+22376543210",
            document_number="P0099887",
            nationality="MLI",
            **fever_cough(),
        )
    s.refresh_from_db()
    assert s.notified_at is not None and s.alert_recipients == 2
    assert len(mail.outbox) == 2  # one per language
    by_language = {m.to[0]: m for m in mail.outbox}
    english, french = by_language["dso@example.org"], by_language["sup@example.org"]
    assert english.subject == f"[HBMM] Suspect case at Diboli (SCR-{s.pk:06d})"
    assert "Criteria met: Acute respiratory illness" in english.body
    assert "Cas suspect" in french.subject
    # A link a mail client opens, and the temperature in each language's notation.
    assert f"http://hbmm.example.org/health/screening/{s.pk}/" in english.body
    assert "Temperature: 38.5 °C" in english.body and "38,5 °C" in french.body
    for message in mail.outbox:
        text = message.subject + message.body
        for identifier in ("Fatoumata", "Diarra", "76543210", "P0099887", s.person_key):
            assert identifier not in text


@pytest.mark.django_db
def test_no_alert_for_a_non_suspect_or_when_the_transaction_fails(
    staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        screening_create(point=Site.objects.get(code="BCP-DIBOLI"), screened_at=T0, **healthy())
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        screening_create(point=Site.objects.get(code="BCP-DIBOLI"), screened_at=T0, **fever_cough())
    assert len(callbacks) == 1 and mail.outbox == []  # nothing leaves before the commit
