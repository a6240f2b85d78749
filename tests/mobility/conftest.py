"""Fixtures of the mobility tests: records are made through the real intake pipeline."""

import itertools

import pytest
from django.utils import translation

from hbmm.intake.process import submissions_process
from hbmm.intake.receive import submission_receive
from hbmm.places.services import site_registry_import

_ids = itertools.count(1)


@pytest.fixture(autouse=True)
def _english(settings):
    """Messages in English (the source strings), including the quarantine reasons, which
    intake stores in the deployment's language."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def mobility_sites(reference):
    """Two MRRCs, an IDP site in Bamako and a flow monitoring point closed since 2019."""
    site_registry_import(
        rows=[
            (
                2,
                {
                    "code": "MRRC-BAMAKO",
                    "name_fr": "CRRM Bamako",
                    "kinds": "mrrc",
                    "pcode": "ML0901",
                },
            ),
            (3, {"code": "MRRC-GAO", "name_fr": "CRRM Gao", "kinds": "mrrc", "pcode": "ML0703"}),
            (
                4,
                {
                    "code": "IDP-FALADIE",
                    "name_fr": "Faladié",
                    "kinds": "idp_site",
                    "pcode": "ML0901",
                },
            ),
            (
                5,
                {
                    "code": "FMP-OLD",
                    "name_fr": "Ancien point",
                    "kinds": "fmp",
                    "pcode": "ML0103",
                    "active_to": "2019-12-31",
                },
            ),
        ]
    )


@pytest.fixture
def submit():
    """submit("flow_count", {...}, user=None, instance_id=None, deprecated_id="") -> Submission
    (received and processed: accepted or quarantined)."""

    def send(form_id, data, *, user=None, instance_id=None, deprecated_id=""):
        received = submission_receive(
            channel="openrosa",
            form_id=form_id,
            instance_id=instance_id or f"uuid:test-{next(_ids)}",
            deprecated_id=deprecated_id,
            payload=repr(sorted(data.items())),
            payload_format="xml",
            data={k: str(v) for k, v in data.items()},
            submitter=user,
        )
        submissions_process([received.submission])
        received.submission.refresh_from_db()
        return received.submission

    return send


def flow(day, site, direction, men, women, boys, girls, **extra):
    """A flow_count form's fields, as the XLSForm names them."""
    return {
        "observation_date": day,
        "site": site,
        "direction": direction,
        "men": men,
        "women": women,
        "boys": boys,
        "girls": girls,
        "total": men + women + boys + girls,
        **extra,
    }
