"""The protection pages: the record-rule matrix (200 / 403 / 404), masking in the list and the
export, the main flow through the forms, both languages."""

import csv
import io

import pytest
from django.urls import reverse

from hbmm.accounts.models import AuditEvent
from hbmm.protection import services
from hbmm.protection.models import Assistance, Case, Referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(people, register):
    plain = register(
        people.mopti,
        name="Ousmane Keita",
        team=people.team,
        consent_services=True,
        consent_disclosure=True,
    )
    gbv = register(people.mopti, name="Mariam Coulibaly", vulnerabilities=["gbv_survivor"])
    referral = services.referral_create(
        by=people.mopti,
        case=plain,
        provider=people.provider,
        service_type="health",
        shared=["identifiers"],
    )
    return plain, gbv, referral


# who: (plain case page, GBV case page, referral page, case list, export)
MATRIX = {
    "mopti": (200, 200, 200, 200, 403),  # owner
    "mopti_mate": (200, 404, 200, 200, 403),  # team member (GBV case has no team)
    "mopti_other": (404, 404, 404, 200, 403),  # same region, other team
    "gao": (404, 404, 404, 200, 403),  # other region
    "gbv": (404, 200, 404, 200, 403),  # GBV team: the region's GBV cases, not the others
    "supervisor": (200, 403, 200, 200, 200),  # area scope; GBV restricted
    "focal": (403, 403, 200, 403, 403),  # referral recipient only
    "viewer": (403, 403, 403, 403, 403),
}


@pytest.mark.parametrize("who", list(MATRIX))
def test_record_rule_matrix(client, people, cases, who):
    plain, gbv, referral = cases
    client.force_login(getattr(people, who))
    urls = [
        reverse("protection:case_detail", args=[plain.case_key]),
        reverse("protection:case_detail", args=[gbv.case_key]),
        reverse("protection:referral_detail", args=[referral.pk]),
        reverse("protection:case_list"),
        reverse("protection:case_list") + "?format=csv",
    ]
    assert tuple(client.get(url).status_code for url in urls) == MATRIX[who]


