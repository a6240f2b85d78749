"""Every role against the places pages: an action outside the role is 403, a record outside
the scope is 404. The expected codes are written out, not derived from the role files."""

import pytest
from django.urls import reverse

from hbmm.accounts.roles import role_definitions

# role: (sites list, admin areas list, registry import)
EXPECTED = {
    "admin": (200, 200, 200),
    "im_officer": (200, 200, 200),
    "poe_supervisor": (200, 200, 403),
    "poe_agent": (200, 403, 403),
    "enumerator": (200, 403, 403),
    "surveillance_officer": (200, 200, 403),
    "protection_officer": (200, 403, 403),
    "logistics_officer": (200, 200, 403),
    "protection_supervisor": (200, 403, 403),
    "gbv_officer": (200, 403, 403),
    "service_focal_point": (403, 403, 403),
    "programme_manager": (200, 200, 403),
    "partner": (403, 403, 403),
    "viewer": (200, 200, 403),
    None: (403, 403, 403),
}


def test_every_role_is_covered():
    assert set(EXPECTED) - {None} == set(role_definitions())


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(EXPECTED), ids=str)
def test_role_denial_codes_on_places_pages(client, make_user, role):
    client.force_login(make_user(role, areas=["ML01"]))
    pages = ["places:site_list", "places:area_list", "places:site_import"]
    codes = tuple(client.get(reverse(name)).status_code for name in pages)
    assert codes == EXPECTED[role]
    if EXPECTED[role][0] == 200:
        # Allowed to see sites, scoped to Kayes: a Kayes site is shown, a Gao site is not found.
        assert client.get(reverse("places:site_detail", args=["OFF-KAYES"])).status_code == 200
        assert client.get(reverse("places:site_detail", args=["OFF-GAO"])).status_code == 404
    else:
        # Without the role, even an in-scope record is refused: 403, not 404.
        assert client.get(reverse("places:site_detail", args=["OFF-KAYES"])).status_code == 403
