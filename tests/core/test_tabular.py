"""XLSX files are ZIP archives of XML: out-of-bounds archives are refused before openpyxl reads
them, declared dimensions and far columns cost nothing, entities are not expanded; every upload
page of tables has the same size limit as file imports."""

import io
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from hbmm.checks import xml_parsing_check
from hbmm.intake.models import ImportFile
from hbmm.places.models import Site
from hbmm.tabular import TableError, count_rows, read_rows, xlsx_archive_check

SHEET = "xl/worksheets/sheet1.xml"
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def xlsx(rows=(("code", "name", "men"), ("A", "Gogui", 3)), *, sheet_xml=None, **parts) -> bytes:
    """A real workbook (openpyxl), with its first sheet's XML or other parts replaced."""
    book = Workbook()
    for row in rows:
        book.active.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    if sheet_xml is not None:
        parts[SHEET] = sheet_xml
    if not parts:
        return buffer.getvalue()
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item.filename, parts.pop(item.filename, source.read(item.filename)))
        for name, content in parts.items():
            target.writestr(name, content)
    return out.getvalue()


def sheet(rows_xml: str, dimension: str = "") -> str:
    ref = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f"<worksheet {NS}>{ref}<sheetData>{rows_xml}</sheetData></worksheet>"


def header_row() -> str:
    cells = "".join(
        f'<c r="{col}1" t="inlineStr"><is><t>{name}</t></is></c>'
        for col, name in zip("ABC", ("code", "name", "men"), strict=True)
    )
    return f'<row r="1">{cells}</row>'


def bomb() -> bytes:
    """A few kilobytes that expand to 24 MB of valid sheet XML (ratio ~ 1000)."""
    return xlsx(sheet_xml=sheet(header_row() + "<row><c><v>1</v></c></row>" * 1_000_000))


def test_a_zip_bomb_is_refused_before_it_is_parsed():
    data = bomb()
    assert len(data) < 100_000
    started = time.process_time()
    with pytest.raises(TableError, match=r"xl/worksheets/sheet1.xml expands \d+ times"):
        list(read_rows(io.BytesIO(data)))
    with pytest.raises(TableError, match="expands"):
        count_rows(io.BytesIO(data))
    assert time.process_time() - started < 2


def test_total_expansion_has_a_ceiling(settings):
    settings.HBMM_XLSX_MAX_UNCOMPRESSED_BYTES = 2_000
    with pytest.raises(TableError, match="expands to .* more than the 2.0"):
        xlsx_archive_check(io.BytesIO(xlsx()))
    settings.HBMM_XLSX_MAX_UNCOMPRESSED_BYTES = 10_000_000
    xlsx_archive_check(io.BytesIO(xlsx()))


def test_not_a_zip_is_a_table_error():
    with pytest.raises(TableError, match="not a readable XLSX workbook"):
        list(read_rows(io.BytesIO(b"PK\x03\x04 but not a zip")))


def test_declared_dimension_and_far_columns_are_ignored():
    """A sheet that declares itself A1:XFD1048576, with a cell in column XFD on each row and a
    gap of 100,000 rows: read as the three columns of its header, in a fraction of a second
    (padding every row to 16,384 cells took minutes)."""
    body = "".join(
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>S{n}</t></is></c>'
        f'<c r="C{n}"><v>{n}</v></c><c r="XFD{n}"><v>9</v></c></row>'
        for n in range(2, 2002)
    )
    far = '<row r="100000"><c r="A100000" t="inlineStr"><is><t>LAST</t></is></c></row>'
    data = xlsx(sheet_xml=sheet(header_row() + body + far, dimension="A1:XFD1048576"))
    started = time.process_time()
    rows = list(read_rows(io.BytesIO(data)))
    assert time.process_time() - started < 3
    assert rows[0] == (2, {"code": "S2", "name": "", "men": 2})
    assert rows[-1] == (100000, {"code": "LAST", "name": "", "men": ""})
    assert len(rows) == 2001


def test_a_header_wider_than_any_table_is_refused():
    cell = '<c r="A1" t="inlineStr"><is><t>code</t></is></c>'
    data = xlsx(sheet_xml=sheet(f'<row r="1">{cell}<c r="XFD1"><v>1</v></c></row>'))
    with pytest.raises(TableError, match="row 1 has 16384 columns"):
        list(read_rows(io.BytesIO(data)))


