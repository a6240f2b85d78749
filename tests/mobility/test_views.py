"""Pages: permissions (403), scope (404 and scoped numbers), drill-down lists and CSV export,
query counts at one and at many rows."""

import datetime as dt
import io

import hxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from hbmm.accounts.models import AuditEvent
from tests.mobility.conftest import flow

LISTS = [
    "/mobility/flows/",
    "/mobility/stranded/",
    "/mobility/mrrc/",
    "/mobility/displacement/",
    "/mobility/events/",
]


@pytest.fixture
def records(submit, mobility_sites):
    for data in [
        flow("2020-04-01", "BCP-KOUREMALE", "incoming", 30, 10, 10, 10),
        flow("2020-04-02", "BCP-ZEGOUA", "outgoing", 20, 10, 5, 5),
    ]:
        assert submit("flow_count", data).status == "accepted"
    assert (
        submit("stranded", {"date": "2020-04-01", "site": "BCP-ZEGOUA", "count": 4}).status
        == "accepted"
    )
    assert (
        submit("mrrc_occupancy", {"date": "2020-04-01", "site": "MRRC-GAO", "total": 7}).status
        == "accepted"
    )
    assert (
        submit(
            "displacement", {"round": 1, "date": "2020-03-31", "pcode": "ML0501", "individus": 10}
        ).status
        == "accepted"
    )
    assert (
        submit("event", {"date": "2020-04-02", "type": "flood", "pcode": "ML0703"}).status
        == "accepted"
    )


def login(client, user):
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_pages_need_a_login_and_the_permission(client, make_user, records):
    for url in ["/mobility/", *LISTS]:
        assert client.get(url).status_code == 302  # to the login page
    login(client, make_user(None, areas=["MLI"]))  # no role
    for url in ["/mobility/", *LISTS]:
        assert client.get(url).status_code == 403, url
    client.logout()
    login(client, make_user("poe_supervisor", areas=["MLI"]))
    assert client.get("/mobility/flows/").status_code == 200
    assert client.get("/mobility/displacement/").status_code == 403
    assert client.get("/mobility/mrrc/").status_code == 403


@pytest.mark.django_db
def test_mobility_page_shows_scoped_figures_with_links(client, make_user, records):
    national = login(client, make_user("viewer", areas=["MLI"]))
    page = national.get("/mobility/?start=2020-04-01&end=2020-04-30&month=2020-04")
    assert page.status_code == 200
    body = page.content.decode()
    period = page.context["period"]
    assert (period.total.value, period.incoming.value, period.outgoing.value) == (100, 60, 40)
    assert page.context["monthly"].value == 50
    assert 'href="/mobility/flows/?end=2020-04-30&amp;start=2020-04-01"' in body
    assert page.context["idps"].value == 10 and page.context["mrrc"].total.value == 7
    assert "flow-chart-spec" in body
    assert not page.context["has_demo"]
    client.logout()
    local = login(client, make_user("viewer", areas=["ML02"]))
    page = local.get("/mobility/?start=2020-04-01&end=2020-04-30")
    assert page.context["period"].total.value == 60
    assert [p.site.code for p in page.context["points"]] == ["BCP-KOUREMALE"]
    assert page.context["idps"].value is None


@pytest.mark.django_db
def test_out_of_scope_area_or_site_is_not_found(client, make_user, records):
    login(client, make_user("viewer", areas=["ML02"]))
    assert client.get("/mobility/?area=ML03").status_code == 404
    assert client.get("/mobility/flows/?site=BCP-ZEGOUA").status_code == 404
    assert client.get("/mobility/flows/?site=BCP-KOUREMALE").status_code == 200
    assert client.get("/mobility/?area=ML02").status_code == 200
    assert client.get("/mobility/?start=2020-13-01").status_code == 400
    listed = client.get("/mobility/flows/")
    assert listed.context["page"].paginator.count == 1


