"""Lockout: by account and address, with a much higher ceiling per account; a lock ends on
its own, however often a locked-out person retries; checked on every OpenRosa request too,
the credentials cache included."""

import base64
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.db.models import F
from django.test import Client

from hbmm.accounts.models import AuditEvent

PASSWORD = "correct horse battery"
A, B = "10.0.0.1", "10.0.0.2"


@pytest.fixture
def alice(make_user):
    return make_user("enumerator", username="alice", areas=["MLI"])


def login(client, address, password=PASSWORD, username="alice", **extra):
    return client.post(
        "/accounts/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        **extra,
    )


def fail(client, address, times, **extra):
    for _ in range(times):
        login(client, address, "wrong password", **extra)


@pytest.mark.django_db
def test_failures_from_one_address_do_not_lock_the_account_elsewhere(client, alice):
    fail(client, A, 5)
    assert login(client, A).status_code == 429  # the guesser is stopped
    assert login(client, B).status_code == 302  # the owner, elsewhere, is not


@pytest.mark.django_db
def test_failures_from_many_addresses_lock_the_account_everywhere(client, alice, settings):
    settings.HBMM_LOCKOUT_ACCOUNT_LIMIT = 12
    for n in range(3):
        fail(client, f"10.0.1.{n}", 4)  # under the per-address limit each time
    assert login(client, "10.0.2.1").status_code == 429
    last = AuditEvent.objects.filter(action="login_failed").latest("pk")
    assert last.details["locked_out"] and last.ip_address == "10.0.2.1"


@pytest.mark.django_db
def test_retrying_during_a_lock_does_not_prolong_it(client, alice):
    fail(client, A, 5)

    def wait(minutes):
        AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=minutes))

    wait(20)
    fail(client, A, 3)  # refused, not counted: the lock still ends 30 min after the 5th
    assert login(client, A).status_code == 429
    wait(11)
    assert login(client, A).status_code == 302


@pytest.mark.django_db
def test_lock_behind_a_proxy_uses_the_address_the_proxy_saw(client, alice, settings):
    """Behind one reverse proxy every request comes from 127.0.0.1: without HBMM_PROXY_COUNT
    one guesser would lock everybody out. What the client writes itself is ignored."""
    settings.HBMM_PROXY_COUNT = 1
    for n in range(5):
        login(client, "127.0.0.1", "wrong", HTTP_X_FORWARDED_FOR=f"1.2.3.{n}, {A}")
    assert login(client, "127.0.0.1", HTTP_X_FORWARDED_FOR=A).status_code == 429
    assert login(client, "127.0.0.1", HTTP_X_FORWARDED_FOR=B).status_code == 302
    logins = AuditEvent.objects.filter(action__startswith="login")
    assert set(logins.values_list("ip_address", flat=True)) == {A, B}


def phone(address, password=PASSWORD):
    credentials = base64.b64encode(f"alice:{password}".encode()).decode()
    return Client(
        HTTP_AUTHORIZATION=f"Basic {credentials}",
        HTTP_X_OPENROSA_VERSION="1.0",
        REMOTE_ADDR=address,
    )


@pytest.fixture
def credentials_cache(settings):
    """The OpenRosa credentials cache as in production (the suite runs without a cache)."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.mark.django_db
def test_cached_openrosa_credentials_stop_working_once_locked(client, alice, credentials_cache):
    collect = phone(A)
    assert collect.get("/formList", secure=True).status_code == 200  # checked, then cached
    fail(client, A, 5)
    assert collect.get("/formList", secure=True).status_code == 429
    assert phone(B).get("/formList", secure=True).status_code == 200


@pytest.mark.django_db
def test_openrosa_failures_count_like_web_logins(client, alice):
    for _ in range(5):
        assert phone(A, "wrong").get("/formList", secure=True).status_code in (401, 429)
    assert phone(A).get("/formList", secure=True).status_code == 429
    assert login(client, A).status_code == 429
    assert login(client, B).status_code == 302
