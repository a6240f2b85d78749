"""The supplies pages: the overview, the forms, the tables; the access matrix of every supplies
URL against every role (200 / 403, 404 out of scope)."""

import pytest
from django.urls import reverse

from hbmm.accounts.roles import role_definitions
from hbmm.supplies import services
from hbmm.supplies.models import Movement, Transfer
from tests.supplies.conftest import DAY

pytestmark = pytest.mark.django_db

PAGES = [
    "supplies:index",
    "supplies:ledger",
    "supplies:transfers",
    "supplies:stock",
    "supplies:gaps",
    "supplies:receipt_new",
    "supplies:dispatch_new",
    "supplies:distribution_new",
    "supplies:adjust_new",
]
# role: codes of PAGES, in order (written out, not derived from the role files).
EXPECTED = {
    "admin": (200,) * 9,
    "logistics_officer": (200,) * 9,
    "im_officer": (200, 200, 200, 200, 200, 403, 403, 403, 403),
    "poe_supervisor": (200, 200, 200, 200, 200, 403, 403, 200, 200),
    "poe_agent": (200, 200, 200, 200, 200, 403, 403, 200, 403),
    "enumerator": (403,) * 9,
    "partner": (403,) * 9,
    "protection_supervisor": (403,) * 9,
    "gbv_officer": (403,) * 9,
    "service_focal_point": (403,) * 9,
    "surveillance_officer": (403,) * 9,
    "protection_officer": (403,) * 9,
    "programme_manager": (200, 200, 200, 200, 200, 403, 403, 403, 403),
    "viewer": (200, 200, 200, 200, 200, 403, 403, 403, 403),
    None: (403,) * 9,
}


def test_every_role_is_covered():
    assert set(EXPECTED) - {None} == set(role_definitions())


@pytest.mark.parametrize("role", list(EXPECTED), ids=str)
def test_access_matrix(client, make_user, catalogue, role):
    client.force_login(make_user(role, areas=["ML01"]))
    codes = tuple(client.get(reverse(name)).status_code for name in PAGES)
    assert codes == EXPECTED[role]


def test_receiving_a_transfer_out_of_scope_is_not_found(
    client, make_user, holder, item, stock, logistician
):
    stock("WH-BAMAKO", "PPE-GOWN", 10)
    transfer = services.transfer_dispatch(
        actor=logistician,
        source=holder("WH-BAMAKO"),
        destination=holder("BCP-GOGUI"),
        item=item("PPE-GOWN"),
        quantity=10,
        dispatched_on=DAY,
    )
    url = reverse("supplies:transfer_receive", args=[transfer.pk])
    client.force_login(make_user("poe_agent", sites=["BCP-KOUREMALE"]))
    assert client.get(url).status_code == 404
    client.force_login(make_user("viewer", areas=["MLI"]))
    assert client.get(url).status_code == 403
    agent = make_user("poe_agent", sites=["BCP-GOGUI"])
    client.force_login(agent)
    assert client.get(url).status_code == 200
    response = client.post(url, {"received_on": DAY.isoformat(), "quantity_received": "9"})
    assert response.status_code == 200  # 1 did not arrive: the form asks why, nothing written
    assert response.context["form"].errors["shortfall_reason"] == [  # in French, the default
        "1 des 10 expédiés ne sont pas arrivés\u202f: dites pourquoi (c’est enregistré comme perte)."
    ]
    response = client.post(
        url,
        {"received_on": DAY.isoformat(), "quantity_received": "9", "shortfall_reason": "cassé"},
    )
    assert response.status_code == 302
    transfer.refresh_from_db()
    assert (transfer.status, transfer.quantity_received) == (Transfer.Status.RECEIVED, 9)


