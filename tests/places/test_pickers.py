"""Country pickers: a web form offers the countries by name in the page's language (a datalist
the browser filters as one types), reads a name or a code, and stores the ISO3 code."""

import re

import pytest

from hbmm.health.screening.models import Screening
from hbmm.places.pickers import CountryField


def test_a_country_is_read_by_name_or_code_and_kept_as_its_code():
    field = CountryField(required=False)
    assert [field.clean(v) for v in ("Guinée", "guinea", "GIN", "")] == ["GIN", "GIN", "GIN", ""]
    with pytest.raises(Exception, match="Unknown country"):
        field.clean("Atlantis")


@pytest.mark.django_db
def test_the_screening_form_picks_countries_by_name(client, make_user, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    client.force_login(make_user("poe_agent", areas=["ML01"], sites=["BCP-DIBOLI"]))
    page = client.get("/health/screening/new/").content.decode()
    nationality = re.search(r'<input[^>]*name="nationality"[^>]*>', page).group(0)
    assert 'list="id_nationality-countries"' in nationality
    assert '<option value="Guinée">GIN</option>' in page  # the French name, its code beside
    assert re.search(r'<select name="countries_visited"[^>]*multiple', page)
    assert '<option value="SEN">Sénégal</option>' in page
    assert "(ISO3)" not in page

    response = client.post(
        "/health/screening/new/",
        {
            "point": "BCP-DIBOLI",
            "screened_at": "2020-04-28T09:30",
            "sex": "female",
            "nationality": "Guinée",
            "origin_country": "Sénégal",
            "countries_visited": ["SEN", "GIN"],
        },
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    screening = Screening.objects.get()
    assert (screening.nationality, screening.origin_country) == ("GIN", "SEN")
    assert sorted(screening.countries_visited) == ["GIN", "SEN"]


@pytest.mark.django_db
def test_point_of_entry_fields_are_searchable(client, make_user, settings):
    """The point of entry is a select with a search box (hbmm.js, `data-filter`), on the
    screening, capacity and sample forms, its prompt in the page's language."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    client.force_login(make_user("poe_agent", areas=["ML01"], sites=["BCP-DIBOLI"]))
    page = client.get("/health/screening/new/").content.decode()
    point = re.search(r'<select[^>]*name="point"[^>]*>', page).group(0)
    assert 'data-filter="Tapez le nom ou le code du point"' in point
