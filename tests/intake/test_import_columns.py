"""Imports that explain themselves: the import page lists the chosen kind's columns (label,
type, required, allowed values, example) in the page's language; the blank XLSX file carries
an instructions sheet and lists that check the code columns; the example file of every kind
imports with no row in quarantine."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from hbmm.health.ebs.services import focal_point_register
from hbmm.intake.mappers import registered_mappers
from hbmm.intake.models import ImportFile
from hbmm.places.models import AdminArea
from hbmm.places.services import site_registry_import
from hbmm.response.services import organisation_create

# Kinds whose example cannot import on its own: a follow-up visit names a traveller under
# follow-up (a screening makes it); supplies move from a stock and a transfer sent first; the
# Johns Hopkins series are the published wide files (a column per date), not filled by hand.
NO_STANDALONE_EXAMPLE = {
    "followup_visit",
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
