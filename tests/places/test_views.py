"""The places browser and the web import: roles give 403, scope gives 404."""

import io

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook

from hbmm.accounts.models import AuditEvent
from hbmm.places.models import Site
from hbmm.places.services import site_registry_import
from hbmm.tabular import read_rows

HEADER = "code,name_fr,name_en,kinds,pcode,latitude,longitude,neighbour_country"


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def logged_in(client, user):
    client.force_login(user)
    return client


def codes(response) -> list[str]:
    return [site.code for site in response.context["page"]]


@pytest.mark.django_db
def test_site_list_is_scoped_and_filtered(client, make_user):
    kayes = logged_in(client, make_user("viewer", areas=["ML01"]))
    response = kayes.get(reverse("places:site_list"))
    assert response.status_code == 200
    assert codes(response) == ["BCP-DIBOLI", "BCP-GOGUI", "OFF-KAYES"]
    assert "OFF-GAO" not in response.content.decode()
    response = kayes.get(reverse("places:site_list"), {"kind": "office"})
    assert codes(response) == ["OFF-KAYES"]
    # Filtering on a region outside the scope shows nothing, not Gao's sites.
    assert codes(kayes.get(reverse("places:site_list"), {"region": "ML07"})) == []


@pytest.mark.django_db
def test_national_user_filters_by_region_and_kind(client, make_user):
    national = logged_in(client, make_user("viewer", areas=["MLI"]))
    response = national.get(reverse("places:site_list"), {"region": "ML03", "kind": "bcp"})
    assert codes(response) == ["BCP-HEREMAKONO", "BCP-SONA", "BCP-ZEGOUA"]
    # An unknown region is an invalid filter: the form says so and the list is not filtered.
    response = national.get(reverse("places:site_list"), {"region": "ML99"})
    assert response.context["form"].errors["region"]
    assert len(codes(response)) == 14


@pytest.mark.django_db
def test_site_scoped_user_sees_only_that_site(client, make_user):
    agent = logged_in(client, make_user("poe_agent", sites=["BCP-DIBOLI"]))
    assert codes(agent.get(reverse("places:site_list"))) == ["BCP-DIBOLI"]
    assert agent.get(reverse("places:site_detail", args=["BCP-DIBOLI"])).status_code == 200
    assert agent.get(reverse("places:site_detail", args=["OFF-KAYES"])).status_code == 404


@pytest.mark.django_db
def test_site_detail_out_of_scope_is_404_and_action_out_of_role_is_403(client, make_user):
    kayes = logged_in(client, make_user("viewer", areas=["ML01"]))
    detail = kayes.get(reverse("places:site_detail", args=["BCP-DIBOLI"]))
    assert detail.status_code == 200
    assert "Senegal" in detail.content.decode()
    assert kayes.get(reverse("places:site_detail", args=["OFF-GAO"])).status_code == 404
    assert kayes.get(reverse("places:site_detail", args=["NO-SUCH"])).status_code == 404
    # A viewer may not import a registry: 403, on GET and on POST.
    assert kayes.get(reverse("places:site_import")).status_code == 403
    assert kayes.post(reverse("places:site_import")).status_code == 403


