"""Blank files per kind of import: the columns the import reads, and a file filled from the
blank one imports (the import page links each kind its user may import)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from hbmm.intake.mappers import get_mapper
from hbmm.intake.models import ImportFile
from hbmm.mobility.models import FlowCount


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.HBMM_IMPORT_INLINE = True


@pytest.mark.django_db
def test_a_filled_blank_file_imports(client, make_user):
    client.force_login(make_user("im_officer", areas=["MLI"]))
    page = client.get("/intake/imports/").content.decode()
    assert 'href="/intake/imports/template/flow_count.xlsx"' in page
    response = client.get("/intake/imports/template/flow_count.xlsx")
    assert response.status_code == 200
    header = [c.value for c in next(load_workbook(io.BytesIO(response.content)).active.rows)]
    assert header == list(get_mapper("flow_count").aliases)
    assert header[:3] == ["observation_date", "site", "direction"]

    filled = Workbook()
    sheet = filled.active
    sheet.append(header)
    values = {"observation_date": "2020-04-28", "site": "BCP-GOGUI", "direction": "incoming"}
    values |= {"men": 3, "women": 2, "boys": 1, "girls": 0}
    sheet.append([values.get(name) for name in header])
    out = io.BytesIO()
    filled.save(out)
    upload = SimpleUploadedFile("filled.xlsx", out.getvalue())
    assert (
        client.post("/intake/imports/", {"kind": "flow_count", "file": upload}).status_code == 302
    )
    record = ImportFile.objects.latest("pk")
    assert (record.rows_read, record.rows_accepted, record.rows_quarantined) == (1, 1, 0)
    assert FlowCount.objects.get().men == 3


@pytest.mark.django_db
def test_the_csv_blank_file_and_refusals(client, make_user):
    client.force_login(make_user("im_officer", areas=["MLI"]))
    response = client.get("/intake/imports/template/flow_count.csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert text.splitlines() == [",".join(get_mapper("flow_count").aliases)]
    assert client.get("/intake/imports/template/nothing.csv").status_code == 404
    assert client.get("/intake/imports/template/flow_count.pdf").status_code == 404
    client.force_login(make_user("enumerator", areas=["MLI"]))  # imports nothing
    assert client.get("/intake/imports/template/flow_count.csv").status_code == 403


@pytest.mark.django_db
def test_the_import_pages_name_the_kind_in_words(client, make_user, settings):
    """The list and a file's page said 'flow_count', a code, on a French page."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    client.force_login(make_user("im_officer", areas=["MLI"]))
    upload = SimpleUploadedFile("f.csv", b"observation_date,site,direction,men\n")
    assert (
        client.post("/intake/imports/", {"kind": "flow_count", "file": upload}).status_code == 302
    )
    title = client.get("/intake/imports/").content.decode()
    record = ImportFile.objects.latest("pk")
    detail = client.get(f"/intake/imports/{record.pk}/").content.decode()
    for page in (title, detail):
        assert "Registre de suivi des flux" in page and "flow_count<" not in page
