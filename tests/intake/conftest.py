"""Fixtures for the intake tests: a probe mapper standing in for a domain's mapper, and an
ODK Collect-like client."""

import base64
import datetime as dt

import pytest
from django.test import Client

from hbmm.intake import mappers
from hbmm.intake.cleaning import clean_choice, clean_date, clean_int, clean_site
from hbmm.intake.mappers import FieldError, Mapper, MappingError
from hbmm.intake.models import Submission

PASSWORD = "correct horse battery"


class HttpsClient(Client):
    """A test client whose every request is HTTPS, as ODK Collect's to a production server
    (Basic credentials over plain HTTP are refused)."""

    def generic(self, method, path, *args, secure=True, **kwargs):
        return super().generic(method, path, *args, secure=True, **kwargs)


class ProbeMapper(Mapper):
    """Maps flow_count submissions like a domain mapper would, and keeps what it saved in
    memory (the mobility app's FlowCount model is not part of the intake app)."""

    form_id = "flow_count"
    model = Submission
    permission = "intake.submit_data"
    aliases = {"observation_date": ("date", "date_observation"), "men": ("hommes",)}
    saved: list

    def __init__(self):
        self.saved = []

    def clean(self, data, *, submitter, lookups):
        errors: list[FieldError] = []
        site = clean_site(data, "site", errors, lookups, submitter=submitter)
        day = clean_date(data, "observation_date", errors, required=True, not_future=True)
        direction = clean_choice(
            data, "direction", errors, ["incoming", "outgoing", "internal"], required=True
        )
        counts = {
            name: clean_int(data, name, errors, required=True, minimum=0)
            for name in ("men", "women", "boys", "girls")
        }
        if errors:
            raise MappingError(errors)
        return {"site": site, "observation_date": day, "direction": direction, **counts}

    def save(self, items):
        for item in items:
            self.saved.append(
                {
                    "instance_id": item.submission.instance_id,
                    "site": item.cleaned["site"].code,
                    **{k: v for k, v in item.cleaned.items() if k != "site"},
                    "replaces": [s.instance_id for s in item.existing],
                }
            )

    def records_for(self, submission):
        return Submission.objects.filter(pk=submission.pk)


@pytest.fixture
def probe(reference):
    previous = mappers.get_mapper("flow_count")
    probe = ProbeMapper()
    mappers.register(probe)
    yield probe
    mappers.unregister("flow_count")
    if previous is not None:
        mappers.register(previous)


def basic(username: str, password: str = PASSWORD) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


@pytest.fixture
def collect():
    """collect(user) -> a Django test client sending Basic credentials and OpenRosa headers
    on every request, as ODK Collect does once it has been challenged."""

    def make(user, password=PASSWORD, language="en"):
        return HttpsClient(
            HTTP_AUTHORIZATION=basic(user.get_username(), password),
            HTTP_X_OPENROSA_VERSION="1.0",
            HTTP_ACCEPT_LANGUAGE=language,
            HTTP_DATE="Thu, 30 Apr 2020 10:00:00 GMT",
        )

    return make


def flow_xml(
    instance_id: str,
    *,
    site="BCP-GOGUI",
    day="2020-04-28",
    men=3,
    women=2,
    boys=1,
    girls=0,
    deprecated_id="",
    version="2020050101",
    grouped=True,
    form_id="flow_count",
) -> bytes:
    """A flow_count instance as ODK Collect writes it (counts inside the `travellers` group in
    v2020050101; at the top level with grouped=False, as an older version had them)."""
    counts = f"<men>{men}</men><women>{women}</women><boys>{boys}</boys><girls>{girls}</girls>"
    body = f"<travellers>{counts}</travellers>" if grouped else counts
    deprecated = f"<deprecatedID>{deprecated_id}</deprecatedID>" if deprecated_id else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<data xmlns:jr="http://openrosa.org/javarosa" xmlns:orx="http://openrosa.org/xforms" '
        f'id="{form_id}" version="{version}">'
        "<start>2020-04-28T08:00:00.000Z</start><deviceid>collect:abc123</deviceid>"
        f"<observation_date>{day}</observation_date><site>{site}</site>"
        f"<direction>incoming</direction><observation_hours>24</observation_hours>{body}"
        f"<journey><nationality>MLI</nationality></journey>"
        f"<meta><instanceID>{instance_id}</instanceID>{deprecated}</meta></data>"
    ).encode()


TODAY = dt.date(2020, 4, 30)


def receive_processed(
    form_id: str,
    data: dict,
    *,
    instance_id: str,
    payload=None,
    submitter=None,
    channel="openrosa",
    deprecated_id="",
) -> Submission:
    """A submission stored (services.submission_receive) then processed, as it is after."""
    from hbmm.intake.process import submissions_process
    from hbmm.intake.receive import submission_receive

    submission = submission_receive(
        channel=channel,
        form_id=form_id,
        instance_id=instance_id,
        deprecated_id=deprecated_id,
        payload=payload or f"<data>{sorted(data.items())}</data>",
        payload_format="xml",
        data=data,
        submitter=submitter,
    ).submission
    submissions_process([submission])
    submission.refresh_from_db()
    return submission


@pytest.fixture(autouse=True)
def _reasons_in_the_deployment_language(settings):
    """The intake tests check reasons as a Malian deployment stores them: in French."""
    settings.HBMM_DATA_LANGUAGE = "fr"
