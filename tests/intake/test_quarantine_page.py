"""The quarantine correction page of a file row: a human title (form, site, date, row of the
file), one input per field, what to do for each reason, the raw record folded; and the file's
counts follow the corrections ("4 accepted · 2 quarantined" becomes "6 accepted")."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from hbmm.intake.models import ImportFile, Submission
from hbmm.mobility.models import FlowCount

ROWS = b"""Date,Site,Direction,Total,Men,Women,Boys,Girls
2020-04-20,BCP-GOGUI,incoming,6,3,3,0,0
2020-04-21,BCP-GOGUI,incoming,5,2,3,0,0
2020-04-22,BCP-GOGUI,incoming,x7,3,4,0,0
2020-04-23,BCP-GOGUI,incoming,4,2,2,0,0
2020-04-24,BAMAKOO,incoming,4,2,2,0,0
2020-04-25,BCP-GOGUI,incoming,2,1,1,0,0
"""


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.HBMM_IMPORT_INLINE = True


@pytest.fixture
def imported(client, make_user, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    client.force_login(make_user(None, username="chief", is_superuser=True, areas=["MLI"]))
    upload = SimpleUploadedFile("flux.csv", ROWS)
    assert (
        client.post("/intake/imports/", {"kind": "flow_count", "file": upload}).status_code == 302
    )
    record = ImportFile.objects.latest("pk")
    assert (record.rows_read, record.rows_accepted, record.rows_quarantined) == (6, 4, 2)
    rows = {s.row_number: s for s in record.submissions.filter(status="quarantined")}
    assert sorted(rows) == [4, 6]
    return record, rows


def _correct(client, submission, **changes):
    """Post the correction form as a reviewer sends it: every field as shown, some changed."""
    page = client.get(f"/intake/submissions/{submission.pk}/").content.decode()
    shown = dict(re.findall(r'name="(field__[^"]+)" value="([^"]*)"', page))
    response = client.post(
        f"/intake/submissions/{submission.pk}/",
        shown | {f"field__{k}": v for k, v in changes.items()},
    )
    assert response.status_code == 302


def _counts(page: str) -> tuple[int, int]:
    accepted = re.search(r'id="rows_accepted">(\d+)<', page).group(1)
    quarantined = re.search(r'id="rows_quarantined">(\d+)<', page).group(1)
    return int(accepted), int(quarantined)


@pytest.mark.django_db
def test_the_counts_follow_the_corrections(client, imported):
    record, rows = imported
    page = client.get(f"/intake/imports/{record.pk}/").content.decode()
    assert _counts(page) == (4, 2)
    assert 'value="100"' in page  # the run is done: the bar is full

    _correct(client, rows[4], Total="7")
    assert _counts(client.get(f"/intake/imports/{record.pk}/").content.decode()) == (5, 1)
    _correct(client, rows[6], Site="BCP-GOGUI")
    record.refresh_from_db()
    assert (record.rows_accepted, record.rows_quarantined) == (6, 0)
    assert _counts(client.get(f"/intake/imports/{record.pk}/").content.decode()) == (6, 0)
    assert FlowCount.objects.filter(site__code="BCP-GOGUI").count() == 6
    assert not Submission.objects.filter(source_file=record, status="quarantined").exists()


@pytest.mark.django_db
def test_one_input_per_field_and_a_human_title(client, imported):
    _record, rows = imported
    page = client.get(f"/intake/submissions/{rows[4].pk}/").content.decode()
    inputs = re.findall(r'name="field__([^"]+)"', page)
    assert inputs == ["Date", "Site", "Direction", "Total", "Men", "Women", "Boys", "Girls"]
    h1 = re.search(r"<h1>(.*?)</h1>", page, re.S).group(1)
    assert h1 == "Registre de suivi des flux · Gogui · 2020-04-22 · ligne 4 de flux.csv"
    # The reason names the column's label and says what to do, in French.
    assert "Corrigez «\u202fTotal\u202f», puis enregistrez" in page
    assert '<details class="card raw">' in page  # the raw record is folded

    page = client.get(f"/intake/submissions/{rows[6].pk}/").content.decode()
    assert "Point de suivi des flux" in page
    assert "Choisissez l’un des sites proposés" in page
