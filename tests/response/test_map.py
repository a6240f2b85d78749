"""The map of the response dashboard: the 4W rows by cercle (a region's own rows at the
region), each at the centre of its shipped boundary, coloured by how many rows, a link to
them; a partner's map shows only its own rows; the country's rows are counted apart."""

import pytest

from hbmm.presentation.maps import area_centres
from hbmm.response import services
from hbmm.response.maps import CLASSES


@pytest.mark.django_db
def test_the_dashboard_maps_the_4w_rows_by_cercle(client, make_user, plan, orgs, report):
    manager = make_user("programme_manager", areas=["MLI"])
    for _n in range(5):
        report(manager, orgs["crm"], "hygiene-kits-distributed", "ML0101", value=10)
    report(manager, orgs["iom"], "hygiene-kits-distributed", "ML0101", value=10)
    report(manager, orgs["iom"], "radio-spots", "ML01", value=2, channel="radio")
    report(manager, orgs["iom"], "radio-spots", "MLI", value=9, channel="radio")
    client.force_login(manager)
    page = client.get("/response/", {"as_of": "2020-05-31"})
    assert page.status_code == 200
    points = {p.code: p for p in page.context["map"]["points"]}
    assert set(points) == {"ML01", "ML0101"}
    # 6 rows by 2 organisations in Bafoulabé; 1 row at the region of Kayes
    assert (points["ML0101"].color, points["ML01"].color) == (CLASSES[1][1], CLASSES[0][1])
    assert points["ML0101"].name.split(":")[1].split()[0] == "6"
    assert "2 organisation" in points["ML0101"].name
    assert (points["ML0101"].latitude, points["ML0101"].longitude) == area_centres()["ML0101"]
    assert points["ML0101"].url == "/response/reports/?area=ML0101"
    # the map names the cercle beside its point, not the sentence of its tooltip
    assert points["ML0101"].label == "Bafoulabé"  # the French name (places/data/names-fr.csv)
    assert page.context["map"]["national"] == 1
    html = page.content.decode()
    # drawn on the server (hbmm.presentation.map_svg): the cercles, a link per point
    assert 'id="response-map"><svg' in html and "leaflet" not in html
    assert '<a href="/response/reports/?area=ML0101"><circle' in html
    # Bafoulabé lies in the west of Kayes region
    lat, lon = area_centres()["ML0101"]
    assert 12.5 < lat < 15.5 and -12.5 < lon < -9.5


@pytest.mark.django_db
def test_a_partners_map_shows_only_its_rows(client, make_user, plan, orgs, report):
    manager = make_user("programme_manager", areas=["MLI"])
    partner = make_user("partner", areas=["MLI"])
    services.membership_set(user=partner, organisation=orgs["crm"])
    report(manager, orgs["crm"], "hygiene-kits-distributed", "ML0101", value=10)
    report(manager, orgs["iom"], "hygiene-kits-distributed", "ML0103", value=10)
    client.force_login(partner)
    page = client.get("/response/", {"as_of": "2020-05-31"})
    assert [p.code for p in page.context["map"]["points"]] == ["ML0101"]


@pytest.mark.django_db
def test_no_row_no_map(client, make_user, plan):
    client.force_login(make_user("programme_manager", areas=["MLI"]))
    page = client.get("/response/")
    assert page.context["map"] is None
    assert "map-svg" not in page.content.decode()
