"""The pull source admin stores the password or token encrypted and never shows it."""

import pytest

from hbmm.intake.models import PullSource


@pytest.mark.django_db
def test_pull_source_admin_encrypts_the_secret(admin_client, reference):
    response = admin_client.post(
        "/admin/intake/pullsource/add/",
        {
            "name": "Central Kayes",
            "channel": "odk_central",
            "server_url": "central.example.org",
            "project_id": "3",
            "remote_form_id": "flow_count",
            "form_id": "flow_count",
            "username": "sync@iom.int",
            "secret": "s3cret password",
            "enabled": "on",
            "page_size": "100",
            "pull_interval": "0",
            "watermark": "",
            "edit_watermark": "",
        },
    )
    assert response.status_code == 302, response.content
    source = PullSource.objects.get()
    assert source.server_url == "https://central.example.org"
    assert source.get_secret() == "s3cret password"
    assert "s3cret" not in source.secret_encrypted
    page = admin_client.get(f"/admin/intake/pullsource/{source.pk}/change/").content.decode()
    assert "s3cret" not in page and source.secret_encrypted not in page
    data = {
        "name": "Central Kayes",
        "channel": "odk_central",
        "server_url": "https://central.example.org",
        "project_id": "3",
        "remote_form_id": "flow_count",
        "form_id": "flow_count",
        "username": "sync@iom.int",
        "secret": "",
        "enabled": "on",
        "page_size": "100",
        "watermark": "",
        "edit_watermark": "",
    }
    admin_client.post(f"/admin/intake/pullsource/{source.pk}/change/", data)
    assert PullSource.objects.get().get_secret() == "s3cret password"  # empty keeps it
