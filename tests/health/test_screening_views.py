# ruff: noqa: F811  (pytest fixtures imported from tests.health.screening_fixtures)
"""Screening pages: role and scope access (403 / 404), identifiers shown only to the roles
that need them and audited, the web form through the pipeline, workflow actions, query counts."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hbmm.accounts.models import AuditEvent
from hbmm.health.screening.models import Screening
from tests.health.screening_fixtures import T0, english, facilities, fever_cough, healthy, screen  # noqa: F401

PASSWORD = "correct horse battery"


def client_for(client, user):
    client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "dashboard", "records"),
    [
        ("poe_agent", 200, 200),
        ("poe_supervisor", 200, 200),
        ("surveillance_officer", 200, 200),
        ("im_officer", 200, 200),
        ("programme_manager", 200, 403),
        ("viewer", 200, 403),
        ("enumerator", 403, 403),
        ("protection_officer", 403, 403),
    ],
)
def test_pages_per_role(client, make_user, role, dashboard, records):
    client.force_login(make_user(role, areas=["MLI"]))
    assert client.get(reverse("health:screening_dashboard")).status_code == dashboard
    assert client.get(reverse("health:screening_list")).status_code == records


@pytest.mark.django_db
def test_record_outside_scope_is_404(client, screen, make_user):
    s = screen("BCP-GOGUI", **healthy())
    client.force_login(make_user("poe_agent", sites=["BCP-DIBOLI"]))
    assert client.get(reverse("health:screening_detail", args=[s.pk])).status_code == 404
    response = client.post(reverse("health:screening_action", args=[s.pk, "isolate"]))
    assert response.status_code == 404
    client.force_login(make_user("poe_supervisor", areas=["ML01"]))
    assert client.get(reverse("health:screening_detail", args=[s.pk])).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("poe_agent", True),
        ("poe_supervisor", True),
        ("surveillance_officer", True),
        ("im_officer", False),
    ],
)
def test_identifiers_visible_only_to_roles_that_need_them(client, screen, make_user, role, allowed):
    s = screen(name="Kadiatou Bah", phone="+22365000000", document_number="GN778")
    client.force_login(make_user(role, areas=["ML01"]))
    url = reverse("health:screening_detail", args=[s.pk])
    page = client.get(url).content.decode()
    assert "Kadiatou" not in page  # never without asking
    response = client.get(url + "?identifiers=1")
    reads = AuditEvent.objects.filter(action="read_protected", target=f"health.screening:{s.pk}")
    if allowed:
        assert response.status_code == 200 and "Kadiatou Bah" in response.content.decode()
        assert reads.count() == 1
    else:
        assert response.status_code == 403 and reads.count() == 0


@pytest.mark.django_db
def test_web_form_goes_through_the_pipeline(client, make_user):
    agent = make_user("poe_agent", sites=["BCP-DIBOLI"])
    client.force_login(agent)
    data = {
        "point": "BCP-DIBOLI",
        "screened_at": "2020-04-14T09:15",
        "traveller_name": "Ibrahim Touré",
        "sex": "male",
        "age": "29",
        "temperature": "38.3",
        "symptoms": ["cough", "fatigue"],
        "contact_sick": "no",
    }
    response = client.post(reverse("health:screening_new"), data)
    s = Screening.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "health:screening_detail", args=[s.pk]
    )
    assert s.submission.channel == "web" and s.submission.submitter == agent
    assert s.is_suspect and s.symptoms == ["cough", "fatigue"] and s.name == "Ibrahim Touré"


@pytest.mark.django_db
def test_web_form_shows_clear_errors_and_stores_nothing(client, make_user):
    client.force_login(make_user("poe_agent", sites=["BCP-DIBOLI"]))
    response = client.post(
        reverse("health:screening_new"),
        {
            "point": "BCP-DIBOLI",
            "screened_at": "2099-01-01T10:00",
            "age": "150",
            "temperature": "47",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "The time is in the future." in page
    assert "Must be at most 120." in page and "Must be at most 45." in page
    assert Screening.objects.count() == 0


@pytest.mark.django_db
def test_workflow_actions_from_the_page(client, screen, make_user, facilities):
    s = screen(**fever_cough())
    officer = make_user("surveillance_officer", areas=["ML01"])
    client.force_login(officer)
    url = lambda action: reverse("health:screening_action", args=[s.pk, action])  # noqa: E731
    client.post(url("isolate"), {"at": "2020-04-14T08:20"})
    client.post(url("notify"), {"at": "2020-04-14T08:40"})
    response = client.post(
        url("refer"),
        {"facility": facilities["hospital"].pk, "transport": "ambulance", "at": "2020-04-14T08:30"},
    )
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("before the notification" in m for m in messages)
    client.post(
        url("refer"),
        {"facility": facilities["hospital"].pk, "transport": "ambulance", "at": "2020-04-14T10:00"},
    )
    s.refresh_from_db()
    assert s.isolated_at == T0 + dt.timedelta(minutes=20)
    assert s.referred_at == T0 + dt.timedelta(hours=2) and s.referral_facility.code == "HF-KAYES"
    viewer = make_user("im_officer", areas=["MLI"])
    client.force_login(viewer)
    assert client.post(url("sample"), {"lab": facilities["lab"].pk}).status_code == 403


@pytest.mark.django_db
def test_decision_override_from_the_page_is_audited(client, screen, make_user):
    s = screen(**healthy())
    client.force_login(make_user("poe_agent", sites=["BCP-DIBOLI"]))
    url = reverse("health:screening_action", args=[s.pk, "decide"])
    client.post(url, {"decision": "suspect", "reason": ""})
    s.refresh_from_db()
    assert not s.is_suspect
    client.post(url, {"decision": "suspect", "reason": "Coughing blood"})
    s.refresh_from_db()
    assert s.is_suspect and AuditEvent.objects.filter(action="override").count() == 1


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_list_and_dashboard_query_counts_do_not_grow(client, screen, make_user):
    client.force_login(make_user("im_officer", areas=["MLI"]))
    screen(**fever_cough())
    urls = [
        reverse("health:screening_list"),
        reverse("health:screening_dashboard"),
        "/reports/drilldown/health.screenings/?start=2020-04-01",  # the figures' records
    ]
    few = {url: _queries(client, url) for url in urls}
    for hours in range(1, 30):
        code = ("BCP-DIBOLI", "BCP-GOGUI", "BCP-SONA")[hours % 3]
        screen(code, T0 + dt.timedelta(hours=hours), **(fever_cough() if hours % 4 else healthy()))
    many = {url: _queries(client, url) for url in urls}
    assert many == few
    listed = client.get(urls[2])
    assert listed.context["page"].paginator.count == 30


@pytest.mark.django_db
def test_list_reads_in_french(client, screen, make_user, settings):
    """Steps and age groups as words of the page's language, never their codes ('screened')."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    screen(**healthy())
    screen("BCP-GOGUI", T0 + dt.timedelta(hours=1), **fever_cough())
    client.force_login(make_user("im_officer", areas=["MLI"]))
    page = client.get(reverse("health:screening_list")).content.decode()
    assert "<th>Fiche</th>" in page and "Enregistrer" not in page
    assert "<td>dépisté</td>" in page and "<td>screened</td>" not in page
