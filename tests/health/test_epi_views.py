"""The epidemiological pages: figures on the page, imports and the bulletin form, access."""

import io
import re

import pytest
from django.urls import reverse

from hbmm.health.models import EpiValue
from tests.health.epi_helpers import real_rows, wide_file


@pytest.fixture
def series(reference):
    reference_out = io.StringIO()
    from hbmm.health import reference as health_reference

    health_reference.load(reference_out)


@pytest.mark.django_db
def test_epi_page_shows_the_plan_figures(client, make_user, series):
    client.force_login(make_user("viewer", areas=["MLI"]))
    response = client.get(reverse("health:epi"), {"as_of": "2020-05-15"})
    assert response.status_code == 200
    html = response.content.decode()
    situation = response.context["situation"]
    assert (situation.confirmed.value, situation.recovered.value, situation.deaths.value) == (
        806,
        455,
        46,
    )
    assert situation.active.value == 305
    for metric, value in (("confirmed", "806"), ("recovered", "455"), ("deaths", "46")):
        card = re.search(
            f'data-figure="covid.{metric}".*?<div class="value"[^>]*>(.*?)</div>', html, re.S
        )
        assert re.sub("<[^>]+>", "", card.group(1)) == value
    assert 'id="epi-curve-spec"' in html
    spec = client.get(reverse("health:epi_curve"), {"as_of": "2020-05-15"}).json()
    assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
    assert response.status_code == 200
    assert client.get(reverse("health:epi"), {"as_of": "15 May"}).status_code == 400
    assert client.get(reverse("health:epi_values")).status_code == 200


@pytest.mark.django_db
def test_epi_access(client, make_user, reference):
    client.force_login(make_user("enumerator", areas=["MLI"]))
    assert client.get(reverse("health:epi")).status_code == 403
    client.force_login(make_user("viewer", areas=["MLI"]))
    assert client.get(reverse("health:epi_import")).status_code == 403
    assert client.get(reverse("health:epi_bulletin")).status_code == 403
    # a region the user may not read is not found
    assert client.get(reverse("health:epi"), {"area": "ML09"}).status_code == 404
    client.logout()
    assert client.get(reverse("health:epi")).status_code == 302


@pytest.mark.django_db
def test_wide_file_upload_guesses_its_kind(client, make_user, reference):
    client.force_login(make_user("surveillance_officer", areas=["MLI"]))
    upload = wide_file(real_rows()[:120], "deaths")
    upload.name = "time_series_covid19_deaths_global.csv"
    response = client.post(
        reverse("health:epi_import"), {"file": upload}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert "120 rows read, 120 accepted" in response.content.decode()
    assert EpiValue.objects.filter(metric="deaths", source="jhu_csse").count() == 120
    # The options are kept with the file: a run again reads it the same way.
    from hbmm.intake.models import ImportFile

    assert ImportFile.objects.get().options == {"neighbours": False}


@pytest.mark.django_db
def test_bulletin_form(client, make_user, reference):
    client.force_login(make_user("surveillance_officer", areas=["MLI"]))
    url = reverse("health:epi_bulletin")
    assert client.get(url).status_code == 200
    bad = client.post(
        url,
        {
            "bulletin_date": "2020-05-15",
            "area": "MLI",
            "confirmed": "10",
            "recovered": "9",
            "deaths": "5",
        },
    )
    assert bad.status_code == 200 and not EpiValue.objects.exists()
    assert "recovered" in bad.context["form"].errors
    good = client.post(
        url,
        {
            "bulletin_date": "2020-05-15",
            "area": "MLI",
            "confirmed": "806",
            "recovered": "455",
            "deaths": "46",
        },
    )
    assert good.status_code == 302
    assert sorted(EpiValue.objects.values_list("metric", "value")) == [
        ("confirmed", 806),
        ("deaths", 46),
        ("recovered", 455),
    ]
    assert EpiValue.objects.first().submission.channel == "web"


@pytest.mark.django_db
def test_epi_page_query_count_does_not_grow_with_days(client, make_user, reference):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from hbmm.intake.channels.files import file_import
    from tests.health.epi_helpers import long_file

    user = make_user("surveillance_officer", areas=["MLI"])
    client.force_login(user)
    rows = real_rows()

    urls = [
        reverse("health:epi") + "?as_of=2020-05-15",
        reverse("health:epi_values"),
        "/reports/drilldown/health.epi/?as_of=2020-05-15",  # the figures' records
    ]

    def count():
        counts = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counts.append(len(queries))
        return counts

    file_import(
        kind="epi_countries_aggregated",
        source=long_file(rows[:10]),
        original_name="a.csv",
        uploaded_by=user,
    )
    count()  # warm: the session keeps the as-of date once (hbmm.presentation.as_of)
    few = count()
    file_import(
        kind="epi_countries_aggregated",
        source=long_file(rows[10:130]),
        original_name="b.csv",
        uploaded_by=user,
    )
    assert count() == few
