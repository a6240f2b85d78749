"""Imported files and their row reports (whose reasons quote the rows' values) are readable by
their uploader and by reviewers of national scope only; uploads, runs and report downloads
are written to the audit log."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from hbmm.accounts.models import AuditEvent
from hbmm.intake.models import ImportFile

CSV = (
    "Date;Site;Direction;Hommes;Women;Boys;Girls\n"
    "28/04/2020;BCP-GOGUI;incoming;3;2;1;0\n"
    "29/04/2020;FMP-BAMAKO;incoming;-1;1;1;1\n"
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.HBMM_IMPORT_INLINE = True


def upload(client, name="fmr.csv") -> ImportFile:
    response = client.post(
        "/intake/imports/",
        {"kind": "flow_count", "file": SimpleUploadedFile(name, CSV.encode(), "text/csv")},
    )
    assert response.status_code == 302, response.content
    return ImportFile.objects.latest("pk")


def urls(record: ImportFile) -> list[str]:
    base = f"/intake/imports/{record.pk}/"
    return [base, base + "progress.json", base + "report.csv", base + "original/"]


@pytest.mark.django_db
def test_a_national_file_is_not_readable_by_a_regional_reviewer(probe, make_user, client):
    client.force_login(make_user("im_officer", areas=["MLI"]))
    record = upload(client)
    regional = make_user("im_officer", areas=["ML01"])
    client.force_login(regional)
    for url in urls(record):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/intake/imports/{record.pk}/rerun/").status_code == 404
    assert list(client.get("/intake/imports/").context["page"]) == []


@pytest.mark.django_db
def test_a_regional_file_is_readable_by_its_uploader_and_national_reviewers(
    probe, make_user, client
):
    client.force_login(make_user("im_officer", areas=["ML01"]))
    record = upload(client)
    for url in urls(record):
        assert client.get(url).status_code == 200, url
    client.force_login(make_user("im_officer", areas=["ML01"]))  # a colleague of the region
    assert client.get(urls(record)[0]).status_code == 404
    client.force_login(make_user("im_officer", areas=["MLI"]))
    for url in urls(record):
        assert client.get(url).status_code == 200, url


@pytest.mark.django_db
def test_upload_run_and_report_download_are_audited(probe, make_user, client):
    officer = make_user("im_officer", areas=["MLI"])
    client.force_login(officer)
    record = upload(client)
    target = f"intake.importfile:{record.pk}"
    events = list(AuditEvent.objects.filter(target=target).order_by("pk"))
    assert [(e.action, e.details["event"]) for e in events] == [
        ("data_change", "upload"),
        ("data_change", "run"),
    ]
    assert all(e.actor == officer for e in events)
    assert events[0].details["name"] == "fmr.csv" and events[0].details["kind"] == "flow_count"
    assert events[1].details["rows_accepted"] == 1 and events[1].details["rows_quarantined"] == 1
    reader = make_user("im_officer", areas=["MLI"])
    client.force_login(reader)
    response = client.get(f"/intake/imports/{record.pk}/report.csv")
    b"".join(response.streaming_content)
    download = AuditEvent.objects.filter(target=target).latest("pk")
    assert (download.action, download.actor, download.details["event"]) == (
        "export",
        reader,
        "import_report",
    )


@pytest.mark.django_db
def test_the_file_as_received_is_downloaded_through_the_app_and_audited(
    probe, make_user, client, admin_client
):
    officer = make_user("im_officer", areas=["MLI"])
    client.force_login(officer)
    record = upload(client)
    response = client.get(f"/intake/imports/{record.pk}/original/")
    assert b"".join(response.streaming_content).decode() == CSV
    assert 'filename="fmr.csv"' in response["Content-Disposition"]
    event = AuditEvent.objects.filter(target=f"intake.importfile:{record.pk}").latest("pk")
    assert (event.action, event.actor, event.details["event"]) == (
        "export",
        officer,
        "import_original",
    )
    # The admin links to that download, not to MEDIA_URL (not served: personal data).
    page = admin_client.get(f"/admin/intake/importfile/{record.pk}/change/").content.decode()
    assert f"/intake/imports/{record.pk}/original/" in page
    assert "/media/" not in page


@pytest.mark.django_db
def test_the_admin_file_page_links_to_the_stored_file_and_the_link_answers(
    probe, admin_client, reference
):
    """Issue 18: the admin's import-file page linked to MEDIA_URL, which is not served (404).
    It links to the scoped, audited download, which answers with the file as received."""
    record = upload(admin_client)
    page = admin_client.get(f"/admin/intake/importfile/{record.pk}/change/").content.decode()
    assert "/media/" not in page
    link = f'href="/intake/imports/{record.pk}/original/"'
    assert link in page
    response = admin_client.get(f"/intake/imports/{record.pk}/original/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == CSV.encode()
