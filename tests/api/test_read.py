"""The read endpoints: generated from the table registry, scoped as the pages are (a record or
area out of scope 404, a table out of role 403), paginated by a stable keyset cursor, exported
with the same writer and HXL row, and the figures as the overview shows them."""

import csv
import io

import pytest
from django.urls import reverse

from hbmm.accounts.models import AuditEvent
from hbmm.api.tables import field_name
from hbmm.presentation.tables import registered_tables

pytestmark = pytest.mark.django_db


def test_every_registered_table_has_a_list_endpoint():
    for table in registered_tables():
        url = reverse(f"api:{table.key.replace('.', '-')}-list")
        assert url.startswith("/api/v1/")


def test_flows_are_read_in_scope_with_the_table_columns(make_user, api, token_of, flows):
    user = make_user("viewer", areas=["ML02"])
    response = api(token=token_of(user)).get("/api/v1/mobility/flows/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [r["site_code"] for r in rows] == ["BCP-KOUREMALE"] * 3
    assert [r["total"] for r in rows] == [60, 6, 8]
    from hbmm.presentation.tables import get_table

    assert set(rows[0]) == {field_name(c) for c in get_table("mobility.flows").columns}
    assert rows[0]["observation_date"] == "2020-04-01"
    assert response.json()["next"] is None


def test_a_record_out_of_scope_is_404_and_in_scope_200(make_user, api, token_of, flows):
    user = make_user("viewer", areas=["ML02"])
    client = api(token=token_of(user))
    kouremale = flows[0].flowcount_set.get() if hasattr(flows[0], "flowcount_set") else None
    from hbmm.mobility.models import FlowCount

    inside = FlowCount.objects.get(submission=flows[0])
    outside = FlowCount.objects.get(submission=flows[3])
    assert kouremale is None or kouremale == inside
    assert client.get(f"/api/v1/mobility/flows/{inside.pk}/").json()["total"] == 60
    assert client.get(f"/api/v1/mobility/flows/{outside.pk}/").status_code == 404
    assert client.get("/api/v1/mobility/flows/?area=ML03").status_code == 404
    assert client.get("/api/v1/mobility/flows/?site=BCP-ZEGOUA").status_code == 404
    assert client.get("/api/v1/mobility/flows/?site=BCP-KOUREMALE").status_code == 200


def test_a_table_out_of_role_is_403(make_user, api, token_of, flows):
    agent = make_user("poe_agent", areas=["ML02"])
    client = api(token=token_of(agent))
    assert client.get("/api/v1/mobility/flows/").status_code == 403
    viewer = make_user("viewer", areas=["ML02"])
    assert api(token=token_of(viewer)).get("/api/v1/health/screenings/").status_code == 403


def test_filters_by_period_and_area(make_user, api, token_of, flows):
    client = api(token=token_of(make_user("viewer", areas=["MLI"])))
    rows = client.get("/api/v1/mobility/flows/?start=2020-04-02&end=2020-04-03").json()["results"]
    assert sorted(r["total"] for r in rows) == [6, 8, 40]
    rows = client.get("/api/v1/mobility/flows/?area=ML03").json()["results"]
    assert sorted(r["total"] for r in rows) == [4, 40]
    response = client.get("/api/v1/mobility/flows/?end=31/04/2020")
    assert response.status_code == 400
    assert "end" in response.json()["detail"]


def test_the_cursor_walks_every_row_once_even_when_rows_arrive(
    make_user, api, token_of, flows, submit
):
    from tests.api.conftest import flow

    client = api(token=token_of(make_user("viewer", areas=["MLI"])))
    response = client.get("/api/v1/mobility/flows/?limit=2").json()
    seen = [r["total"] for r in response["results"]]
    submit("flow_count", flow("2020-03-01", "BCP-ZEGOUA", "incoming", 5, 0, 0, 0))
    while response["next"]:
        response = client.get(response["next"]).json()
        seen += [r["total"] for r in response["results"]]
    assert seen == [60, 6, 8, 40, 4, 5]  # in arrival order, the late one last, none twice
    assert client.get("/api/v1/mobility/flows/?cursor=zzz").status_code == 400
    assert client.get("/api/v1/mobility/flows/?limit=0").status_code == 400
    assert client.get("/api/v1/mobility/flows/?limit=5000").status_code == 400


def test_csv_is_the_table_export_with_its_hxl_row_and_audited(make_user, api, token_of, flows):
    user = make_user("im_officer", areas=["ML03"])
    response = api(token=token_of(user)).get("/api/v1/mobility/flows/?format=csv")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[1][0] == "#date+observed"
    assert len(lines) == 2 + 2
    assert AuditEvent.objects.filter(
        action="export", target="reports.table:mobility.flows", actor=user
    ).exists()
    viewer = make_user("viewer", areas=["ML03"])
    assert api(token=token_of(viewer)).get("/api/v1/mobility/flows/?format=csv").status_code in (
        200,
        403,
    )
    assert api(token=token_of(user)).get("/api/v1/mobility/flows/?format=ods").status_code == 400


def test_computed_tables_page_by_offset(make_user, api, token_of):
    client = api(token=token_of(make_user("viewer", areas=["MLI"])))
    first = client.get("/api/v1/places/sites/?limit=3").json()
    assert len(first["results"]) == 3
    second = client.get(first["next"]).json()
    codes = [r["code"] for r in first["results"] + second["results"]]
    assert len(codes) == len(set(codes)) == 6
    assert client.get("/api/v1/places/sites/9/").status_code == 404  # no detail: computed rows


@pytest.fixture
def screening(reference):
    import datetime as dt
    from decimal import Decimal

    from hbmm.health.screening.services import screening_create
    from hbmm.places.models import Site

    return screening_create(
        point=Site.objects.get(code="BCP-KOUREMALE"),
        screened_at=dt.datetime(2020, 4, 1, 10, tzinfo=dt.UTC),
        notify=False,
        check_scope=False,
        name="Awa Traoré",
        phone="+22370000000",
        temperature=Decimal("36.8"),
        symptoms=[],
        sex="female",
        age=27,
    )


def test_screenings_carry_no_identifiers_and_identifiers_need_the_permission(
    make_user, api, token_of, screening
):
    agent = make_user("poe_agent", areas=["ML02"])
    client = api(token=token_of(agent))
    rows = client.get("/api/v1/health/screenings/").json()["results"]
    assert len(rows) == 1
    assert "Awa" not in str(rows) and "+2237" not in str(rows)
    response = client.get(f"/api/v1/health/screenings/{screening.pk}/identifiers/")
    assert response.status_code == 200
    assert response.json()["identifiers"]["name"] == "Awa Traoré"
    assert (
        AuditEvent.objects.filter(
            action="read_protected", target=f"health.screening:{screening.pk}", actor=agent
        ).count()
        == 1
    )
    elsewhere = make_user("poe_agent", areas=["ML03"])
    url = f"/api/v1/health/screenings/{screening.pk}/identifiers/"
    assert api(token=token_of(elsewhere)).get(url).status_code == 404
    viewer = make_user("viewer", areas=["MLI"])
    assert api(token=token_of(viewer)).get(url).status_code == 403


def test_figures_are_the_overview_figures(make_user, api, token_of, flows):
    user = make_user("viewer", areas=["MLI"])
    response = api(token=token_of(user)).get("/api/v1/figures/?as_of=2020-04-30")
    assert response.status_code == 200
    body = response.json()
    assert body["as_of"] == "2020-04-30"
    figures = {f["key"]: f for s in body["sections"] for f in s["figures"]}
    average = figures["mobility.flow_average"]
    assert average["value"] is not None
    assert average["definition"]
    assert set(average) >= {"value", "denominator", "definition", "as_of", "display"}
    if average["drilldown"]:
        assert average["drilldown"]["table"] == "mobility.flows"
    assert api(token=token_of(user)).get("/api/v1/figures/?as_of=xx").status_code == 400
    agent = make_user("enumerator", areas=["MLI"])
    code = api(token=token_of(agent)).get("/api/v1/figures/").status_code
    assert code == (200 if agent.has_perm("reports.view_situation") else 403)


def test_signals_are_read_in_scope_without_free_text(make_user, api, token_of, reference):
    import datetime as dt

    from hbmm.health.ebs.services import focal_point_register, signal_create
    from hbmm.places.models import AdminArea

    reporter = focal_point_register(
        key="CFP-API", name="Awa Traoré", area=AdminArea.objects.get(pcode="ML0103")
    )
    signal = signal_create(
        reporter=reporter,
        reported_at=dt.datetime(2020, 4, 20, 10, tzinfo=dt.UTC),
        kind="fever_cough_cluster",
        area=AdminArea.objects.get(pcode="ML0103"),
        description="Fièvre chez Awa Traoré et ses voisins",
    )
    officer = make_user("surveillance_officer", areas=["ML01"])
    client = api(token=token_of(officer))
    rows = client.get("/api/v1/health/signals/").json()["results"]
    assert [(r["kind"], r["area_pcode"], r["status"]) for r in rows] == [
        ("fever_cough_cluster", "ML0103", "new")
    ]
    assert "Awa" not in str(rows)
    assert client.get(f"/api/v1/health/signals/{signal.pk}/").status_code == 200
    elsewhere = api(token=token_of(make_user("surveillance_officer", areas=["ML02"])))
    assert elsewhere.get(f"/api/v1/health/signals/{signal.pk}/").status_code == 404
    assert elsewhere.get("/api/v1/health/signals/").json()["results"] == []
    viewer = api(token=token_of(make_user("viewer", areas=["ML01"])))
    assert viewer.get("/api/v1/health/signals/").status_code == 403


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_a_page_costs_the_same_queries_at_one_row_and_at_many(make_user, api, token_of, submit):
    from tests.api.conftest import flow

    client = api(token=token_of(make_user("viewer", areas=["MLI"])))
    submit("flow_count", flow("2020-04-01", "BCP-KOUREMALE", "incoming", 1, 1, 1, 1))
    client.get("/api/v1/me/")  # the token's first use is written once (then once a minute)
    one = _queries(client, "/api/v1/mobility/flows/")
    for day in range(2, 9):
        submit("flow_count", flow(f"2020-04-0{day}", "BCP-ZEGOUA", "outgoing", 2, 2, 2, 2))
    many = _queries(client, "/api/v1/mobility/flows/")
    assert one == many
    # The token (1 read; its use is written at most once a minute), the user's permissions and
    # scope, the page: a handful, whatever the rows.
    assert many <= 8
    sites = _queries(client, "/api/v1/places/sites/?limit=1000")
    assert sites <= 8