@pytest.mark.django_db
def test_user_without_role_gets_403_and_anonymous_is_sent_to_login(client, make_user):
    response = client.get(reverse("places:site_list"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    nobody = logged_in(client, make_user(None, areas=["MLI"]))
    assert nobody.get(reverse("places:site_list")).status_code == 403
    assert nobody.get(reverse("places:area_list")).status_code == 403


@pytest.mark.django_db
def test_area_list_counts_only_visible_sites(client, make_user):
    kayes = logged_in(client, make_user("viewer", areas=["ML01"]))
    response = kayes.get(reverse("places:area_list"), {"country": "MLI", "level": "1"})
    counts = {a.pcode: a.site_count for a in response.context["page"]}
    assert len(counts) == 10
    assert counts["ML01"] == 3 and counts["ML07"] == 0
    national = logged_in(client, make_user("viewer", areas=["MLI"]))
    response = national.get(reverse("places:area_list"))  # default: Mali, every level
    counts = {a.pcode: a.site_count for a in response.context["page"]}
    assert len(counts) == 1 + 10 + 53
    assert counts["MLI"] == 14 and counts["ML01"] == 3 and counts["ML0103"] == 2


@pytest.mark.django_db
def test_site_list_query_count_does_not_grow_with_rows(client, make_user):
    national = logged_in(client, make_user("viewer", areas=["MLI"]))
    url = reverse("places:site_list")
    national.get(url)  # warm the session and the permission cache of this client
    with CaptureQueriesContext(connection) as few:
        national.get(url, {"region": "ML09"})
    rows = "\n".join(f"FMP-B{i},Point {i},,fmp;itp,ML0901,12.6{i:02d},-8.0,," for i in range(40))
    site_registry_import(rows=read_rows(io.BytesIO(f"{HEADER}\n{rows}\n".encode())))
    with CaptureQueriesContext(connection) as many:
        response = national.get(url, {"region": "ML09"})
    assert len(response.context["page"]) == 42
    assert len(many) == len(few)


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


@pytest.mark.django_db
def test_web_import_lists_every_error_and_writes_nothing(client, make_user):
    officer = logged_in(client, make_user("im_officer", areas=["MLI"]))
    assert officer.get(reverse("places:site_import")).status_code == 200
    content = (
        f"{HEADER}\n"
        "FMP-A,Point A,,fmp,ML0106,15.2,-9.5,\n"
        "FMP-A,Point A bis,,fmp,ML0199,-9.5,15.2,\n"
    ).encode()
    response = officer.post(reverse("places:site_import"), {"file": upload("r.csv", content)})
    assert response.status_code == 400
    errors = [(e.row, e.field) for e in response.context["errors"]]
    assert errors == [(3, "code"), (3, "pcode"), (3, "latitude")]
    page = response.content.decode()
    assert "3 errors: nothing was imported" in page and "unknown P-code" in page
    assert not Site.objects.filter(code="FMP-A").exists()


@pytest.mark.django_db
def test_web_import_of_an_xlsx_file(client, make_user):
    officer = make_user("im_officer", areas=["ML01"])
    workbook = Workbook()
    workbook.active.append(HEADER.split(","))
    workbook.active.append(["FMP-NIORO", "Nioro du Sahel", "", "fmp", "ML0106", 15.23, -9.59])
    buffer = io.BytesIO()
    workbook.save(buffer)
    client.force_login(officer)
    response = client.post(
        reverse("places:site_import"), {"file": upload("registry.xlsx", buffer.getvalue())}
    )
    assert response.status_code == 302 and response["Location"] == reverse("places:site_list")
    assert Site.objects.get(code="FMP-NIORO").area.pcode == "ML0106"
    event = AuditEvent.objects.get(target="places.site_registry", actor=officer)
    assert event.details == {"source": "registry.xlsx", "created": ["FMP-NIORO"], "updated": []}
    page = client.get(response["Location"]).content.decode()
    assert "1 created, 0 updated, 0 unchanged" in page


@pytest.mark.django_db
def test_web_import_rejects_unreadable_and_empty_files(client, make_user):
    officer = logged_in(client, make_user("im_officer", areas=["MLI"]))
    response = officer.post(
        reverse("places:site_import"), {"file": upload("x.xlsx", b"PK\x03\x04 not a zip")}
    )
    assert response.status_code == 400
    assert "cannot be read as a table" in response.content.decode()
    response = officer.post(reverse("places:site_import"), {"file": upload("x.csv", b"")})
    assert response.status_code == 400
    response = officer.post(reverse("places:site_import"), {"file": upload("x.csv", b"a,b\n")})
    assert response.status_code == 400
    assert [str(e) for e in response.context["errors"]] == ["row 2: the file has no data rows"]
    response = officer.post(reverse("places:site_import"), {"file": upload("x.csv", b"a,b\n1,2\n")})
    assert [e.field for e in response.context["errors"]] == ["code", "name_fr", "kinds", "pcode"]


@pytest.mark.django_db
def test_import_page_needs_add_site_only(client, make_user):
    user = make_user("viewer", areas=["MLI"])
    user.user_permissions.add(Permission.objects.get(codename="add_site"))
    client.force_login(user)
    assert client.get(reverse("places:site_import")).status_code == 200


@pytest.mark.django_db
def test_places_in_navigation_for_roles_that_see_sites(client, make_user):
    viewer = logged_in(client, make_user("viewer", areas=["MLI"]))
    assert f'href="{reverse("places:site_list")}"' in viewer.get("/").content.decode()
    client.logout()
    nobody = logged_in(client, make_user(None, areas=["MLI"]))
    assert f'href="{reverse("places:site_list")}"' not in nobody.get("/").content.decode()


@pytest.mark.django_db
def test_coordinates_are_shown_in_decimal_degrees_without_trailing_zeros(client, make_user):
    client.force_login(make_user("viewer", areas=["MLI"]))
    client.cookies["django_language"] = "fr"  # French formats numbers with commas: not here
    html = client.get(reverse("places:site_detail", args=["BCP-GOGUI"])).content.decode()
    assert "15.686537, -9.32986" in html


@pytest.mark.django_db
def test_area_list_query_count_does_not_grow_with_rows(client, make_user):
    national = logged_in(client, make_user("viewer", areas=["MLI"]))
    url = reverse("places:area_list")
    national.get(url)
    with CaptureQueriesContext(connection) as few:
        response = national.get(url, {"country": "SEN"})
    assert len(response.context["page"]) == 15
    with CaptureQueriesContext(connection) as many:
        response = national.get(url, {"country": "MLI"})
    assert len(response.context["page"]) == 64
    assert len(many) == len(few)