def test_anonymous_is_sent_to_login(client, cases):
    response = client.get(reverse("protection:case_list"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_list_masks_gbv_names(client, people, cases):
    plain, gbv, _referral = cases
    client.force_login(people.supervisor)
    html = client.get(reverse("protection:case_list")).content.decode()
    assert "Ousmane Keita" in html
    assert "Mariam" not in html and "●●●●●" in html
    client.force_login(people.mopti)  # the owner sees both names
    html = client.get(reverse("protection:case_list")).content.decode()
    assert "Mariam Coulibaly" in html and "Ousmane Keita" in html


def test_export_masks_gbv_names_and_is_audited(client, people, cases):
    plain, gbv, _referral = cases
    client.force_login(people.supervisor)
    response = client.get(reverse("protection:case_list") + "?format=csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = {r[0]: r for r in csv.reader(io.StringIO(text))}
    assert rows[plain.case_key][1] == "Ousmane Keita"
    assert rows[gbv.case_key][1] == "●●●●●"
    assert rows[gbv.case_key][7] == "[]"  # vulnerabilities hidden too
    assert "Mariam" not in text and "gbv_survivor" not in text
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT, target="protection.cases")
    assert event.actor == people.supervisor and event.details["rows"] == 2


def test_case_page_read_is_audited_and_identifiers_on_demand(client, people, cases):
    plain, _gbv, _referral = cases
    client.force_login(people.mopti_mate)
    url = reverse("protection:case_detail", args=[plain.case_key])
    before = AuditEvent.objects.filter(action="read_protected", actor=people.mopti_mate).count()
    html = client.get(url).content.decode()
    assert "Ousmane" not in html
    html = client.get(url + "?identifiers=1").content.decode()
    assert "Ousmane Keita" in html
    events = AuditEvent.objects.filter(action="read_protected", actor=people.mopti_mate)
    assert events.count() == before + 3  # two openings, one reading of identifiers


def test_recipient_page_shows_only_what_was_shared(client, people, cases):
    plain, _gbv, referral = cases
    client.force_login(people.focal)
    html = client.get(reverse("protection:referral_detail", args=[referral.pk])).content.decode()
    assert "Ousmane Keita" in html  # identifiers were shared, with consent
    assert "Vulnérabilités" not in html and "Vulnerabilities" not in html


def test_main_flow_register_refer_accept_close(client, people, site):
    client.force_login(people.mopti)
    response = client.post(
        reverse("protection:case_new"),
        {
            "site": site("OFF-MOPTI").pk,
            "identified_on": "2020-04-20",
            "name": "Adama Sangaré",
            "sex": "male",
            "age_group": "18-59",
            "nationality": "civ",
            "vulnerabilities": ["stranded", "medical_need"],
            "needs": ["health"],
            "consent_services": "on",
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302 and case.nationality == "CIV"
    detail = reverse("protection:case_detail", args=[case.case_key])
    refer = reverse("protection:case_action", args=[case.case_key, "refer"])
    data = {"provider": people.provider.pk, "service_type": "health", "shared": ["needs"]}
    # No disclosure consent: refused, with the reason on the page.
    response = client.post(refer, data, follow=True)
    assert not Referral.objects.exists()
    assert "consenti" in response.content.decode()
    client.post(
        reverse("protection:case_action", args=[case.case_key, "consent"]),
        {"services": "on", "disclosure": "on", "on": "2020-04-21"},
    )
    client.post(refer, data)
    referral = Referral.objects.get()
    client.force_login(people.focal)
    action = reverse("protection:referral_action", args=[referral.pk, "respond"])
    client.post(action, {"status": "accepted"})
    client.post(action, {"status": "done"})
    referral.refresh_from_db()
    assert referral.status == "done"
    client.force_login(people.mopti)
    client.post(
        reverse("protection:case_action", args=[case.case_key, "status"]),
        {"status": "closed", "closure_reason": "needs_met"},
    )
    case.refresh_from_db()
    assert case.status == "closed" and case.closure_reason == "needs_met"
    html = client.get(detail).content.decode()
    assert "clos" in html  # French by default


def test_override_through_the_page(client, people, register):
    case = register(people.mopti)
    client.force_login(people.supervisor)
    refer = reverse("protection:case_action", args=[case.case_key, "refer"])
    client.post(
        refer,
        {
            "provider": people.provider.pk,
            "service_type": "health",
            "override_reason": "emergency evacuation",
        },
    )
    referral = Referral.objects.get()
    assert referral.consent_override and referral.override_reason == "emergency evacuation"
    html = client.get(reverse("protection:case_detail", args=[case.case_key])).content.decode()
    assert "emergency evacuation" in html


def test_break_the_glass_page(client, people, cases):
    _plain, gbv, _referral = cases
    client.force_login(people.supervisor)
    url = reverse("protection:case_detail", args=[gbv.case_key])
    assert client.get(url).status_code == 403
    glass = reverse("protection:case_glass", args=[gbv.case_key])
    assert client.get(glass).status_code == 200
    client.post(glass, {"reason": "survivor at risk tonight"})
    assert client.get(url).status_code == 200
    client.force_login(people.mopti)
    assert client.get(glass).status_code == 403


@pytest.mark.parametrize("language", ["fr", "en"])
def test_pages_in_both_languages(client, people, cases, language):
    plain, _gbv, referral = cases
    client.force_login(people.mopti)
    client.cookies["django_language"] = language
    for url in (
        reverse("protection:index"),
        reverse("protection:case_list"),
        reverse("protection:case_new"),
        reverse("protection:case_detail", args=[plain.case_key]),
        reverse("protection:case_edit", args=[plain.case_key]),
        reverse("protection:referral_detail", args=[referral.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "Cas de protection" in html or "Protection" in html, url
    html = client.get(reverse("protection:case_list")).content.decode()
    assert ("Enregistrer un cas" in html) == (language == "fr")


def test_case_list_queries_do_not_grow_with_rows(client, people, register):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(people.mopti)
    url = reverse("protection:case_list")
    counts = []
    for rows in (1, 21):
        while Case.objects.count() < rows:
            register(people.mopti, name="P", team=people.team, vulnerabilities=["stranded"])
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.content.decode().count("<tr>") == 1 + rows  # header + rows
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_history_speaks_french(client, people, cases):
    plain, _gbv, referral = cases
    services.referral_respond(by=people.focal, referral=referral, status="accepted")
    services.case_status_set(
        by=people.mopti, case=plain, status="closed", closure_reason="lost_contact"
    )
    client.force_login(people.mopti)
    html = client.get(reverse("protection:case_detail", args=[plain.case_key])).content.decode()
    assert "→ clos" in html and "→ accepté" in html and "→ en cours" in html
    assert "→ closed" not in html and "→ accepted" not in html


# who: status of recording assistance on the plain case from its page (302: recorded)
ASSIST = {
    "mopti": 302,  # owner
    "mopti_mate": 302,  # team member
    "mopti_other": 404,  # same region, other team: the case does not exist for them
    "gao": 404,
    "gbv": 404,
    "supervisor": 302,
    "focal": 403,  # a referral recipient sees what was referred, writes nothing on the case
    "viewer": 403,
}


@pytest.mark.parametrize("who", list(ASSIST))
def test_assistance_follows_the_record_rules(client, people, cases, who):
    """The assistance action of the matrix: written only where the case page opens and the role
    may add assistance; refused without a trace elsewhere."""
    plain, _gbv, _referral = cases
    client.force_login(getattr(people, who))
    url = reverse("protection:case_action", args=[plain.case_key, "assistance"])
    response = client.post(url, {"kind": "food", "given_on": "2020-05-02", "value": "5000"})
    assert response.status_code == ASSIST[who]
    recorded = Assistance.objects.filter(case=plain).count()
    assert recorded == (1 if ASSIST[who] == 302 else 0)
