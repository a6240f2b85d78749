"""The lists a phone gets with a form (OpenRosa manifest and media): areas.csv and
focal_points.csv hold the agent's scope only; places.csv every country's areas, which the
flow-count form filters by the country chosen."""

import csv
import io
import xml.etree.ElementTree as ET

import pytest

from hbmm.health.ebs.services import focal_point_register
from hbmm.places.models import AdminArea
from tests.intake.test_openrosa import NS, assert_openrosa
from tests.intake.xpath_eval import csv_rows, evaluate


def _media(client, form_id: str) -> dict[str, list[dict]]:
    """Every media file of the form's manifest, read as the phone reads it."""
    manifest = client.get(f"/forms/{form_id}/manifest")
    assert_openrosa(manifest, 200)
    files = {}
    for entry in ET.fromstring(manifest.content).findall("manifest:mediaFile", NS):
        url = entry.find("manifest:downloadUrl", NS).text
        response = client.get(url)
        assert_openrosa(response, 200)
        files[entry.find("manifest:filename", NS).text] = csv_rows(response.content)
    return files


@pytest.fixture
def focal_points(reference):
    register = focal_point_register
    register(key="CFP-KTI-01", name="Awa Traoré", phone="+22370000001", area=_a("ML0103"))
    register(key="CFP-KTI-02", name="Moussa Diallo", phone="+22370000002", area=_a("ML0106"))
    register(key="CFP-BKO-01", name="Fanta Keita", phone="+22370000003", area=_a("ML0901"))
    gone = register(key="CFP-KTI-03", name="Ancien relais", area=_a("ML0103"))
    gone.is_active = False
    gone.save()


def _a(pcode):
    return AdminArea.objects.get(pcode=pcode)


@pytest.mark.django_db
def test_a_kayes_agent_gets_the_kayes_areas_and_focal_points_only(make_user, collect, focal_points):
    client = collect(make_user("enumerator", areas=["ML01"]))
    media = _media(client, "signal")
    assert sorted(media) == ["areas.csv", "focal_points.csv", "sites.csv"]
    kayes = AdminArea.objects.filter(path__startswith=_a("ML01").path).order_by("path")
    assert [r["name"] for r in media["areas.csv"]] == [a.pcode for a in kayes]
    assert media["areas.csv"][0] == {
        "name": "ML01",
        "label": "Kayes (ML01)",
        "label::French (fr)": "Kayes (ML01)",
        "label::English (en)": "Kayes (ML01)",
        "country": "MLI",
        "level": "1",
    }
    # Active focal points of Kayes: key and name, never a phone number.
    assert media["focal_points.csv"] == [
        {"name": "CFP-KTI-01", "label": "CFP-KTI-01 Awa Traoré"},
        {"name": "CFP-KTI-02", "label": "CFP-KTI-02 Moussa Diallo"},
    ]
    assert b"+223" not in client.get("/forms/signal/media/focal_points.csv").content


@pytest.mark.django_db
def test_a_national_officer_gets_every_area_of_the_country(make_user, collect, focal_points):
    media = _media(collect(make_user("im_officer", areas=["MLI"])), "signal")
    country = AdminArea.objects.filter(country_iso3="MLI")
    assert len(media["areas.csv"]) == country.count() == 64
    assert media["areas.csv"][0]["name"] == "MLI"
    assert {r["name"] for r in media["focal_points.csv"]} == {
        "CFP-KTI-01",
        "CFP-KTI-02",
        "CFP-BKO-01",
    }


@pytest.mark.django_db
def test_flow_count_places_are_filtered_by_the_country_chosen(make_user, collect):
    media = _media(collect(make_user("enumerator", areas=["ML01"])), "flow_count")
    places = media["places.csv"]
    # Not scoped: a Kayes agent counts travellers heading for Bamako or coming from Senegal.
    assert len(places) == AdminArea.objects.filter(level__gte=1).count()
    shown = [
        r["name"]
        for r in places
        if evaluate("country = ${previous_country}", values={"previous_country": "SEN"}, item=r)
    ]
    assert shown == list(
        AdminArea.objects.filter(country_iso3="SEN", level__gte=1)
        .order_by("path")
        .values_list("pcode", flat=True)
    )
    assert len(shown) == 14 and "ML09" not in shown


@pytest.mark.django_db
def test_no_media_file_for_a_form_the_user_may_not_fill(make_user, collect):
    client = collect(make_user("viewer", areas=["MLI"]))
    assert_openrosa(client.get("/forms/signal/media/focal_points.csv"), 404)
    assert_openrosa(client.get("/forms/flow_count/media/places.csv"), 404)


def test_csv_rows_reads_what_the_server_writes():
    content = io.StringIO()
    csv.writer(content).writerows([["name", "label"], ["A", "Â b"]])
    assert csv_rows(content.getvalue().encode()) == [{"name": "A", "label": "Â b"}]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_form_list_names_every_form_in_french_and_english(make_user, collect, language):
    client = collect(make_user("im_officer", areas=["MLI"]), language=language)
    listing = ET.fromstring(client.get("/formList").content)
    names = {
        e.findtext("list:formID", namespaces=NS): e.findtext("list:name", namespaces=NS)
        for e in listing
    }
    assert names["flow_count"] == "Registre de suivi des flux / Flow monitoring registry"
    assert names["signal"] == "Signal de santé communautaire / Community health signal"
    assert len(names) >= 10
    assert all(" / " in name for name in names.values()), names
