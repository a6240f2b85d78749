"""The table registry (presentation/tables.py): each table declared once, its columns with one
HXL hashtag each; one view for list pages, drill-downs and exports."""

import io

import hxl
import pytest

from hbmm.presentation import tables

KEYS = [
    "mobility.flows",
    "mobility.stranded",
    "mobility.mrrc",
    "mobility.displacement",
    "mobility.events",
    "health.epi",
    "health.epi_values",
    "health.capacity",
    "health.capacity_assessments",
    "health.status",
    "health.screenings",
    "health.followups",
    "health.signals",
    "places.sites",
    "reports.reporting",
    "feedback.log",
    "supplies.movements",
    "supplies.transfers",
    "supplies.stock",
    "supplies.gaps",
    "response.reports",
    "response.funding",
    "response.contributions",
    "response.expenditures",
    "response.stranded_assisted",
    "protection.cases",
    "protection.referrals",
    "protection.assistance",
    "protection.sites",
]


def test_every_table_is_registered_by_its_app():
    assert sorted(tables._TABLES) == sorted(KEYS)


@pytest.mark.parametrize("key", KEYS)
def test_each_column_has_one_valid_hxl_tag(key):
    table = tables.get_table(key)
    tags = [c.hxl for c in table.columns]
    assert all(tags), [c.key for c in table.columns if not c.hxl]
    assert len(set(tags)) == len(tags), "two columns of one table share a tag"
    text = ",".join(str(c.label) for c in table.columns) + "\n" + ",".join(tags) + "\n"
    parsed = hxl.data(io.BytesIO(text.encode()), hxl.InputOptions())
    assert [c.display_tag for c in parsed.columns] == tags


@pytest.mark.django_db
def test_a_bad_filter_names_itself_and_its_value(client, make_user):
    client.force_login(make_user("viewer", areas=["MLI"]))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.get("/mobility/flows/?end=31/04/2020")
    assert response.status_code == 400
    assert response.content.decode() == "end: “31/04/2020” is not a date (YYYY-MM-DD)."
    response = client.get("/reports/drilldown/health.capacity/?kinds=bcp,airport")
    assert response.status_code == 400
    assert "kinds: “airport” is not one of bcp, itp, cordon." in response.content.decode()
    assert client.get("/mobility/flows/?format=ods").status_code == 400
    assert client.get("/reports/drilldown/nothing.here/").status_code == 404


@pytest.mark.django_db
def test_area_and_site_outside_the_scope_are_not_found(client, make_user):
    client.force_login(make_user("viewer", areas=["ML02"]))
    assert client.get("/mobility/flows/?area=ML03").status_code == 404
    assert client.get("/mobility/flows/?site=BCP-ZEGOUA").status_code == 404
    assert client.get("/mobility/flows/?area=NOPE").status_code == 404
    assert client.get("/mobility/flows/?area=ML02&site=BCP-KOUREMALE").status_code == 200
    # A larger area holding the scope narrows to the scope (never wider).
    assert client.get("/mobility/flows/?area=MLI").status_code == 200
