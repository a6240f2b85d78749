"""The site registry import: every error names its row and column; nothing is half-written."""

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import translation
from openpyxl import Workbook

from hbmm.accounts.models import AuditEvent
from hbmm.places.models import Site
from hbmm.places.services import RegistryImportError, site_registry_import
from hbmm.tabular import read_rows

HEADER = (
    "code,name_fr,name_en,kinds,pcode,latitude,longitude,neighbour_country,active_from,active_to"
)
GOOD = "FMP-NIORO,Nioro du Sahel,Nioro du Sahel,fmp,ML0106,15.2305,-9.5889,,2020-04-01,"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def csv_rows(*lines: str, header: str = HEADER, sep: str = ",", bom: bool = False) -> list:
    text = "\n".join([header, *lines]).replace(",", sep) + "\n"
    data = ("\ufeff" if bom else "") + text
    return list(read_rows(io.BytesIO(data.encode("utf-8"))))


def errors_of(rows, **kwargs) -> list[tuple[int, str, str]]:
    with pytest.raises(RegistryImportError) as caught:
        site_registry_import(rows=rows, **kwargs)
    return [(e.row, e.field, e.message) for e in caught.value.errors]


@pytest.mark.django_db
def test_good_file_creates_site_with_kinds_coordinates_and_dates(reference):
    result = site_registry_import(
        rows=csv_rows(GOOD, "CORDON-X,Cordon X,,cordon;fmp,ML0201,,,,01/05/2020,31/12/2020"),
        source="registry.csv",
    )
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    nioro = Site.objects.get(code="FMP-NIORO")
    assert nioro.area.pcode == "ML0106"
    assert (nioro.latitude, nioro.longitude) == (Decimal("15.2305"), Decimal("-9.5889"))
    assert nioro.active_from == date(2020, 4, 1)
    cordon = Site.objects.get(code="CORDON-X")
    assert cordon.name_en == "Cordon X"  # defaults to the French name
    assert sorted(cordon.kinds.values_list("code", flat=True)) == ["cordon", "fmp"]
    assert (cordon.active_from, cordon.active_to) == (date(2020, 5, 1), date(2020, 12, 31))
    event = AuditEvent.objects.filter(target="places.site_registry", details__source="registry.csv")
    assert event.get().details["created"] == ["FMP-NIORO", "CORDON-X"]


@pytest.mark.django_db
def test_unknown_pcode(reference):
    rows = csv_rows(GOOD.replace("ML0106", "ML0199"))
    assert errors_of(rows) == [(2, "pcode", "unknown P-code 'ML0199'")]


@pytest.mark.django_db
def test_pcode_of_a_neighbouring_country_is_refused(reference):
    rows = csv_rows(GOOD.replace("ML0106", "SN05").replace("15.2305,-9.5889", ","))
    [(row, field, message)] = errors_of(rows)
    assert (row, field) == (2, "pcode")
    assert "MLI" in message


@pytest.mark.django_db
def test_duplicate_code_in_file(reference):
    rows = csv_rows(GOOD, GOOD.replace("Nioro du Sahel,Nioro", "Nioro bis,Nioro"))
    assert errors_of(rows) == [(3, "code", "duplicate of row 2")]


@pytest.mark.django_db
def test_coordinates_outside_mali(reference):
    # Kidira, the Senegalese town facing Diboli: a real place, but not in Mali.
    rows = csv_rows(GOOD.replace("15.2305,-9.5889", "14.45622,-13.21743"))
    [(row, field, message)] = errors_of(rows)
    assert (row, field) == (2, "latitude")
    assert message.startswith("14.45622, -13.21743 is outside Mali")


@pytest.mark.django_db
def test_swapped_latitude_and_longitude(reference):
    rows = csv_rows(GOOD.replace("15.2305,-9.5889", "-9.5889,15.2305"))
    [(row, field, message)] = errors_of(rows)
    assert (row, field) == (2, "latitude")
    assert message.startswith("-9.5889, 15.2305 looks swapped")


@pytest.mark.django_db
def test_half_coordinates_and_not_a_number(reference):
    rows = csv_rows(
        GOOD.replace("15.2305,-9.5889", "15.2305,"),
        GOOD.replace("FMP-NIORO", "B").replace("15.2305,-9.5889", "abc,NaN"),
    )
    assert errors_of(rows) == [
        (2, "longitude", "give both latitude and longitude, or neither"),
        (3, "latitude", "'abc' is not a number"),
        (3, "longitude", "'NaN' is not a number"),
    ]


@pytest.mark.django_db
def test_bad_dates(reference):
    rows = csv_rows(
        GOOD.replace("2020-04-01,", "2020-13-01,"),
        GOOD.replace("FMP-NIORO", "B").replace("2020-04-01,", "2020-04-01,2020-03-01"),
    )
    assert errors_of(rows) == [
        (2, "active_from", "'2020-13-01' is not a date (use YYYY-MM-DD or DD/MM/YYYY)"),
        (3, "active_to", "is before active_from"),
    ]


