"""/api/v1/protection/: pseudonymous cases, referrals and assistance under the pages' record
rules (owner, team, area, GBV team, referral recipient), GBV vulnerabilities gated, every read
audited, exports behind protection.export_case; temporary site monitoring."""

import json

import pytest

from hbmm.accounts.models import AuditEvent
from hbmm.places.models import Site, SiteKind
from hbmm.protection import services

pytestmark = pytest.mark.django_db

CASES = "/api/v1/protection/cases/"
REFERRALS = "/api/v1/protection/referrals/"
ASSISTANCE = "/api/v1/protection/assistance/"


@pytest.fixture
def cases(people, register, today):
    plain = register(
        people.mopti,
        name="Ousmane Keita",
        phone="+22370000000",
        team=people.team,
        consent_services=True,
        consent_disclosure=True,
        vulnerabilities=["stranded"],
        sex="male",
    )
    gbv = register(people.mopti, name="Mariam Coulibaly", vulnerabilities=["gbv_survivor"])
    referral = services.referral_create(
        by=people.mopti,
        case=plain,
        provider=people.provider,
        service_type="health",
        shared=["identifiers"],
        note="Needs a doctor",
    )
    services.assistance_record(
        by=people.mopti, case=plain, kind="food", given_on=today, note="Rice for Ousmane"
    )
    services.assistance_record(by=people.mopti, case=gbv, kind="cash", given_on=today)
    return plain, gbv, referral


def read(client, user, url):
    client.force_login(user)
    response = client.get(url)
    return response.status_code, (response.json() if response.status_code == 200 else None)


# who: (case keys and vulnerabilities seen, referrals seen, assistance kinds seen)
MATRIX = {
    "mopti": ({"plain": ["stranded"], "gbv": ["gbv_survivor"]}, 1, ["cash", "food"]),
    "mopti_mate": ({"plain": ["stranded"]}, 1, ["food"]),  # team member (GBV case: no team)
    "mopti_other": ({}, 0, []),  # same region, other team
    "gao": ({}, 0, []),  # other region
    "gbv": ({"gbv": ["gbv_survivor"]}, 0, ["cash"]),  # the GBV team: the region's GBV cases
    "supervisor": ({"plain": ["stranded"], "gbv": None}, 1, ["food"]),  # GBV masked
    "focal": (403, 1, 403),  # a referral recipient: its referrals only
    "viewer": (403, 403, 403),
}


@pytest.mark.parametrize("who", list(MATRIX))
def test_record_rule_matrix(client, people, cases, who):
    plain, gbv, _referral = cases
    keys = {plain.case_key: "plain", gbv.case_key: "gbv"}
    user = getattr(people, who)
    expected_cases, expected_referrals, expected_assistance = MATRIX[who]
    status, page = read(client, user, CASES)
    if expected_cases == 403:
        assert status == 403
    else:
        assert {keys[r["case_key"]]: r["vulnerabilities"] for r in page["results"]} == (
            expected_cases
        )
    status, page = read(client, user, REFERRALS)
    if expected_referrals == 403:
        assert status == 403
    else:
        assert len(page["results"]) == expected_referrals
    status, page = read(client, user, ASSISTANCE)
    if expected_assistance == 403:
        assert status == 403
    else:
        assert sorted(r["kind"] for r in page["results"]) == expected_assistance


def test_rows_hold_no_identifier_nor_free_text(client, people, cases):
    plain, _gbv, referral = cases
    status, page = read(client, people.mopti, CASES)
    text = json.dumps(page)
    for secret in ("Ousmane", "Keita", "+22370000000", "Mariam", "Needs a doctor", "Rice"):
        assert secret not in text
    row = next(r for r in page["results"] if r["case_key"] == plain.case_key)
    assert (
        row["sex"] == "male" and row["site_code"] == "OFF-MOPTI" and row["status"] == "active"
    )  # referred
    _, referrals = read(client, people.mopti, REFERRALS)
    assert referrals["results"][0]["case_case_key"] == plain.case_key
    assert referrals["results"][0]["service_type"] == "health"
    assert "Needs a doctor" not in json.dumps(referrals)
    _, assistance = read(client, people.mopti, ASSISTANCE)
    assert "Rice" not in json.dumps(assistance)


def test_detail_is_404_out_of_record_scope(client, people, cases):
    plain, _gbv, _referral = cases
    url = f"{CASES}{plain.pk}/"
    assert read(client, people.mopti, url)[0] == 200
    assert read(client, people.mopti_mate, url)[0] == 200
    assert read(client, people.mopti_other, url)[0] == 404
    assert read(client, people.gao, url)[0] == 404
    assert read(client, people.viewer, url)[0] == 403


def test_every_read_is_audited(client, people, cases):
    before = AuditEvent.objects.filter(action="read_protected").count()
    read(client, people.mopti, CASES + "?status=active")
    event = AuditEvent.objects.filter(action="read_protected").order_by("-pk").first()
    assert AuditEvent.objects.filter(action="read_protected").count() == before + 1
    assert event.target == "protection.case_table"
    assert event.actor_id == people.mopti.pk
    assert event.details["filters"]["status"] == "active"


def test_export_needs_the_protection_export_permission_and_is_audited(client, people, cases):
    assert read(client, people.mopti, CASES + "?format=csv")[0] == 403  # officer: no export
    client.force_login(people.supervisor)
    response = client.get(CASES + "?format=csv")
    assert response.status_code == 200
    text = (
        b"".join(response.streaming_content).decode("utf-8-sig")
        if response.streaming
        else (response.content.decode("utf-8-sig"))
    )
    lines = text.splitlines()
    assert lines[1].startswith("#case+id,#date+identified,#loc+code")
    assert "Ousmane" not in text and "gbv_survivor" not in text  # GBV masked for the supervisor
    assert len(lines) == 4  # header, HXL, two cases
    assert AuditEvent.objects.filter(action="export", actor=people.supervisor).exists()


@pytest.fixture
def idp_site(area):
    site = Site.objects.create(
        code="IDP-SEVARE", name_fr="Site de Sévaré", name_en="Sevare site", area=area("ML0506")
    )
    site.kinds.add(SiteKind.objects.get(code="idp_site"))
    return site


def test_temporary_site_visits_in_scope(client, people, idp_site, today, make_user):
    services.site_monitoring_save(
        rows=[{"site": idp_site, "date": today, "population": 420, "isolation_capacity": 12}]
    )
    status, page = read(client, people.viewer, "/api/v1/protection/sites/")
    assert status == 200
    assert [
        (r["site_code"], r["population"], r["isolation_capacity"]) for r in page["results"]
    ] == [("IDP-SEVARE", 420, 12)]
    gao_viewer = make_user("viewer", areas=["ML07"], username="gao-viewer")
    assert read(client, gao_viewer, "/api/v1/protection/sites/")[1]["results"] == []
