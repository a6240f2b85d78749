"""Fixtures of the API tests: tokens, and flow counts made through the real intake pipeline."""

import itertools

import pytest
from rest_framework.test import APIClient

from hbmm.accounts.services import api_token_create
from hbmm.intake.process import submissions_process
from hbmm.intake.receive import submission_receive

_ids = itertools.count(1)


@pytest.fixture
def api():
    """api(user=None, token=None) -> an APIClient sending the token (or logged in as user)."""

    def make(*, user=None, token=None):
        client = APIClient()
        if token is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        elif user is not None:
            client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def token_of():
    """token_of(user, read_only=False, days=30) -> the token's text."""

    def make(user, *, read_only=False, days=30, name="test"):
        return api_token_create(user=user, name=name, days=days, read_only=read_only)[1]

    return make


@pytest.fixture
def submit():
    def send(form_id, data, *, user=None, instance_id=None):
        received = submission_receive(
            channel="openrosa",
            form_id=form_id,
            instance_id=instance_id or f"uuid:api-test-{next(_ids)}",
            payload=repr(sorted(data.items())),
            payload_format="xml",
            data={k: str(v) for k, v in data.items()},
            submitter=user,
        )
        submissions_process([received.submission])
        received.submission.refresh_from_db()
        return received.submission

    return send


def flow(day, site, direction, men, women, boys, girls):
    return {
        "observation_date": day,
        "site": site,
        "direction": direction,
        "men": men,
        "women": women,
        "boys": boys,
        "girls": girls,
        "total": men + women + boys + girls,
    }


@pytest.fixture
def flows(submit):
    """Five flow counts: three at Kouremalé (Koulikoro, ML02), two at Zégoua (Sikasso, ML03)."""
    made = [
        submit("flow_count", flow("2020-04-01", "BCP-KOUREMALE", "incoming", 30, 10, 10, 10)),
        submit("flow_count", flow("2020-04-02", "BCP-KOUREMALE", "outgoing", 3, 1, 1, 1)),
        submit("flow_count", flow("2020-04-03", "BCP-KOUREMALE", "incoming", 2, 2, 2, 2)),
        submit("flow_count", flow("2020-04-02", "BCP-ZEGOUA", "outgoing", 20, 10, 5, 5)),
        submit("flow_count", flow("2020-04-04", "BCP-ZEGOUA", "incoming", 1, 1, 1, 1)),
    ]
    assert all(s.status == "accepted" for s in made), [s.status for s in made]
    return made
