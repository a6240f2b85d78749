"""Shared fixtures: the shipped reference data, and users with a role and a scope."""

import io
import os

import pytest
from django.contrib.auth.models import Group
from django.utils import translation
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from hbmm.accounts.models import User
from hbmm.accounts.services import roles_sync, user_scope_set
from hbmm.places.models import AdminArea, Site
from hbmm.places.services import reference_load

# Hypothesis (tests/fuzz): a few examples per parser in the default run, many more when
# HYPOTHESIS_PROFILE=long (.ci/run runs the fuzz tests so once, on SQLite). No example
# database in the worktree; examples run inside the test's transaction (function fixtures).
# The suite and CI draw the same examples every run (derandomize: a run that lands cannot be
# refused by a new random draw); HYPOTHESIS_PROFILE=explore draws new ones, many of them, to
# look for what the fixed ones miss (the long profile's random draws found the Infinity bug).
_FUZZ_COMMON = {
    "deadline": None,
    "database": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}
hypothesis_settings.register_profile("default", max_examples=12, derandomize=True, **_FUZZ_COMMON)
hypothesis_settings.register_profile("long", max_examples=200, derandomize=True, **_FUZZ_COMMON)
hypothesis_settings.register_profile("explore", max_examples=1000, **_FUZZ_COMMON)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(autouse=True)
def english_outside_requests(settings):
    """Code run outside a request (services, mappers, commands) and stored quarantine reasons
    speak English in tests, whatever a previous test activated; requests still choose their
    language (French by default)."""
    settings.HBMM_DATA_LANGUAGE = "en"
    with translation.override("en"):
        yield


def _reference_load() -> None:
    reference_load()
    roles_sync()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The reference data are loaded once per session, into the test database itself: every
    test runs inside a transaction rolled back at its end, so each sees them and none keeps
    its changes. (Loading them for each test took half the suite's time.)"""
    with django_db_blocker.unblock():
        _reference_load()


@pytest.fixture
def reference(db):
    """Countries, Mali's P-codes, site kinds, the shipped sites and the roles.

    Loaded once per session (see `django_db_setup`); a transactional test (`transactional_db`,
    `live_server`) empties the database when it ends, so the next one loads them again here.
    pytest-django runs those tests after all the others."""
    if not AdminArea.objects.exists():
        _reference_load()
    return io.StringIO()


@pytest.fixture
def area(reference):
    return lambda pcode: AdminArea.objects.get(pcode=pcode)


@pytest.fixture
def site(reference):
    return lambda code: Site.objects.get(code=code)


@pytest.fixture
def make_user(reference):
    """make_user("poe_agent", areas=["ML01"], sites=["BCP-DIBOLI"]) -> a user with that role and scope."""
    counter = {"n": 0}

    def make(
        role: str | None = None, *, areas=(), sites=(), password="correct horse battery", **extra
    ):
        counter["n"] += 1
        username = extra.pop("username", f"{role or 'user'}{counter['n']}")
        user = User.objects.create_user(username=username, password=password, **extra)
        if role:
            user.groups.add(Group.objects.get(name=role))
        user_scope_set(
            user=user,
            areas=[AdminArea.objects.get(pcode=p) for p in areas],
            sites=[Site.objects.get(code=c) for c in sites],
        )
        return User.objects.get(pk=user.pk)  # fresh: no cached permissions or scope

    return make


@pytest.fixture(autouse=True)
def _plain_static_files(settings):
    """Templates find static files without `collectstatic` (as `make test` sets it up)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 is slow by design (and uses 100 MB per hash): tests hash with MD5, except those
    that ask for the real hashers (see tests/accounts/test_auth.py)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _tasks_run_inline(settings):
    """Background jobs run at once, in the test's transaction (Django's ImmediateBackend);
    tests/jobs/ run them on the database and RQ backends with real worker processes."""
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": [settings.HBMM_TASKS_QUEUE],
        }
    }


@pytest.fixture(autouse=True)
def _no_cache(settings):
    """No cache in tests: nothing carries over from one test to the next, and no entry expires
    in the middle of a query count (pages cache whether demo data is loaded for a minute)."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
