"""The pull source admin stores the password or token encrypted and never shows it, and asks
for the source's owner; the submission admin never shows identifiers."""

import pytest
from django.db.models import TextField
from django.db.models.functions import Cast

from hbmm.accounts.models import User
from hbmm.intake.models import PullSource, Submission
from hbmm.intake.receive import submission_receive


@pytest.mark.django_db
def test_pull_source_admin_encrypts_the_secret(admin_client, reference):
    owner = User.objects.get(username="admin")
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
            "owner": str(owner.pk),
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
    stored = PullSource.objects.values_list(Cast("secret_encrypted", TextField()), flat=True).get()
    assert "s3cret" not in stored
    page = admin_client.get(f"/admin/intake/pullsource/{source.pk}/change/").content.decode()
    assert "s3cret" not in page and stored not in page
    data = {
        "name": "Central Kayes",
        "channel": "odk_central",
        "server_url": "https://central.example.org",
        "project_id": "3",
        "remote_form_id": "flow_count",
        "form_id": "flow_count",
        "username": "sync@iom.int",
        "secret": "",
        "owner": str(owner.pk),
        "enabled": "on",
        "page_size": "100",
        "watermark": "",
        "edit_watermark": "",
    }
    admin_client.post(f"/admin/intake/pullsource/{source.pk}/change/", data)
    assert PullSource.objects.get().get_secret() == "s3cret password"  # empty keeps it


@pytest.mark.django_db
def test_a_pull_source_needs_an_owner(admin_client, reference):
    response = admin_client.post(
        "/admin/intake/pullsource/add/",
        {
            "name": "Kobo",
            "channel": "kobo",
            "server_url": "https://kf.kobotoolbox.org",
            "remote_form_id": "aBc",
            "form_id": "flow_count",
            "page_size": "100",
        },
    )
    assert response.status_code == 200
    assert "owner" in response.context["adminform"].form.errors
    assert not PullSource.objects.exists()


@pytest.mark.django_db
def test_the_submission_admin_shows_no_identifier(admin_client, reference):
    data = {"point": "BCP-DIBOLI", "traveller_name": "Awa Traoré", "phone": "+22370000001"}
    submission = submission_receive(
        channel="openrosa",
        form_id="screening",
        instance_id="uuid:adm-1",
        payload="<data><traveller_name>Awa Traoré</traveller_name></data>",
        payload_format="xml",
        data=data,
    ).submission
    page = admin_client.get(f"/admin/intake/submission/{submission.pk}/change/")
    assert page.status_code == 200
    assert "Awa" not in page.content.decode() and "70000001" not in page.content.decode()
    assert Submission.objects.get().protected  # kept, encrypted
