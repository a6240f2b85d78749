"""A token nearing its expiry: its owner is told once by e-mail, in their language, through
the jobs (the periodic step each worker's tick runs), never with the token's secret."""

import datetime as dt

import pytest
from django.core import mail

from hbmm.accounts.models import ApiToken
from hbmm.accounts.services import api_token_create, api_token_revoke
from hbmm.api import tasks
from hbmm.jobs.models import Job
from hbmm.jobs.registry import periodic

pytestmark = pytest.mark.django_db


def _expiring(token: ApiToken, when: dt.datetime) -> ApiToken:
    ApiToken.objects.filter(pk=token.pk).update(expires_at=when)
    token.refresh_from_db()
    return token


def test_a_token_expiring_within_7_days_is_reminded_once(make_user, settings):
    settings.HBMM_API_TOKEN_REMINDER_DAYS = 7
    now = dt.datetime(2026, 12, 6, 8, 0, tzinfo=dt.UTC)
    ana = make_user("viewer", areas=["MLI"], email="ana@example.org", language="en")
    bob = make_user("viewer", areas=["MLI"], email="bob@example.org", language="fr")
    soon, secret = api_token_create(user=ana, name="Power BI", days=30)
    _expiring(soon, now + dt.timedelta(days=6, hours=23))
    later, _ = api_token_create(user=ana, name="R", days=30)
    _expiring(later, now + dt.timedelta(days=7, hours=1))  # not yet
    gone, _ = api_token_create(user=ana, name="old", days=30)
    _expiring(gone, now - dt.timedelta(hours=1))  # expired already: nothing to remind
    revoked, _ = api_token_create(user=bob, name="revoked", days=30)
    api_token_revoke(token=_expiring(revoked, now + dt.timedelta(days=2)), actor=bob)
    french, _ = api_token_create(user=bob, name="Tableau de bord", days=30)
    _expiring(french, now + dt.timedelta(days=1))

    assert tasks.token_reminders_schedule(now=now) == 2
    assert tasks.token_reminders_schedule(now=now) == 0  # claimed: once per token
    assert Job.objects.get(kind="token_reminder").status == "succeeded"
    by_to = {m.to[0]: m for m in mail.outbox}
    assert sorted(by_to) == ["ana@example.org", "bob@example.org"]
    english = by_to["ana@example.org"]
    assert english.subject == "Your HBMM API token “Power BI” expires on 13 December 2026"
    assert f"(key {soon.key_id})" in english.body
    assert f"My account ({settings.BASE_URL}/accounts/me/)" in english.body
    assert secret not in english.body and secret.split("_")[-1] not in english.body
    assert by_to["bob@example.org"].subject == (
        "Votre jeton d’API HBMM «\u202fTableau de bord\u202f» expire le 7 décembre 2026"
    )
    # A week later the other token's turn comes.
    assert tasks.token_reminders_schedule(now=now + dt.timedelta(days=1)) == 1
    assert mail.outbox[-1].subject.startswith("Your HBMM API token “R”")


def test_an_owner_without_e_mail_or_deactivated_is_not_reminded(make_user):
    now = dt.datetime(2026, 12, 6, 8, 0, tzinfo=dt.UTC)
    quiet = make_user("viewer", areas=["MLI"], email="")
    token, _ = api_token_create(user=quiet, name="script", days=30)
    _expiring(token, now + dt.timedelta(days=3))
    assert tasks.token_reminders_schedule(now=now) == 0
    assert not mail.outbox


def test_the_reminder_is_a_periodic_step_of_the_workers():
    assert tasks.token_reminders_schedule in periodic()
