# ruff: noqa: F811  (pytest fixtures imported from tests.health.screening_fixtures)
"""Signal pages and the signal form/XLSForm intake: access per role and scope, triage and
verification from the page, a duplicate merged, bad input errors."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hbmm.health.ebs.intake_mappers import FORM_ID
from hbmm.health.ebs.models import Signal
from hbmm.health.ebs.services import signal_create
from hbmm.intake.process import submissions_process
from hbmm.intake.receive import submission_receive
from hbmm.places.models import AdminArea
from tests.health.screening_fixtures import english, focal_point  # noqa: F401

R0 = dt.datetime(2020, 4, 20, 10, 0, tzinfo=dt.UTC)


def make_signal(focal_point, pcode="ML0103", at=R0):
    return signal_create(
        reporter=focal_point,
        reported_at=at,
        kind="unexplained_deaths",
        area=AdminArea.objects.get(pcode=pcode),
        people_affected=3,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "board", "new"),
    [
        ("surveillance_officer", 200, 200),
        ("poe_supervisor", 200, 200),
        ("im_officer", 200, 200),
        ("programme_manager", 200, 403),
        ("poe_agent", 403, 403),
        ("viewer", 403, 403),
        ("enumerator", 403, 200),
    ],
)
def test_pages_per_role(client, make_user, role, board, new):
    client.force_login(make_user(role, areas=["MLI"]))
    assert client.get(reverse("health:signals_board")).status_code == board
    assert client.get(reverse("health:signal_list")).status_code == board
    assert client.get(reverse("health:signal_new")).status_code == new


@pytest.mark.django_db
def test_signal_in_scope_only_and_actions_need_the_role(client, make_user, focal_point):
    signal = make_signal(focal_point)
    url = reverse("health:signal_detail", args=[signal.pk])
    client.force_login(make_user("surveillance_officer", areas=["ML03"]))
    assert client.get(url).status_code == 404
    client.force_login(make_user("poe_supervisor", areas=["ML01"]))
    assert client.get(url).status_code == 200
    triage = reverse("health:signal_action", args=[signal.pk, "triage"])
    assert client.post(triage, {"decision": "verify"}).status_code == 403


@pytest.mark.django_db
def test_triage_merge_and_verify_from_the_pages(client, make_user, focal_point):
    client.force_login(make_user("surveillance_officer", areas=["ML01"]))
    original = make_signal(focal_point)
    copy = make_signal(focal_point, at=R0 + dt.timedelta(hours=2))
    action = lambda s, name: reverse("health:signal_action", args=[s.pk, name])  # noqa: E731
    client.post(action(original, "triage"), {"decision": "verify", "at": "2020-04-20T11:00"})
    client.post(action(copy, "triage"), {"decision": "duplicate", "duplicate_of": original.pk})
    response = client.post(
        action(original, "verify"),
        {"is_true": "1", "verifier_name": "Dr Diallo", "at": "2020-04-20T09:00"},
    )
    assert any("before the triage" in str(m) for m in response.wsgi_request._messages)
    client.post(
        action(original, "verify"),
        {"is_true": "1", "verifier_name": "Dr Diallo", "at": "2020-04-20T15:00"},
    )
    client.post(
        action(original, "event"),
        {"risk": "very_high", "responsible": "DRS Kayes", "actions": "Investigation"},
    )
    original.refresh_from_db()
    copy.refresh_from_db()
    assert copy.status == "duplicate" and copy.duplicate_of == original
    assert original.status == "verified" and original.event.risk == "very_high"
    page = client.get(reverse("health:signal_detail", args=[original.pk])).content.decode()
    assert copy.reference in page  # the merged report is listed on the original


def _receive(data, submitter=None, instance_id="uuid:sig1"):
    received = submission_receive(
        channel="openrosa",
        form_id=FORM_ID,
        instance_id=instance_id,
        payload=f"<data>{sorted(data.items())}</data>",
        payload_format="xml",
        data=data,
        submitter=submitter,
    )
    submissions_process([received.submission])
    received.submission.refresh_from_db()
    return received.submission


@pytest.mark.django_db
def test_signal_by_xlsform(focal_point, make_user):
    enumerator = make_user("enumerator", areas=["ML01"])
    submission = _receive(
        {
            "reporter": "cfp-001",
            "reported_at": "2020-04-20T10:00:00Z",
            "detected_at": "2020-04-19T18:00:00Z",
            "pcode": "ML0103",
            "location": "14.45 -11.43 0 5",
            "kind": "fever_cough_cluster",
            "description": "Five people with fever in one compound",
            "people_affected": "5",
        },
        submitter=enumerator,
    )
    assert submission.status == "accepted", submission.errors
    signal = Signal.objects.get(submission=submission)
    assert (signal.reporter, signal.area.pcode, signal.people_affected) == (
        focal_point,
        "ML0103",
        5,
    )
    assert str(signal.latitude) == "14.450000" and signal.detected_at.hour == 18


@pytest.mark.django_db
def test_signal_bad_input_is_quarantined_with_reasons(focal_point, make_user):
    enumerator = make_user("enumerator", areas=["ML03"])
    submission = _receive(
        {
            "reporter": "CFP-999",
            "reported_at": "2020-04-20T10:00:00Z",
            "detected_at": "2020-04-21T10:00:00Z",
            "pcode": "ML0103",
            "kind": "aliens",
            "people_affected": "-2",
        },
        submitter=enumerator,
    )
    reasons = {e["field"]: e["message"] for e in submission.errors}
    assert reasons == {
        "reporter": "Unknown focal point key.",
        "detected_at": "The detection cannot be after the report.",
        "pcode": "This area is outside your geographic scope.",
        "kind": "Unknown value; expected one of: sick_traveller, fever_cough_cluster, "
        "unexplained_deaths, animal_deaths, rumour, other.",
        "people_affected": "Must be at least 0.",
    }


@pytest.mark.django_db
def test_signal_web_form(client, make_user, focal_point):
    client.force_login(make_user("surveillance_officer", areas=["ML01"]))
    response = client.post(
        reverse("health:signal_new"),
        {
            "reporter": "CFP-001",
            "reported_at": "2020-04-20T10:00",
            "site": "BCP-DIBOLI",
            "kind": "sick_traveller",
        },
    )
    signal = Signal.objects.get()
    assert response.status_code == 302 and signal.site.code == "BCP-DIBOLI"
    assert signal.submission.channel == "web"


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_board_and_list_query_counts_do_not_grow(client, make_user, focal_point):
    client.force_login(make_user("surveillance_officer", areas=["MLI"]))
    make_signal(focal_point)
    urls = [reverse("health:signals_board"), reverse("health:signal_list")]
    for url in urls:  # warm the per-process caches (content types, sessions) first
        _count(client, url)
    few = [_count(client, u) for u in urls]
    for hours in range(1, 25):
        make_signal(
            focal_point, pcode=("ML0103", "ML0302")[hours % 2], at=R0 + dt.timedelta(hours=hours)
        )
    assert [_count(client, u) for u in urls] == few


@pytest.mark.django_db
def test_board_measures_age_at_the_end_of_the_as_of_date(client, make_user, focal_point):
    """The board's ages count to the end of the page's as-of day, not to now (it showed
    "57 177,0 h" for a signal of 2020); a signal reported after that day is not there yet."""
    make_signal(focal_point, at=R0)  # 20 April 2020, 10:00
    make_signal(focal_point, at=R0 + dt.timedelta(days=3))
    client.force_login(make_user("surveillance_officer", areas=["MLI"]))
    board = client.get(reverse("health:signals_board"), {"as_of": "2020-04-20"}).context["board"]
    assert [row["age_hours"] for row in board["rows"]] == [14.0]
    assert board["overdue"] == 0
    # The date stays chosen for the next page (the session), and the list measures the same way.
    board = client.get(reverse("health:signals_board")).context["board"]
    assert [row["age_hours"] for row in board["rows"]] == [14.0]
    board = client.get(reverse("health:signals_board"), {"as_of": "2020-04-23"}).context["board"]
    assert [row["age_hours"] for row in board["rows"]] == [86.0, 14.0]
    assert board["overdue"] == 1


@pytest.mark.django_db
def test_the_report_gives_the_emergence_as_reported_and_the_verification_replaces_it(
    client, make_user, focal_point
):
    client.force_login(make_user("surveillance_officer", areas=["ML01"]))
    report = {
        "reporter": "CFP-001",
        "reported_at": "2020-04-20T10:00",
        "detected_at": "2020-04-19T18:00",
        "pcode": "ML0103",
        "kind": "unexplained_deaths",
        "emerged_on": "2020-04-20",
    }
    refused = client.post(reverse("health:signal_new"), report).content.decode()
    assert "Say whether the date is the first case&#x27;s or the first sign&#x27;s." in refused
    assert "The emergence cannot be after the detection (2020-04-19)." in refused
    response = client.post(
        reverse("health:signal_new"),
        report | {"emerged_on": "2020-04-16", "emergence_kind": "first_case"},
    )
    signal = Signal.objects.get()
    assert response.status_code == 302
    assert (signal.emerged_on, signal.emergence_kind, signal.emergence_estimated) == (
        dt.date(2020, 4, 16),
        "first_case",
        False,
    )
    client.post(
        reverse("health:signal_action", args=[signal.pk, "triage"]),
        {"decision": "verify", "at": "2020-04-20T11:00"},
    )
    client.post(
        reverse("health:signal_action", args=[signal.pk, "verify"]),
        {
            "is_true": "1",
            "verifier_name": "Dr Diarra",
            "at": "2020-04-20T12:00",
            "emerged_on": "2020-04-12",
            "emergence_kind": "first_sign",
        },
    )
    signal.refresh_from_db()
    assert (signal.status, signal.emerged_on, signal.emergence_kind) == (
        "verified",
        dt.date(2020, 4, 12),
        "first_sign",
    )
    assert signal.emergence_estimated is True
