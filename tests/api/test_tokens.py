"""Personal access tokens: shown once, stored hashed, expiring, revocable, read-only, audited,
and every use recorded."""

import base64
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from hbmm.accounts.models import ApiToken, AuditEvent
from hbmm.accounts.services import api_token_create, api_token_hash, api_token_revoke

pytestmark = pytest.mark.django_db


def test_a_token_is_stored_as_a_hash_only(make_user):
    user = make_user("viewer", areas=["MLI"])
    token, text = api_token_create(user=user, name="Power BI", days=30)
    assert text.startswith("hbmm_")
    secret = text[len("hbmm_") :].partition("_")[2]  # the key id is hex, the secret may hold "_"
    row = ApiToken.objects.get(pk=token.pk)
    assert row.key_hash == api_token_hash(secret)
    assert secret not in str(ApiToken.objects.filter(pk=token.pk).values().get())
    assert AuditEvent.objects.filter(target=f"accounts.apitoken:{token.pk}").count() == 1
    assert secret not in str(AuditEvent.objects.get(target=f"accounts.apitoken:{token.pk}").details)


def test_a_token_authenticates_and_records_its_use(make_user, api):
    user = make_user("viewer", areas=["MLI"])
    token, text = api_token_create(user=user, name="R", days=30)
    response = api(token=text).get("/api/v1/me/", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    assert response.json()["username"] == user.username
    assert response.json()["token"]["name"] == "R"
    token.refresh_from_db()
    assert token.last_used_ip == "10.1.2.3"
    assert token.last_used_at is not None


@pytest.mark.parametrize(
    "header",
    ["Bearer hbmm_nope_nope", "Bearer garbage", "Bearer", "Token hbmm_a_b c"],
)
def test_a_bad_token_is_401(make_user, api, header):
    client = api()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert client.get("/api/v1/me/").status_code == 401


def test_a_wrong_secret_of_a_known_key_is_refused(make_user, api):
    user = make_user("viewer", areas=["MLI"])
    _token, text = api_token_create(user=user, name="x", days=1)
    forged = f"hbmm_{_token.key_id}_" + "A" * 43
    assert api(token=forged).get("/api/v1/me/").status_code == 401


def test_expired_revoked_and_deactivated_tokens_are_refused(make_user, api):
    user = make_user("viewer", areas=["MLI"])
    expired, expired_text = api_token_create(user=user, name="old", days=1)
    ApiToken.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert api(token=expired_text).get("/api/v1/me/").status_code == 401

    revoked, revoked_text = api_token_create(user=user, name="gone", days=1)
    assert api(token=revoked_text).get("/api/v1/me/").status_code == 200
    api_token_revoke(token=revoked, actor=user)
    api_token_revoke(token=revoked, actor=user)  # twice: nothing more
    assert api(token=revoked_text).get("/api/v1/me/").status_code == 401
    assert AuditEvent.objects.filter(target=f"accounts.apitoken:{revoked.pk}").count() == 2

    _live, live_text = api_token_create(user=user, name="live", days=1)
    user.is_active = False
    user.save()
    assert api(token=live_text).get("/api/v1/me/").status_code == 401


def test_only_its_user_or_a_superuser_revokes_a_token(make_user):
    owner = make_user("viewer", areas=["MLI"])
    other = make_user("im_officer", areas=["MLI"])
    admin = make_user(None, is_superuser=True)
    token, _text = api_token_create(user=owner, name="x", days=5)
    with pytest.raises(PermissionDenied):
        api_token_revoke(token=token, actor=other)
    api_token_revoke(token=token, actor=admin)
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


@pytest.mark.parametrize("days", [0, 367, -1])
def test_an_expiry_out_of_bounds_is_refused(make_user, days):
    with pytest.raises(ValidationError) as error:
        api_token_create(user=make_user("viewer"), name="x", days=days)
    assert "days" in error.value.message_dict


def test_a_token_needs_a_name(make_user):
    with pytest.raises(ValidationError) as error:
        api_token_create(user=make_user("viewer"), name="  ", days=3)
    assert "name" in error.value.message_dict


def test_a_read_only_token_cannot_write(make_user, api, token_of):
    user = make_user("im_officer", areas=["MLI"])
    text = token_of(user, read_only=True)
    response = api(token=text).post("/api/v1/me/", {})
    assert response.status_code == 403
    assert api(token=text).get("/api/v1/me/").status_code == 200


def test_no_credentials_is_401_and_basic_auth_is_not_offered(client, make_user):
    make_user("viewer", username="basic", password="correct horse battery")
    assert client.get("/api/v1/me/").status_code in (401, 403)
    basic = base64.b64encode(b"basic:correct horse battery").decode()
    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Basic {basic}")
    assert response.status_code in (401, 403)


def test_my_account_creates_a_token_shown_once_and_revokes_it(client, make_user, api):
    user = make_user("viewer", areas=["MLI"])
    client.force_login(user)
    response = client.post("/accounts/me/tokens/", {"name": "Excel", "days": "30"})
    assert response.status_code == 200
    text = response.context["new_token"]
    assert text.startswith("hbmm_") and text in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    assert text not in client.get("/accounts/me/").content.decode()
    token = ApiToken.objects.get(user=user)
    assert token.read_only is False
    assert api(token=text).get("/api/v1/me/").status_code == 200
    other = make_user("viewer", areas=["MLI"])
    client.force_login(other)
    assert client.post(f"/accounts/me/tokens/{token.pk}/revoke/").status_code == 404
    client.force_login(user)
    assert client.post(f"/accounts/me/tokens/{token.pk}/revoke/").status_code == 302
    assert api(token=text).get("/api/v1/me/").status_code == 401
    response = client.post("/accounts/me/tokens/", {"name": "", "days": "999"})
    assert response.status_code == 200 and not response.context["new_token"]
    assert set(response.context["token_form"].errors) == {"name", "days"}


def test_each_token_has_its_own_throttle(make_user, api, token_of, settings, monkeypatch):
    from hbmm.accounts.api_auth import TokenRateThrottle

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"token": "2/min"})
    user = make_user("viewer", areas=["MLI"])
    first, second = api(token=token_of(user)), api(token=token_of(user))
    assert [first.get("/api/v1/me/").status_code for _ in range(3)] == [200, 200, 429]
    assert second.get("/api/v1/me/").status_code == 200  # another token: its own count
