"""Feedback pages against every role (403 outside the role, 404 outside the scope), the text
shown only to readers of personal data (each read audited) or once publishable, and the coding
workflow posted from an entry's page, in French and English."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hbmm.accounts.models import AuditEvent
from hbmm.accounts.roles import role_definitions
from hbmm.accounts.scope import EVERYTHING
from hbmm.feedback import figures
from hbmm.feedback.models import Feedback
from hbmm.feedback.services import feedback_code, feedback_publishable_set
from tests.feedback.conftest import R0, H

pytestmark = pytest.mark.django_db
SAID = "Le virus vient des migrants du camp."

# role: (overview, log, entry in scope, entry out of scope, post a coding)
EXPECTED = {
    "admin": (200, 200, 200, 404, 302),
    "im_officer": (200, 200, 200, 404, 302),
    "surveillance_officer": (200, 200, 200, 404, 302),
    "poe_supervisor": (200, 200, 200, 404, 403),
    "protection_officer": (200, 200, 200, 404, 403),
    "programme_manager": (200, 200, 200, 404, 403),
    "viewer": (200, 200, 200, 404, 403),
    "poe_agent": (403, 403, 403, 403, 403),
    "enumerator": (403, 403, 403, 403, 403),
    "logistics_officer": (403, 403, 403, 403, 403),
    "partner": (403, 403, 403, 403, 403),
    "protection_supervisor": (403, 403, 403, 403, 403),
    "gbv_officer": (403, 403, 403, 403, 403),
    "service_focal_point": (403, 403, 403, 403, 403),
    None: (403, 403, 403, 403, 403),
}


def test_every_role_is_covered():
    assert set(EXPECTED) - {None} == set(role_definitions())


@pytest.mark.parametrize("role", list(EXPECTED), ids=str)
def test_access_matrix(client, make_user, log_entry, role):
    kayes = log_entry(R0, text=SAID, kind="rumour", topic="stigma")
    gao = log_entry(R0, pcode="ML07")
    client.force_login(make_user(role, areas=["ML01"]))
    codes = (
        client.get(reverse("feedback:index")).status_code,
        client.get(reverse("feedback:table")).status_code,
        client.get(reverse("feedback:detail", args=[kayes.pk])).status_code,
        client.get(reverse("feedback:detail", args=[gao.pk])).status_code,
        client.post(
            reverse("feedback:action", args=[kayes.pk, "code"]),
            {"kind": "question", "topic": "prevention", "sensitivity": "normal"},
        ).status_code,
    )
    assert codes == EXPECTED[role]
    assert Feedback.objects.get(pk=kayes.pk).kind == ("question" if codes[4] == 302 else "rumour")
    assert client.get(reverse("feedback:action", args=[kayes.pk, "code"])).status_code == 405


def test_text_shown_to_readers_of_personal_data_and_audited(client, make_user, log_entry):
    entry = log_entry(R0, text=SAID, kind="rumour", topic="stigma")
    url = reverse("feedback:detail", args=[entry.pk])
    viewer = make_user("viewer", areas=["MLI"])
    client.force_login(viewer)
    page = client.get(url).content.decode()
    assert SAID not in page and "Donnée personnelle" in page
    assert not AuditEvent.objects.filter(action="read_protected").exists()
    officer = make_user("surveillance_officer", areas=["MLI"])
    client.force_login(officer)
    assert SAID in client.get(url).content.decode()
    read = AuditEvent.objects.get(action="read_protected")
    assert (read.actor, read.target, read.details) == (
        officer,
        f"feedback.feedback:{entry.pk}",
        {"fields": ["text"]},
    )
    feedback_publishable_set(
        feedback=entry, by=make_user("im_officer", areas=["MLI"]), publishable=True
    )
    client.force_login(viewer)
    assert SAID in client.get(url).content.decode()
    assert AuditEvent.objects.filter(action="read_protected").count() == 1  # public: not a read


def test_coding_workflow_from_the_page(client, make_user, log_entry):
    entry = log_entry(R0)
    client.force_login(make_user("im_officer", areas=["MLI"]))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    action = lambda name: reverse("feedback:action", args=[entry.pk, name])  # noqa: E731
    response = client.post(action("answer"), {"answer": "Non."}, follow=True)
    assert "Code the entry (type and topic) first." in response.content.decode()
    client.post(action("code"), {"kind": "rumour", "topic": "stigma", "sensitivity": "normal"})
    client.post(action("refer"), {"to": "DRS Kayes"})
    client.post(action("answer"), {"answer": "Tout le monde peut l'attraper.", "responder": ""})
    response = client.post(action("refer"), {"to": "again"}, follow=True)
    assert "An entry that is answered cannot become referred." in response.content.decode()
    client.post(action("review"), {"publishable": "on"})
    client.post(action("close"))
    entry.refresh_from_db()
    assert (entry.status, entry.kind, entry.referred_to, entry.publishable) == (
        "closed",
        "rumour",
        "DRS Kayes",
        True,
    )
    assert client.post(action("delete")).status_code == 404


def test_overview_page_in_french_and_english(client, make_user, log_entry):
    log_entry(R0, kind="rumour", topic="stigma")
    log_entry(R0, kind="rumour", topic="border_closure")
    entry = log_entry(R0, kind="rumour", topic="stigma", text=SAID)
    feedback_code(feedback=entry, by=None, kind="rumour", topic="stigma", at=R0 + H)
    client.force_login(make_user("programme_manager", areas=["MLI"]))
    french = client.get(reverse("feedback:index"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Principales rumeurs" in french and "migrants et stigmatisation" in french
    assert "2 sur 3 rumeurs (67\u202f%)" in french
    assert SAID not in french
    english = client.get(reverse("feedback:index"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Top rumours" in english and "2 of 3 rumours (67%)" in english
    assert 'id="feedback-weekly-spec"' in english
    bad = client.get(reverse("feedback:index"), {"start": "2020-05-01", "end": "2020-04-01"})
    assert bad.status_code == 200


@pytest.mark.parametrize("page", ["feedback:index", "feedback:table"])
def test_query_count_does_not_grow_with_rows(client, make_user, log_entry, page):
    client.force_login(make_user("im_officer", areas=["MLI"]))
    log_entry(R0, kind="rumour", topic="stigma", site="BCP-DIBOLI")
    url = reverse(page)
    client.get(url)  # warm the session and the permission cache
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for hour in range(1, 30):
        log_entry(
            R0 + hour * H,
            kind=["rumour", "question", "complaint"][hour % 3],
            topic=["stigma", "services", "border_closure", "symptoms"][hour % 4],
            **({"site": "BCP-KOUREMALE"} if hour % 2 else {"pcode": "ML0701"}),
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200
    assert len(many) == len(one), [q["sql"] for q in many.captured_queries]


def test_drilldowns_list_exactly_the_records_counted(client, make_user, log_entry):
    log_entry(R0, kind="rumour", topic="stigma")
    log_entry(R0 + H, kind="rumour", topic="stigma", pcode="ML07")
    log_entry(R0 + 2 * H, kind="rumour", topic="border_closure")
    log_entry(R0 + 3 * H, kind="question", topic="symptoms")
    log_entry(R0 + 30 * 24 * H, kind="rumour", topic="stigma")  # outside the period
    start, end = R0.date(), R0.date() + dt.timedelta(days=6)
    client.force_login(make_user("viewer", areas=["MLI"]))
    period = figures.feedback_period(scope=EVERYTHING, start=start, end=end)
    rumours = figures.top_rumours(scope=EVERYTHING, start=start, end=end)
    for figure in (period.received, period.rumours, period.pending, *rumours):
        response = client.get(figure.drilldown.url())
        assert response.status_code == 200
        assert response.context["page"].paginator.count == figure.value, figure.key


def test_hotline_operator_logs_an_entry_through_the_pipeline(client, make_user):
    operator = make_user("enumerator", areas=["ML01"])
    client.force_login(operator)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    url = reverse("feedback:new")
    assert client.get(url).status_code == 200
    values = {
        "received_at": "2020-04-20T09:30",
        "channel": "hotline",
        "pcode": "ML0103",
        "source_type": "migrant",
        "text": SAID,
        "kind": "rumour",
        "topic": "stigma",
        "sensitivity": "normal",
    }
    refused = client.post(url, {**values, "pcode": "ML0701", "source_name": "Awa"})
    errors = refused.context["form"].errors
    assert errors["pcode"] == ["This area is outside your geographic scope."]
    assert errors["source_name"] == ["A name is kept only when the person consented to give it."]
    assert Feedback.objects.count() == 0
    response = client.post(url, values)
    assert response.status_code == 302 and response["Location"] == url  # cannot view the log
    entry = Feedback.objects.get()
    assert (entry.text, entry.area.pcode, entry.submission.channel) == (SAID, "ML0103", "web")
    assert entry.is_coded and entry.coded_by == operator
    assert entry.submission.payload == "" and "text" not in entry.submission.data
    client.force_login(make_user("viewer", areas=["MLI"]))
    assert client.get(url).status_code == 403
