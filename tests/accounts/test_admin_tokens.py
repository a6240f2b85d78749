"""An administrator creates a token for another user (a ministry system's service account)
from the admin: shown once, stored hashed, audited with who made it for whom; the token reads
the API as its user; staff who are not administrators cannot."""

import re

import pytest
from django.core.exceptions import PermissionDenied

from hbmm.accounts.models import ApiToken, AuditEvent, User
from hbmm.accounts.services import api_token_create, api_token_hash

pytestmark = pytest.mark.django_db

ADD = "/admin/accounts/apitoken/add/"


@pytest.fixture
def admin_user(reference):
    return User.objects.create_superuser("root", "root@example.org", "pw-Not-Used-1")


def test_an_administrator_creates_a_token_for_a_service_account(client, admin_user, make_user):
    service = make_user("viewer", areas=["ML01"], username="ministry-kayes")
    client.force_login(admin_user)
    assert client.get(ADD).status_code == 200
    page = client.post(
        ADD, {"user": service.pk, "name": "Système du ministère", "days": "90", "read_only": "on"}
    )
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    text = re.search(r'<pre id="new-token">([^<]+)</pre>', page.content.decode()).group(1)
    token = ApiToken.objects.get(user=service)
    assert (token.name, token.read_only) == ("Système du ministère", True)
    assert text.startswith(f"hbmm_{token.key_id}_")
    assert token.key_hash == api_token_hash(text.split("_", 2)[2]) and text not in token.key_hash
    event = AuditEvent.objects.get(target=f"accounts.apitoken:{token.pk}")
    assert event.actor == admin_user
    assert event.details["user"] == "ministry-kayes" and event.details["token"] == "created"
    me = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {text}")
    assert me.status_code == 200 and me.json()["username"] == "ministry-kayes"
    # Shown once: the token's page never shows it again.
    assert text not in client.get(f"/admin/accounts/apitoken/{token.pk}/change/").content.decode()


def test_staff_who_are_not_administrators_cannot(client, make_user):
    staff = make_user("im_officer", areas=["MLI"], username="staffer")
    staff.is_staff = True
    staff.save()
    client.force_login(staff)
    assert client.get(ADD).status_code == 403
    other = make_user("viewer", areas=["MLI"], username="someone")
    with pytest.raises(PermissionDenied):
        api_token_create(user=other, name="x", days=5, by=staff)
    assert not ApiToken.objects.filter(user=other).exists()


def test_a_bad_number_of_days_is_named(client, admin_user, make_user):
    service = make_user("viewer", areas=["ML01"], username="svc")
    client.force_login(admin_user)
    page = client.post(ADD, {"user": service.pk, "name": "x", "days": "400"})
    assert page.status_code == 200 and "days" in page.content.decode()
    assert not ApiToken.objects.exists()
