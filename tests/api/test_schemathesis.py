"""Schemathesis against the API with a token: no server error, every response as the committed
schema (docs/openapi.yaml) declares it. Slow (a few minutes): skipped by `make test`, run once by
.ci/run on SQLite (`HBMM_SCHEMATHESIS=1 pytest -m schemathesis tests/api`)."""

import os
from pathlib import Path

import pytest
import schemathesis
from django.contrib.auth.models import Group
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from hbmm.accounts.services import api_token_create

SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"

pytestmark = [
    pytest.mark.schemathesis,
    pytest.mark.skipif(
        not os.environ.get("HBMM_SCHEMATHESIS"), reason="slow: set HBMM_SCHEMATHESIS=1"
    ),
]


@pytest.fixture
def api_schema(db, reference):
    # As Django's test client does: the request's end must not close the test's connection.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield _schema()
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


def _schema():
    schema = schemathesis.openapi.from_path(SCHEMA)
    schema.app = WSGIHandler()
    schema.config.update(base_url="http://testserver")
    return schema


@pytest.fixture
def token(make_user, flows):
    """An information management officer of national scope: every endpoint answers."""
    user = make_user("im_officer", areas=["MLI"])
    user.groups.add(*Group.objects.filter(name__in=["poe_supervisor", "surveillance_officer"]))
    return api_token_create(user=user, name="schemathesis", days=1)[1]


def test_every_operation(api_schema, token):
    """Each operation of the schema, fuzzed (HBMM_SCHEMATHESIS_EXAMPLES cases each, 15 by
    default): every failure is collected, then all are reported."""
    failures = []
    operations = 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=int(os.environ.get("HBMM_SCHEMATHESIS_EXAMPLES", "15")),
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def run(case):
            case.call_and_validate(
                headers={"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"},
                # A schema-valid value may still name nothing (a cursor of no page, a date
                # range the wrong way round): the API answers 400 with the parameter's name.
                excluded_checks=[positive_data_acceptance],
            )

        try:
            run()
        except Exception as exc:  # noqa: BLE001  (collected, reported together below)
            failures.append(f"{operation.verbose_name}: {exc}")
    assert operations >= 20
    assert not failures, "\n\n".join(failures)