def test_entities_in_xlsx_parts_are_not_expanded():
    strings = (
        '<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        f'<sst {NS} count="1" uniqueCount="1"><si><t>&b;</t></si></sst>'
    )
    data = _with(xlsx(sheet_xml=sheet('<row r="1"><c r="A1" t="s"><v>0</v></c></row>')), strings)
    with pytest.raises(TableError, match="not a readable XLSX workbook"):
        list(read_rows(io.BytesIO(data)))


def _with(data: bytes, strings: str) -> bytes:
    """`data` with a shared strings part (and its declaration in the content types)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    override = (
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    )
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "[Content_Types].xml" and b"sharedStrings" not in content:
                content = content.replace(b"</Types>", override.encode() + b"</Types>")
            if item.filename == "xl/_rels/workbook.xml.rels" and b"sharedStrings" not in content:
                content = content.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/'
                    b'officeDocument/2006/relationships/sharedStrings" '
                    b'Target="sharedStrings.xml"/></Relationships>',
                )
            if item.filename != "xl/sharedStrings.xml":
                target.writestr(item.filename, content)
        target.writestr("xl/sharedStrings.xml", strings)
    return out.getvalue()


def test_openpyxl_without_defusedxml_is_a_system_check_error(monkeypatch):
    import openpyxl

    assert xml_parsing_check() == []
    monkeypatch.setattr(openpyxl, "DEFUSEDXML", False)
    assert [e.id for e in xml_parsing_check()] == ["hbmm.E003"]


# The synchronous upload pages: same size limit as file imports, and the archive check.


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


@pytest.mark.django_db
def test_site_registry_upload_has_the_upload_size_limit(client, make_user, settings):
    settings.HBMM_MAX_UPLOAD_BYTES = 100
    client.force_login(make_user("im_officer", areas=["MLI"]))
    registry = (
        b"code,name_fr,name_en,kinds,pcode,latitude,longitude\n"
        b"FMP-NEW,Nouveau point,New point,fmp,ML0103,14.4,-11.4\n"
    )
    assert len(registry) > 100
    response = client.post(
        reverse("places:site_import"),
        {"file": upload("sites.csv", registry)},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "The file is larger than 100\xa0bytes." in response.content.decode()
    assert not Site.objects.filter(code="FMP-NEW").exists()


@pytest.mark.django_db
def test_site_registry_upload_refuses_a_zip_bomb(client, make_user):
    client.force_login(make_user("im_officer", areas=["MLI"]))
    response = client.post(
        reverse("places:site_import"),
        {"file": upload("sites.xlsx", bomb())},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "expands" in response.content.decode()


@pytest.mark.django_db
def test_epidemiological_upload_has_the_upload_size_limit(client, make_user, settings):
    settings.HBMM_MAX_UPLOAD_BYTES = 100
    client.force_login(make_user("surveillance_officer", areas=["MLI"]))
    response = client.post(
        reverse("health:epi_import"),
        {"file": upload("time_series_covid19_deaths_global.csv", b"x" * 101)},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "The file is larger than 100\xa0bytes." in response.content.decode()
    assert not ImportFile.objects.exists()


@pytest.mark.django_db
def test_epidemiological_upload_refuses_a_zip_bomb(client, make_user):
    client.force_login(make_user("surveillance_officer", areas=["MLI"]))
    response = client.post(
        reverse("health:epi_import"),
        {"file": upload("time_series_covid19_deaths_global.xlsx", bomb())},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "expands" in response.content.decode()
    assert not ImportFile.objects.exists()


def test_a_csv_cell_too_large_is_a_table_error_naming_its_row():
    """The csv module refuses a cell over 128 KiB: a TableError naming the row (the import
    then fails with that message) rather than a csv.Error escaping the import (found by
    tests/fuzz)."""
    content = b'a,b\n1,2\n"' + b"x" * 140_000 + b'",1\n'
    with pytest.raises(TableError, match="row 3"):
        list(read_rows(io.BytesIO(content), filename="big.csv"))
