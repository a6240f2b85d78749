"""Every generated endpoint answers every role as the table's page does: the same table
permission (403), the same scope (an area outside it 404), and the same rows."""

import pytest

from hbmm.accounts.roles import role_definitions
from hbmm.presentation.tables import registered_tables

pytestmark = pytest.mark.django_db

ROLES = [*sorted(role_definitions()), None]


def _api_url(table) -> str:
    return "/api/v1/" + table.key.replace(".", "/").replace("_", "-") + "/"


@pytest.mark.parametrize("role", ROLES, ids=str)
def test_each_endpoint_answers_as_its_page(role, make_user, api, token_of, client, flows):
    user = make_user(role, areas=["ML02"])
    reader = api(token=token_of(user))
    client.force_login(user)
    seen = {}
    for table in registered_tables():
        page = client.get(f"/reports/drilldown/{table.key}/")
        response = reader.get(_api_url(table) + "?limit=1000")
        assert response.status_code == page.status_code, (table.key, role)
        seen[table.key] = response.status_code
        if page.status_code == 200:
            assert len(response.json()["results"]) == page.context["page"].paginator.count
            away = reader.get(_api_url(table) + "?area=ML03")
            assert away.status_code == 404, (table.key, role)
            assert client.get(f"/reports/drilldown/{table.key}/?area=ML03").status_code == 404
    assert set(seen.values()) <= {200, 403}
    if role == "admin":
        assert set(seen.values()) == {200}
    if role is None:
        assert set(seen.values()) == {403}


def test_without_a_token_every_endpoint_is_401(api):
    for table in registered_tables():
        assert api().get(_api_url(table)).status_code == 401
    assert api().get("/api/v1/figures/").status_code == 401
    assert api().post("/api/v1/submissions/", {}, format="json").status_code == 401


def test_an_unknown_address_is_a_json_404(make_user, api, token_of):
    reader = api(token=token_of(make_user("viewer", areas=["MLI"])))
    response = reader.get("/api/v1/nothing/here/")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert reader.get("/api/v1/mobility/flows/-3/").status_code == 404
