import csv
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from hbmm.accounts.models import AuditEvent
from hbmm.places.models import AdminArea, Site, SiteKind


def link(html: str, url: str) -> str | None:
    """The text of the link to `url` in `html`."""
    match = re.search(f'href="{re.escape(url)}"[^>]*>([^<]*)</a>', html)
    return match.group(1) if match else None


@pytest.fixture
def viewer(make_user):
    return make_user("viewer", areas=["MLI"])


@pytest.fixture
def logged(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def test_home_is_the_overview_and_needs_login(client, reference):
    response = client.get("/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_user_without_role_is_refused(logged, make_user):
    client = logged(make_user(None, areas=["MLI"]))
    assert client.get("/").status_code == 403


def test_overview_shows_the_places_section_with_definitions_and_drilldowns(logged, viewer):
    client = logged(viewer)
    response = client.get("/?as_of=2020-05-15", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="section-places"' in html
    # 14 registry sites, 7 of them border crossing points; each value links to its records.
    assert link(html, "/reports/drilldown/places.sites/?as_of=2020-05-15") == "14 sites"
    assert link(html, "/reports/drilldown/places.sites/?as_of=2020-05-15&amp;kind=bcp") == "7"
    assert "whatever their kind" in html  # the definition, shown on hover/focus
    assert 'role="tooltip"' in html
    assert (
        'data-spec="chart-' in html
        and '<svg xmlns="http://www.w3.org/2000/svg" class="map-svg"' in html
    )
    assert "/static/reports/vendor/vega-embed.min.js" in html


def test_overview_narrows_to_an_area_inside_the_scope(logged, viewer):
    client = logged(viewer)
    html = client.get("/?as_of=2020-05-15&area=ML01", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # Kayes region: Gogui, Diboli (border posts) and the Kayes office.
    assert (
        link(html, "/reports/drilldown/places.sites/?area=ML01&amp;as_of=2020-05-15") == "3 sites"
    )


def test_area_outside_the_scope_is_not_found(logged, make_user):
    client = logged(make_user("viewer", areas=["ML03"]))
    assert client.get("/?area=ML01").status_code == 404
    html = client.get("/?as_of=2020-05-15", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "3 sites</a>" in html  # Sikasso region only
    assert '<option value="ML03"' in html and '<option value="ML01"' not in html


def test_a_bad_date_is_named_and_the_page_still_renders(logged, viewer):
    response = logged(viewer).get("/?as_of=15/05/2020", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "as_of: “15/05/2020” is not a date (YYYY-MM-DD)." in response.content.decode()


def test_a_section_without_data_is_listed_not_shown_as_zero(logged, make_user):
    client = logged(make_user("viewer", areas=["MLI"]))
    html = client.get("/?as_of=2020-05-15", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="section-places"' in html
    Site.objects.update(active_to="2019-12-31")
    html = client.get("/?as_of=2020-05-15", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="section-places"' not in html
    empty = re.search(r"No data on this date for: ([^<]*)\.</p>", html).group(1)
    assert "Points and places" in empty.split(", ")


def test_drilldown_lists_the_counted_records(logged, viewer):
    client = logged(viewer)
    response = client.get("/reports/drilldown/places.sites/?as_of=2020-05-15&kind=bcp")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<strong id="row-count">7</strong>' in html
    assert "BCP-KOUREMALE" in html and "OFF-KAYES" not in html


def test_drilldown_export_csv_is_audited(logged, viewer):
    client = logged(viewer)
    response = client.get("/reports/drilldown/places.sites/?as_of=2020-05-15&area=ML01&format=csv")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[1][:3] == ["#loc+code", "#loc+name", "#loc+type"]
    assert sorted(r[0] for r in rows[2:]) == ["BCP-DIBOLI", "BCP-GOGUI", "OFF-KAYES"]
    event = AuditEvent.objects.get(action="export")
    assert event.actor == viewer
    assert event.target == "reports.table:places.sites"
    assert event.details == {
        "format": "csv",
        "rows": 3,
        "area": "ML01",
        "filters": {"as_of": "2020-05-15"},
    }


def test_drilldown_export_xlsx(logged, viewer):
    response = logged(viewer).get("/reports/drilldown/places.sites/?as_of=2020-05-15&format=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[1][0] == "#loc+code"
    assert len(values) == 2 + 14


def test_export_needs_the_export_permission(logged, make_user):
    client = logged(make_user("enumerator", areas=["MLI"]))
    assert client.get("/reports/drilldown/places.sites/").status_code == 200
    assert client.get("/reports/drilldown/places.sites/?format=csv").status_code == 403
    assert not AuditEvent.objects.filter(action="export").exists()


def test_drilldown_bad_parameter_and_unknown_key(logged, viewer):
    client = logged(viewer)
    response = client.get(
        "/reports/drilldown/places.sites/?kind=airport", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "kind: Select a valid choice. airport is not one of" in response.content.decode()
    assert client.get("/reports/drilldown/nope/").status_code == 404
    assert client.get("/reports/drilldown/places.sites/?format=ods").status_code == 400


def test_report_download_is_audited(logged, viewer):
    client = logged(viewer)
    response = client.get("/reports/report/?as_of=2020-05-15&format=md&lang=en")
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="hbmm-sitrep-2020-05-15-en.md"'
    )
    assert "- **Registered sites:** 14 sites" in response.content.decode()
    assert AuditEvent.objects.get(action="export").target == "reports.sitrep"
    assert client.get("/reports/report/?format=docx").status_code == 400
    # The HTML report opens in the browser rather than downloading.
    html = client.get("/reports/report/?as_of=2020-05-15&format=html&lang=fr")
    assert html["Content-Disposition"] == 'inline; filename="hbmm-sitrep-2020-05-15-fr.html"'


def test_boundaries_are_served_for_the_map(logged, viewer):
    response = logged(viewer).get("/reports/boundaries/adm1.geojson")
    assert response.status_code == 200
    assert len(response.json()["features"]) == 9
    assert logged(viewer).get("/reports/boundaries/adm3.geojson").status_code == 404


def _add_sites(n: int) -> None:
    area = AdminArea.objects.get(pcode="ML0103")
    kinds = list(SiteKind.objects.filter(code__in=["bcp", "fmp", "cordon"]))
    for i in range(n):
        site = Site.objects.create(
            code=f"T-{i:04d}",
            name_fr=f"Site {i}",
            name_en=f"Site {i}",
            area=area,
            latitude=14 + i / 1000,
            longitude=-11 + i / 1000,
        )
        site.kinds.set(kinds)


def test_overview_and_site_table_query_counts_do_not_grow_with_rows(logged, make_user):
    client = logged(make_user("viewer", areas=["MLI"]))
    Site.objects.exclude(code="BCP-KOUREMALE").delete()
    table = "/reports/drilldown/places.sites/?as_of=2020-05-15"
    client.get("/?as_of=2020-05-15")  # the session keeps the date once (hbmm.presentation.as_of)
    with CaptureQueriesContext(connection) as one:
        assert client.get("/?as_of=2020-05-15").status_code == 200
    with CaptureQueriesContext(connection) as one_row:
        assert client.get(table).status_code == 200
    _add_sites(300)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/?as_of=2020-05-15", HTTP_ACCEPT_LANGUAGE="en")
    with CaptureQueriesContext(connection) as many_rows:
        assert client.get(table).context["page"].paginator.count == 301
    assert "301 sites</a>" in response.content.decode()
    assert len(many) == len(one)
    assert len(one) <= 50  # 41 with the feedback, supplies, response and protection sections
    assert len(many_rows) == len(one_row) <= 12


def test_exports_write_a_formula_in_a_site_name_as_text(logged, viewer):
    """A registry site named like a formula comes out as text in CSV and XLSX (issue 11 #8)."""
    formula = '=HYPERLINK("http://evil.example","Kayes")'
    Site.objects.filter(code="OFF-KAYES").update(name_fr=formula, name_en=formula)
    client = logged(viewer)
    url = "/reports/drilldown/places.sites/?as_of=2020-05-15&area=ML01"
    text = b"".join(client.get(url + "&format=csv").streaming_content).decode("utf-8-sig")
    names = {row[0]: row[1] for row in csv.reader(io.StringIO(text))}
    assert names["OFF-KAYES"] == "'" + formula
    sheet = load_workbook(io.BytesIO(client.get(url + "&format=xlsx").content)).active
    cell = next(row[1] for row in sheet.iter_rows() if row[0].value == "OFF-KAYES")
    assert cell.value == "'" + formula and cell.data_type == "s"


def test_a_number_filter_past_64_bits_is_a_clear_error(logged, viewer):
    """Found by schemathesis: ?round= (an int filter) of 30 digits crashed SQLite (OverflowError)."""
    client = logged(viewer)
    response = client.get(
        "/reports/drilldown/mobility.displacement/?round=55702708594383574752733167616",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "round:" in response.content.decode()