@pytest.mark.django_db
def test_csv_export_lists_the_counted_records_and_is_audited(client, make_user, records):
    user = login(client, make_user("viewer", areas=["MLI"]))
    response = user.get("/mobility/flows/?direction=incoming&format=csv")
    assert response["Content-Type"].startswith("text/csv")
    lines = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff").splitlines()
    assert lines[1].startswith(
        "#date+observed,#loc+code,#loc+name,#indicator+direction,#population+total"
    )
    assert len(lines) == 3 and lines[2].startswith("2020-04-01,BCP-KOUREMALE,")
    assert ",incoming,60,30," in lines[2]
    dataset = hxl.data(io.BytesIO("\n".join(lines).encode()), hxl.InputOptions())
    assert [row.get("#population+total") for row in dataset] == ["60"]
    assert "#country+code+nationality" in [c.display_tag for c in dataset.columns]
    for url in LISTS[1:]:
        body = b"".join(user.get(f"{url}?format=csv").streaming_content).decode()
        parsed = hxl.data(io.BytesIO(body.lstrip("\ufeff").encode()), hxl.InputOptions())
        tags = [c.display_tag for c in parsed.columns]
        assert all(tags) and len(tags) == len(body.splitlines()[0].split(",")), url
        assert len(list(parsed)) == 1, url
    event = AuditEvent.objects.filter(action="export").order_by("pk").first()
    assert event.target == "reports.table:mobility.flows"
    assert event.details["filters"] == {"direction": "incoming"}


@pytest.mark.django_db
def test_list_pages_do_not_grow_queries_with_rows(client, make_user, submit, records):
    user = login(client, make_user("viewer", areas=["MLI"]))
    for url in ["/mobility/", *LISTS]:
        client.get(url)  # warm caches (sessions, permissions)
    counts_one = {}
    for url in ["/mobility/", *LISTS]:
        with CaptureQueriesContext(connection) as one:
            assert user.get(url).status_code == 200
        counts_one[url] = len(one)
    for day in range(3, 28):
        submit("flow_count", flow(f"2020-04-{day:02d}", "BCP-GOGUI", "incoming", 1, 1, 1, 1))
        submit("stranded", {"date": f"2020-04-{day:02d}", "site": "BCP-GOGUI", "count": 2})
        submit("mrrc_occupancy", {"date": f"2020-04-{day:02d}", "site": "MRRC-BAMAKO", "total": 3})
        submit("event", {"date": f"2020-04-{day:02d}", "type": "other", "pcode": "ML0101"})
    for pcode in ["ML0502", "ML0503", "ML0504", "ML0505", "ML0506"]:
        submit("displacement", {"round": 1, "date": "2020-03-31", "pcode": pcode, "individus": 5})
    for url in ["/mobility/", *LISTS]:
        with CaptureQueriesContext(connection) as many:
            assert user.get(url).status_code == 200
        assert len(many) == counts_one[url], (url, counts_one[url], len(many))
        # 42: the figures over whole months read the month summary in two queries (sums and
        # days; points), not one: a constant, whatever the rows.
        assert len(many) <= (42 if url == "/mobility/" else 10), (url, len(many))


@pytest.mark.django_db
def test_mobility_page_in_french(client, make_user, records):
    login(client, make_user("viewer", areas=["MLI"]))
    client.cookies["django_language"] = "fr"
    body = client.get(
        "/mobility/?start=2020-04-01&end=2020-04-30", HTTP_ACCEPT_LANGUAGE="fr"
    ).content
    text = body.decode()
    assert "Personnes observées par jour aux PSF, avril 2020" in text
    assert "Par sens du flux" in text


