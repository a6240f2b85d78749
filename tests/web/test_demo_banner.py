import pytest
from django.core.cache import cache

from hbmm.intake.services import submission_receive

BANNER = "demonstration data"


@pytest.mark.django_db
def test_pages_say_when_demonstration_data_is_loaded(client, make_user):
    cache.clear()
    client.force_login(make_user("viewer", areas=["MLI"]))
    page = client.get("/places/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and BANNER not in page.content.decode()
    submission_receive(
        channel="file",
        form_id="flow_count",
        instance_id="demo:1",
        payload="{}",
        payload_format="row",
        data={},
        is_demo=True,
    )
    cache.clear()
    page = client.get("/places/", HTTP_ACCEPT_LANGUAGE="en")
    assert BANNER in page.content.decode()
    french = client.get("/places/", HTTP_ACCEPT_LANGUAGE="fr")
    assert "données de démonstration" in french.content.decode()
