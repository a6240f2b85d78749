"""Imports that explain themselves: the import page lists the chosen kind's columns (label,
type, required, allowed values, example) in the page's language; the blank XLSX file carries
an instructions sheet and lists that check the code columns; the example file of every kind
imports with no row in quarantine."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from openpyxl import load_workbook

from hbmm.health.ebs.services import focal_point_register
from hbmm.intake.mappers import registered_mappers
from hbmm.intake.models import ImportFile
from hbmm.places.models import AdminArea
from hbmm.places.services import site_registry_import
from hbmm.response.services import organisation_create

# Kinds whose example cannot import on its own: a follow-up visit names a traveller under
# follow-up and a suspect case's step names the case (a screening makes both); supplies move from a stock and a transfer sent first; the
# Johns Hopkins series are the published wide files (a column per date), not filled by hand.
NO_STANDALONE_EXAMPLE = {
    "followup_visit",
    "suspect_case",
    "signal_verification",  # names the signal it verifies
    "lab_results",  # names the samples it gives results for (tests/health/test_labs.py)
    "supplies_receipt",
    "supplies_distribution",
    "epi_jhu_confirmed",
    "epi_jhu_deaths",
    "epi_jhu_recovered",
}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.HBMM_IMPORT_INLINE = True


KINDS = sorted(k for k, m in registered_mappers().items() if m.aliases)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", [k for k in KINDS if k not in NO_STANDALONE_EXAMPLE])
def test_the_example_file_of_every_kind_imports(client, make_user, kind):
    call_command("load_reference", stdout=io.StringIO())  # the response plan, the catalogue
    # What a deployment registers before its first imports (the shipped sites have no MRRC
    # and no IDP site): the examples name them.
    registry = {"kinds": "", "pcode": "ML0703", "name_en": ""}
    site_registry_import(
        rows=[
            (2, registry | {"code": "MRRC-GAO", "name_fr": "CRRM Gao", "kinds": "mrrc"}),
            (3, registry | {"code": "IDP-SENOU", "name_fr": "Sénou", "kinds": "idp_site"}),
        ]
    )
    focal_point_register(
        key="CFP-KTI-01", name="Relais Kati", area=AdminArea.objects.get(pcode="ML0204")
    )
    organisation_create(code="iom", name="OIM", kind="un")
    client.force_login(make_user(None, username="chief", is_superuser=True, areas=["MLI"]))
    response = client.get(f"/intake/imports/example/{kind}.xlsx")
    assert response.status_code == 200
    upload = SimpleUploadedFile(f"{kind}.xlsx", response.content)
    assert client.post("/intake/imports/", {"kind": kind, "file": upload}).status_code == 302
    record = ImportFile.objects.latest("pk")
    quarantined = [s.errors for s in record.submissions.filter(status="quarantined")]
    assert (record.rows_read, record.rows_accepted, quarantined) == (1, 1, []), quarantined


@pytest.mark.django_db
def test_the_blank_xlsx_explains_and_checks_its_columns(client, make_user, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    client.force_login(make_user("im_officer", areas=["MLI"]))
    book = load_workbook(io.BytesIO(client.get("/intake/imports/template/flow_count.xlsx").content))
    assert book.sheetnames == ["data", "instructions", "lists"]
    data = book["data"]
    header = [c.value for c in data[1]]
    assert header == list(registered_mappers()["flow_count"].aliases)
    assert data.max_row == 1  # no HXL row: the import would read it as data
    checks = {str(v.sqref): v.formula1 for v in data.data_validations.dataValidation}
    lists = book["lists"]
    named = {lists.cell(row=1, column=c).value: c for c in range(1, lists.max_column + 1)}
    # The site column is checked against the sites of the user's scope, the direction against
    # the form's choices, countries against ISO 3166, P-codes against the country's areas.
    site = header.index("site") + 1
    assert site == 2 and checks["B2:B5000"].startswith("'lists'!$A$2:$A$")
    site_codes = [
        r[0]
        for r in lists.iter_rows(
            min_row=2, min_col=named["site"], max_col=named["site"], values_only=True
        )
        if r[0]
    ]
    assert "BCP-GOGUI" in site_codes and "OFF-BAMAKO" in site_codes
    direction = [
        r[0]
        for r in lists.iter_rows(
            min_row=2, min_col=named["direction"], max_col=named["direction"], values_only=True
        )
        if r[0]
    ]
    assert direction == ["incoming", "outgoing", "internal"]
    assert {"nationality", "previous_pcode", "transport"} <= set(named)
    rows = list(book["instructions"].values)
    table = rows[
        rows.index(("Colonne", "Libellé", "Type", "Obligatoire", "Valeurs admises", "Exemple"))
        + 1 :
    ]
    by_name = {row[0]: row for row in table}
    assert by_name["men"][1:4] == ("Hommes adultes", "nombre entier", "oui")
    assert by_name["direction"][4].startswith("incoming (Entrant); outgoing (Sortant)")
    assert any("HXL" in (row[0] or "") for row in rows[:6])


@pytest.mark.django_db
def test_the_import_page_lists_the_chosen_kinds_columns(client, make_user, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    client.force_login(make_user("im_officer", areas=["MLI"]))
    page = client.get("/intake/imports/?kind=stranded").content.decode()
    assert '<details class="import-columns" data-kind="stranded" open>' in page
    assert 'data-kind="flow_count">' in page  # the others folded
    section = page.split('data-kind="stranded" open>')[1].split("</details>")[0]
    assert "Migrants bloqués" in section and "nombre entier" in section
    assert "<code>food</code> Nourriture" in section  # a choice: its code and its label
    assert 'href="/intake/imports/example/stranded.xlsx"' in section
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/intake/imports/?kind=stranded").content.decode()
    section = page.split('data-kind="stranded" open>')[1].split("</details>")[0]
    assert "Stranded migrants" in section and "whole number" in section
    assert "<code>food</code>" in section  # (the shipped form's English labels are French)