@pytest.mark.django_db
def test_admin_sets_the_border_closure_date_and_lists_records(client, records):
    from hbmm.accounts.models import User
    from hbmm.mobility import selectors

    admin = User.objects.create_superuser(username="root", password="correct horse battery")
    client.force_login(admin)
    for model in [
        "flowcount",
        "displacementround",
        "displacementfigure",
        "mrrcoccupancy",
        "strandedmigrants",
        "mobilityevent",
    ]:
        assert client.get(f"/admin/mobility/{model}/").status_code == 200, model
    assert client.get("/admin/mobility/flowcount/add/").status_code == 403  # records come from data
    response = client.post(
        "/admin/mobility/mobilitysettings/add/", {"border_closure_date": "2020-03-19"}
    )
    assert response.status_code == 302
    assert selectors.border_closure_date().isoformat() == "2020-03-19"
    event = AuditEvent.objects.get(target="mobility.settings:border_closure_date")
    assert event.actor == admin and event.details == {"before": None, "after": "2020-03-19"}
    listed = client.get("/mobility/flows/")
    assert 'href="/intake/submissions/' in listed.content.decode()


@pytest.mark.django_db
def test_every_figure_links_to_exactly_the_records_it_counts(client, make_user, records):
    from hbmm.mobility.services import border_closure_date_set

    border_closure_date_set(day=dt.date(2020, 4, 2))
    login(client, make_user("viewer", areas=["MLI"]))
    page = client.get("/mobility/?start=2020-03-01&end=2020-04-30&month=2020-04")
    period, until = page.context["period"], page.context["until_closure"]
    counted = {
        "monthly": page.context["monthly"],
        "period": period.total,
        "incoming": period.incoming,
        "outgoing": period.outgoing,
        "until_closure": until.total,
        "stranded": page.context["stranded"],
        "idps": page.context["idps"],
        "mrrc": page.context["mrrc"].total,
    }
    for name, figure in counted.items():
        assert figure.value, name
        assert client.get(figure.drilldown.url()).status_code == 200, name
        column = "count" if name == "stranded" else "total"
        # An average's records add up to the total it averages (its parts), others to the value.
        expected = figure.parts.get("total", figure.value)
        assert sum(_all_pages(client, figure.drilldown.url(), column)) == expected, name
    for _label, rows in page.context["breakdowns"]:
        for figure in rows:
            assert client.get(figure.drilldown.url()).status_code == 200
    for point in page.context["points"]:
        listed = client.get(point.total.drilldown.url())
        assert sum(_column(listed, "total")) == point.total.value
        incoming = client.get(point.incoming.drilldown.url())
        assert sum(_column(incoming, "total")) == point.incoming.value


def _all_pages(client, url: str, key: str) -> list:
    values, page = [], 1
    while True:
        response = client.get(f"{url}&page={page}")
        values += _column(response, key)
        if not response.context["page"].has_next():
            return values
        page += 1


def _column(response, key: str) -> list:
    """The values of one column on a table page."""
    return [v for row in response.context["page"] for c, v in row if c.key == key]


@pytest.mark.django_db
def test_free_text_that_looks_like_a_formula_is_exported_as_text(client, make_user, submit):
    formula = '=HYPERLINK("http://evil.example","details")'
    sent = submit(
        "event", {"date": "2020-04-02", "type": "flood", "pcode": "ML0703", "description": formula}
    )
    assert sent.status == "accepted"
    login(client, make_user("viewer", areas=["MLI"]))
    body = b"".join(client.get("/mobility/events/?format=csv").streaming_content).decode()
    assert "'" + formula.replace('"', '""') in body
    assert "\n" + formula not in body and "," + formula not in body


@pytest.mark.django_db
def test_the_list_shows_labels_and_the_export_keeps_codes(client, make_user, records):
    login(client, make_user("viewer", areas=["MLI"]))
    page = client.get("/mobility/flows/?direction=incoming", HTTP_ACCEPT_LANGUAGE="fr")
    assert [v for row in page.context["page"] for c, v in row if c.key == "direction"] == [
        "entrant"
    ]
    assert "<th>Sens du flux</th>" in page.content.decode()
    export = client.get("/mobility/flows/?direction=incoming&format=xlsx")
    sheet = load_workbook(io.BytesIO(export.content)).active
    header, tags, row = list(sheet.values)
    assert row[tags.index("#indicator+direction")] == "incoming"
    assert row[tags.index("#date+observed")] == dt.datetime(2020, 4, 1)
