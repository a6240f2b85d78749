"""Logging in: username or e-mail, lockout after repeated failures, session expiry."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone, translation

PASSWORD = "correct horse battery"
LOGIN = "/accounts/login/"


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def alice(make_user):
    return make_user("viewer", username="Alice", email="alice@example.org", areas=["MLI"])


def login(client, username, password=PASSWORD):
    return client.post(LOGIN, {"username": username, "password": password})


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["Alice", "alice", "alice@example.org", "ALICE@Example.org"])
def test_login_with_username_or_email(client, alice, typed):
    response = login(client, typed)
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").wsgi_request.user == alice


@pytest.mark.django_db
def test_wrong_password_and_unknown_user_fail_alike(client, alice):
    for typed in ["alice", "nobody", "nobody@example.org"]:
        response = login(client, typed, "wrong password")
        assert response.status_code == 200
        assert "Please enter a correct" in response.content.decode()
        assert not response.wsgi_request.user.is_authenticated


@pytest.mark.django_db
def test_passwords_are_hashed_with_argon2(client, make_user, settings):
    from hbmm import settings as production

    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS  # the suite uses a fast hasher
    user = make_user("viewer", username="fatou", areas=["MLI"])
    assert user.password.startswith("argon2$")
    assert login(client, "fatou").status_code == 302


@pytest.mark.django_db
def test_lockout_after_five_failures(client, alice):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(4):
        assert login(client, "alice", "wrong password").status_code == 200
    fifth = login(client, "alice", "wrong password")
    assert fifth.status_code == 429
    # Even the right password is refused now, and the page says why.
    locked = login(client, "alice")
    assert locked.status_code == 429
    assert "Account locked" in locked.content.decode()
    assert not client.get("/").wsgi_request.user.is_authenticated


@pytest.mark.django_db
def test_lockout_counts_every_spelling_of_the_account(client, alice):
    for typed in ["alice", "ALICE", "Alice", "alice@example.org", "Alice@Example.ORG"]:
        login(client, typed, "wrong password")
    assert login(client, "aLiCe").status_code == 429
    assert login(client, "alice@example.org").status_code == 429


@pytest.mark.django_db
def test_success_resets_the_failure_count(client, alice):
    for _ in range(4):
        login(client, "alice", "wrong password")
    assert login(client, "alice").status_code == 302
    client.post(reverse("accounts:logout"))
    for _ in range(4):
        login(client, "alice", "wrong password")
    assert login(client, "alice").status_code == 302


@pytest.mark.django_db
def test_lockout_of_one_account_does_not_lock_another(client, alice, make_user):
    make_user("viewer", username="bob", areas=["MLI"])
    for _ in range(5):
        login(client, "alice", "wrong password")
    assert login(client, "bob").status_code == 302


@pytest.mark.django_db
def test_session_expires_after_the_configured_age(client, alice):
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    response = login(client, "alice")
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    # A browser-session cookie (gone when the browser closes) ...
    assert cookie["max-age"] == "" and cookie["expires"] == ""
    assert cookie["httponly"]
    # ... whose server-side session ends 8 hours after login.
    session = Session.objects.get(session_key=cookie.value)
    expected = timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert abs((session.expire_date - expected).total_seconds()) < 60
    assert client.get("/").status_code == 200
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


@pytest.mark.django_db
def test_logout_ends_the_session(client, alice):
    login(client, "alice")
    assert client.get("/").status_code == 200
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302 and response["Location"] == LOGIN
    assert client.get("/").status_code == 302
