import pytest

from hbmm.intake.models import ImportFile

BANNER = "demonstration data"


@pytest.mark.django_db
def test_pages_say_when_demonstration_data_is_loaded(client, make_user):
    client.force_login(make_user("viewer", areas=["MLI"]))
    page = client.get("/places/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and BANNER not in page.content.decode()
    ImportFile.objects.create(
        kind="flow_count", original_name="demo.csv", checksum="0", is_demo=True
    )
    page = client.get("/places/", HTTP_ACCEPT_LANGUAGE="en")
    assert BANNER in page.content.decode()
    french = client.get("/places/", HTTP_ACCEPT_LANGUAGE="fr")
    assert "données de démonstration" in french.content.decode()