@pytest.mark.django_db
def test_required_fields_and_unknown_kind_and_country(reference):
    rows = csv_rows(",,,,ML0106,,,,,", "X,Nom,,fmp;ship,ML0106,,,XXX,,")
    errors = errors_of(rows)
    assert errors[:3] == [
        (2, "code", "required"),
        (2, "name_fr", "required"),
        (2, "kinds", "at least one kind is required"),
    ]
    assert errors[3][:2] == (3, "kinds") and errors[3][2].startswith("unknown kind 'ship'")
    assert errors[4] == (3, "neighbour_country", "unknown country 'XXX'")
    assert len(errors) == 5


@pytest.mark.django_db
def test_missing_column_is_reported_once_on_the_header(reference):
    rows = csv_rows("X,Nom,fmp", header="code,name_fr,kinds")
    assert errors_of(rows) == [(1, "pcode", "column missing from the header row")]


@pytest.mark.django_db
def test_nothing_is_written_when_one_row_is_bad(reference):
    before = list(Site.objects.values_list("code", "name_fr", "latitude").order_by("code"))
    audit_before = AuditEvent.objects.count()
    rows = csv_rows(
        GOOD,
        "BCP-DIBOLI,Diboli renamed,Diboli,bcp;fmp,ML0103,,,SEN,,",  # an update of a shipped site
        GOOD.replace("FMP-NIORO", "FMP-BAD").replace("ML0106", "ML9999"),
    )
    assert errors_of(rows) == [(4, "pcode", "unknown P-code 'ML9999'")]
    assert list(Site.objects.values_list("code", "name_fr", "latitude").order_by("code")) == before
    assert AuditEvent.objects.count() == audit_before


@pytest.mark.django_db
def test_csv_with_bom_and_semicolons_and_decimal_commas(reference):
    line = GOOD.replace("15.2305,-9.5889", "15|2305,-9|5889")
    rows = csv_rows(line, sep=";", bom=True)
    rows = [(n, {k: v.replace("|", ",") for k, v in r.items()}) for n, r in rows]
    assert rows[0][1]["code"] == "FMP-NIORO"  # the BOM is not part of the first header
    result = site_registry_import(rows=rows)
    assert result.created == 1
    assert Site.objects.get(code="FMP-NIORO").latitude == Decimal("15.2305")


@pytest.mark.django_db
def test_xlsx_file_with_typed_cells(reference, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(","))
    sheet.append(
        [
            "FMP-NIORO",
            "Nioro du Sahel",
            None,
            "fmp",
            "ML0106",
            15.2305,
            -9.5889,
            None,
            datetime(2020, 4, 1),
            None,
        ]
    )
    sheet.append(["FMP-BAD", "Mauvais", None, "fmp", "ML0106", -9.5889, 15.2305])
    path = tmp_path / "registry.xlsx"
    workbook.save(path)
    errors = errors_of(read_rows(path))
    assert [(r, f) for r, f, _m in errors] == [(3, "latitude")]
    sheet.delete_rows(3)
    workbook.save(path)
    assert site_registry_import(rows=read_rows(path)).created == 1
    nioro = Site.objects.get(code="FMP-NIORO")
    assert (nioro.latitude, nioro.active_from) == (Decimal("15.2305"), date(2020, 4, 1))


@pytest.mark.django_db
def test_reimport_counts_updates_and_unchanged(reference):
    site_registry_import(rows=csv_rows(GOOD))
    result = site_registry_import(
        rows=csv_rows(GOOD, "BCP-DIBOLI,Diboli,Diboli,bcp;fmp,ML0103,14.1,-11.9,SEN,,")
    )
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert Site.objects.get(code="BCP-DIBOLI").latitude == Decimal("14.1")


@pytest.mark.django_db
def test_importing_user_needs_change_permission_and_scope(make_user):
    kayes_officer = make_user("im_officer", areas=["ML01"])
    # Gao (ML07) is outside a Kayes officer's scope, for a new site and for an existing one.
    rows = csv_rows(
        GOOD.replace("FMP-NIORO", "FMP-GAO")
        .replace("ML0106", "ML0703")
        .replace("15.2305,-9.5889", "16.27,-0.04"),
        "OFF-GAO,Bureau OIM Gao,IOM sub-office Gao,office,ML0106,,,,,",
    )
    errors = errors_of(rows, by=kayes_officer)
    assert errors == [
        (2, "pcode", "P-code 'ML0703' is outside your geographic scope"),
        (3, "code", "site 'OFF-GAO' exists outside your geographic scope"),
    ]
    assert site_registry_import(rows=csv_rows(GOOD), by=kayes_officer).created == 1

    # Without places.change_site, an existing site cannot be changed.
    adder = make_user("viewer", areas=["MLI"])
    from django.contrib.auth.models import Permission

    adder.user_permissions.add(Permission.objects.get(codename="add_site"))
    adder = type(adder).objects.get(pk=adder.pk)
    errors = errors_of(csv_rows(GOOD), by=adder)
    assert errors == [(2, "code", "site 'FMP-NIORO' exists already and you may not change sites")]


@pytest.mark.django_db
def test_latin1_csv_from_old_excel(reference):
    text = "code;name_fr;kinds;pcode\r\nFMP-SEGOU;Ségou gare routière;fmp;ML0401\r\n"
    rows = list(read_rows(io.BytesIO(text.encode("cp1252"))))
    assert site_registry_import(rows=rows).created == 1
    assert Site.objects.get(code="FMP-SEGOU").name_fr == "Ségou gare routière"