def test_dispatch_form_refuses_beyond_stock_in_french(client, holder, item, stock, logistician):
    stock("WH-BAMAKO", "SCR-THERMO", 2)
    client.force_login(logistician)
    response = client.post(
        reverse("supplies:dispatch_new"),
        {
            "source": holder("WH-BAMAKO").pk,
            "destination": f"s{holder('BCP-GOGUI').site_id}",
            "item": item("SCR-THERMO").pk,
            "quantity": "3",
            "dispatched_on": DAY.isoformat(),
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Seulement 2 SCR-THERMO en stock à WH-BAMAKO" in html
    assert not Transfer.objects.exists()


def test_dispatch_to_a_site_that_never_held_stock(client, holder, item, stock, logistician, site):
    """A point of entry is offered as a destination before it holds anything: its holder is
    made by the dispatch."""
    stock("WH-BAMAKO", "SCR-THERMO", 5)
    client.force_login(logistician)
    page = client.get(reverse("supplies:dispatch_new")).content.decode()
    sona = site("BCP-SONA")
    assert f'value="s{sona.pk}"' in page
    response = client.post(
        reverse("supplies:dispatch_new"),
        {
            "source": holder("WH-BAMAKO").pk,
            "destination": f"s{sona.pk}",
            "item": item("SCR-THERMO").pk,
            "quantity": "2",
            "dispatched_on": DAY.isoformat(),
        },
    )
    assert response.status_code == 302
    transfer = Transfer.objects.get()
    assert (transfer.destination.site, transfer.quantity) == (sona, 2)


def test_distribution_form_records_counts(client, holder, item, stock, logistician):
    stock("BCP-GOGUI", "HYG-KIT", 20)
    client.force_login(logistician)
    response = client.post(
        reverse("supplies:distribution_new"),
        {
            "holder": holder("BCP-GOGUI").pk,
            "item": item("HYG-KIT").pk,
            "quantity": "12",
            "occurred_on": DAY.isoformat(),
            "men": "3",
            "women": "7",
            "girls": "2",
        },
    )
    assert response.status_code == 302
    m = Movement.objects.get(kind="distribution")
    assert (m.quantity, m.men, m.women, m.boys, m.girls, m.people) == (-12, 3, 7, None, 2, 12)


def test_index_shows_stock_at_360px_layout_in_both_languages(client, stock, logistician):
    stock("WH-BAMAKO", "PPE-GOWN", 25)
    client.force_login(logistician)
    html = client.get(reverse("supplies:index"), {"as_of": DAY.isoformat()}).content.decode()
    assert '<html lang="fr">' in html and "Stock par détenteur" in html
    assert "Entrepôt central OIM Bamako" in html and "Blouse de protection" in html
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("supplies:index"), {"as_of": DAY.isoformat()}).content.decode()
    assert "Stock per holder" in html and "Protective gown" in html
    assert 'class="table-scroll"' in html  # wide tables scroll inside the page on a phone


def test_ledger_table_and_export(client, stock, logistician, make_user):
    stock("WH-BAMAKO", "PPE-GOWN", 25)
    client.force_login(make_user("viewer", areas=["MLI"]))
    response = client.get(reverse("supplies:ledger"), {"holder": "WH-BAMAKO", "format": "csv"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    assert "#loc+code" in body and "WH-BAMAKO" in body and "PPE-GOWN" in body


def test_ledger_is_scoped(client, stock, make_user):
    stock("WH-BAMAKO", "PPE-GOWN", 25)  # Bamako
    stock("WH-KAYES", "PPE-GOWN", 5)  # Kayes
    client.force_login(make_user("viewer", areas=["ML01"]))
    html = client.get(reverse("supplies:ledger")).content.decode()
    assert "WH-KAYES" in html and "WH-BAMAKO" not in html


def test_index_bad_date_is_a_clear_400(client, logistician):
    client.force_login(logistician)
    response = client.get(reverse("supplies:index"), {"as_of": "2020-13-01"})
    assert response.status_code == 400 and "as_of" in response.content.decode()


def _queries(client, url, params) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    return len(captured)


def test_pages_do_not_query_per_row(client, stock, logistician, holder, item):
    """The overview and the stock table at 1 stock and at 8 (4 holders x 2 items, transfers in
    transit, a distribution): the same number of queries."""
    client.force_login(logistician)
    params = {"as_of": DAY.isoformat()}
    stock("WH-BAMAKO", "PPE-GOWN", 50)
    client.get(reverse("supplies:index"), params)  # the session keeps the as-of date once
    one = (
        _queries(client, reverse("supplies:index"), params),
        _queries(client, reverse("supplies:stock"), params),
        _queries(client, reverse("supplies:ledger"), {}),
    )
    for code in ("WH-KAYES", "WH-GAO", "BCP-GOGUI"):
        stock(code, "PPE-GOWN", 20)
        stock(code, "HYG-KIT", 20)
    for code in ("BCP-GOGUI", "BCP-SONA"):
        services.transfer_dispatch(
            actor=logistician,
            source=holder("WH-BAMAKO"),
            destination=holder(code),
            item=item("PPE-GOWN"),
            quantity=5,
            dispatched_on=DAY,
        )
    services.distribution_record(
        actor=logistician,
        holder=holder("BCP-GOGUI"),
        item=item("HYG-KIT"),
        quantity=3,
        occurred_on=DAY,
        men=1,
        women=2,
    )
    many = (
        _queries(client, reverse("supplies:index"), params),
        _queries(client, reverse("supplies:stock"), params),
        _queries(client, reverse("supplies:ledger"), {}),
    )
    assert many == one
