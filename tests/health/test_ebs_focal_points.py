# ruff: noqa: F811  (pytest fixtures imported from tests.health.screening_fixtures)
"""Focal points on the web pages: the list (filters, phone numbers only for the roles that may
see them), a new one (in the user's scope, a key given once), an edit and a deactivation,
each audited."""

import datetime as dt

import pytest

from hbmm.accounts.models import AuditEvent
from hbmm.health.ebs.models import FocalPoint
from hbmm.health.ebs.services import focal_point_register
from hbmm.places.models import AdminArea
from tests.health.screening_fixtures import english, focal_point  # noqa: F401

PHONE = "+22376000001"


@pytest.fixture
def points(focal_point):
    focal_point.phone = PHONE
    focal_point.save()
    sikasso = focal_point_register(
        key="CFP-SIK", name="Fanta Coulibaly", area=AdminArea.objects.get(pcode="ML0302")
    )
    return focal_point, sikasso


@pytest.mark.django_db
def test_list_scoped_and_phone_only_for_the_roles_that_may(client, make_user, points):
    client.force_login(make_user("surveillance_officer", areas=["ML01"]))
    page = client.get("/health/signals/focal-points/").content.decode()
    assert "CFP-001" in page and "CFP-SIK" not in page and PHONE in page
    client.force_login(make_user("poe_supervisor", areas=["MLI"]))
    page = client.get("/health/signals/focal-points/").content.decode()
    assert "CFP-001" in page and "CFP-SIK" in page and PHONE not in page
    page = client.get("/health/signals/focal-points/?pcode=ML03").content.decode()
    assert "CFP-001" not in page and "CFP-SIK" in page
    assert client.get("/health/signals/focal-points/new/").status_code == 403


@pytest.mark.django_db
def test_create_edit_deactivate(client, make_user, points):
    officer = make_user("im_officer", areas=["ML01"])
    client.force_login(officer)
    data = {"key": "cfp-002", "name": "Oumar Sidibé", "pcode": "ML0103", "phone": "+22376000002"}
    outside = client.post("/health/signals/focal-points/new/", data | {"pcode": "ML0302"})
    assert "outside your geographic scope" in outside.content.decode()
    again = client.post("/health/signals/focal-points/new/", data | {"key": "CFP-001"})
    assert "A focal point already has this key." in again.content.decode()
    response = client.post("/health/signals/focal-points/new/", data | {"trained_on": "2020-03-02"})
    assert response.status_code == 302
    new = FocalPoint.objects.get(key="CFP-002")
    assert (new.name, new.area.pcode, new.phone, new.trained_on, new.is_active) == (
        "Oumar Sidibé",
        "ML0103",
        "+22376000002",
        dt.date(2020, 3, 2),
        True,
    )
    url = f"/health/signals/focal-points/{new.pk}/"
    client.post(url, {"name": "Oumar Sidibé", "pcode": "ML0103", "phone": "", "trained_on": ""})
    new.refresh_from_db()
    assert (new.phone, new.trained_on) == ("", None)
    assert client.post(url + "active/").status_code == 302
    new.refresh_from_db()
    assert new.is_active is False
    details = [
        e.details
        for e in AuditEvent.objects.filter(target=f"health.focalpoint:{new.pk}").order_by("pk")
    ]
    assert details == [
        {"created": True, "key": "CFP-002"},
        {"edited": True, "fields": ["phone", "trained_on"]},
        {"active": False},
    ]
    assert not any("+2237" in str(d) for d in details)  # no phone number in the audit trail
    sikasso = FocalPoint.objects.get(key="CFP-SIK")
    assert client.get(f"/health/signals/focal-points/{sikasso.pk}/").status_code == 404
