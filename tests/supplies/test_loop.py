"""The loop with the capacity checklist: each point's gaps beside its stock and what was
dispatched since; the points still waiting; "of the n points that reported no PPE stock in week
W, m received PPE by week W+1 and k reported the gap closed in week W+2"; days of stock left
from the last 4 weeks' use; the daily digest to logistics. Exact values."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail

from hbmm.accounts.scope import EVERYTHING, user_scope
from hbmm.jobs.models import Job
from hbmm.supplies import figures, selectors, services, tasks
from hbmm.supplies.models import StockDigest
from tests.health.poe_helpers import import_rows

pytestmark = pytest.mark.django_db

W = dt.date(2020, 3, 30)  # Monday of ISO week 14 of 2020


def day(offset: int) -> dt.date:
    return W + dt.timedelta(days=offset)


@pytest.fixture
def checklists(make_user):
    im = make_user("im_officer", areas=["MLI"])
    rows = [
        # week W: three points without PPE, one with
        {"site": "BCP-GOGUI", "assessed_on": day(1), "ppe_stock": "no"},
        {"site": "BCP-DIBOLI", "assessed_on": day(2), "ppe_stock": "no"},
        {
            "site": "BCP-KOUREMALE",
            "assessed_on": day(3),
            "ppe_stock": "no",
            "screening_equipment": "no",
        },
        {"site": "FMP-BAMAKO", "assessed_on": day(3), "ppe_stock": "yes"},
        # week W+2: Gogui and Diboli say yes; Kourémalé is not assessed
        {"site": "BCP-GOGUI", "assessed_on": day(15), "ppe_stock": "yes"},
        {"site": "BCP-DIBOLI", "assessed_on": day(16), "ppe_stock": "yes"},
    ]
    record = import_rows(
        "poe_capacity", [{**r, "assessed_on": r["assessed_on"].isoformat()} for r in rows], user=im
    )
    assert record.rows_accepted == 6


@pytest.fixture
def deliveries(checklists, logistician, holder, item, stock):
    stock("WH-BAMAKO", "PPE-GOWN", 500, on=day(0))
    stock("WH-BAMAKO", "SCR-THERMO", 50, on=day(0))
    wh = holder("WH-BAMAKO")

    def send(to, code, quantity, on, received_on=None):
        transfer = services.transfer_dispatch(
            actor=logistician,
            source=wh,
            destination=holder(to),
            item=item(code),
            quantity=quantity,
            dispatched_on=on,
        )
        if received_on:
            services.transfer_receive(
                actor=logistician,
                transfer=transfer,
                received_on=received_on,
                quantity_received=quantity,
            )
        return transfer

    send("BCP-GOGUI", "PPE-GOWN", 100, day(2), received_on=day(9))  # by W+1
    send("BCP-DIBOLI", "PPE-GOWN", 80, day(3), received_on=day(14))  # in W+2: too late
    send("BCP-KOUREMALE", "SCR-THERMO", 5, day(4), received_on=day(8))  # not PPE


def test_each_point_gaps_beside_stock_and_dispatches(deliveries):
    loop = selectors.capacity_loop(scope=EVERYTHING, as_of=day(6))
    rows = {p.site.code: (p.gaps, p.stock, p.dispatched, p.received, p.unanswered) for p in loop}
    assert rows == {
        "BCP-DIBOLI": (["ppe_stock"], {}, {"ppe_stock": 80}, {}, []),
        "BCP-GOGUI": (["ppe_stock"], {}, {"ppe_stock": 100}, {}, []),
        "BCP-KOUREMALE": (
            ["ppe_stock", "screening_equipment"],
            {},
            {"screening_equipment": 5},
            {},
            ["ppe_stock"],
        ),
    }
    waiting = selectors.points_without_dispatch(scope=EVERYTHING, as_of=day(6))
    assert [p.site.code for p in waiting] == ["BCP-KOUREMALE"]
    # A week later Gogui and Kourémalé hold what they received.
    later = {p.site.code: p for p in selectors.capacity_loop(scope=EVERYTHING, as_of=day(13))}
    assert later["BCP-GOGUI"].stock == {"ppe_stock": 100}
    assert later["BCP-GOGUI"].received == {"ppe_stock": 100}
    assert later["BCP-KOUREMALE"].stock == {"screening_equipment": 5}


def test_the_gap_follow_up_figure(deliveries):
    data = selectors.gap_follow_up(scope=EVERYTHING, week_of=day(3))
    assert data.reported == ["BCP-DIBOLI", "BCP-GOGUI", "BCP-KOUREMALE"]  # n = 3
    assert data.received == ["BCP-GOGUI"]  # m = 1 (Diboli's arrived in W+2)
    assert data.closed == ["BCP-DIBOLI", "BCP-GOGUI"]  # k = 2
    assert data.closed_after_receipt == ["BCP-GOGUI"]
    assert data.assessed_again == ["BCP-DIBOLI", "BCP-GOGUI"]
    # On Sunday of W+2 the section's figure is about week W.
    assert figures.follow_up_week(day(20)) == W
    assert figures.follow_up_week(day(21)) == W  # Monday of W+3: W+2 is the last complete
    result = figures.gap_follow_up(scope=EVERYTHING, week_of=W)
    assert (result.received.value, result.received.denominator) == (1, 3)
    assert (result.closed.value, result.closed.denominator) == (2, 3)
    assert result.received.display == "1 of 3 points (33%)"
    assert result.closed.note == "1 of them had received PPE; 2 assessed again in week 16 of 2020"
    assert result.received.drilldown.params == {
        "item": "ppe_stock",
        "answer": "no",
        "start": "2020-03-30",
        "end": "2020-04-05",
    }


def test_the_figure_follows_the_readers_scope(deliveries, make_user):
    kayes = make_user("viewer", areas=["ML01"])  # Gogui and Diboli are in Kayes
    data = selectors.gap_follow_up(scope=user_scope(kayes), week_of=W)
    assert (data.reported, data.received, data.closed) == (
        ["BCP-DIBOLI", "BCP-GOGUI"],
        ["BCP-GOGUI"],
        ["BCP-DIBOLI", "BCP-GOGUI"],
    )


def test_no_checklist_in_week_w_is_no_data_not_zero(reference):
    result = figures.gap_follow_up(scope=EVERYTHING, week_of=W)
    assert result.received.value is None and result.received.display == "no data"


@pytest.fixture
def consumed(logistician, holder, item, stock):
    """Sona: 100 kits received on 1 March; 10 handed out on 5 March (before the 4 weeks), 56
    on 20 March, 14 lost on 1 April: on 5 April, 20 left, 70 used in 28 days (2.5 a day)."""
    sona, kits = holder("BCP-SONA"), item("HYG-KIT")
    stock("BCP-SONA", "HYG-KIT", 100, on=dt.date(2020, 3, 1))
    for on, quantity in ((dt.date(2020, 3, 5), 10), (dt.date(2020, 3, 20), 56)):
        services.distribution_record(
            actor=logistician, holder=sona, item=kits, quantity=quantity, occurred_on=on
        )
    services.stock_adjust(
        actor=logistician,
        holder=sona,
        item=kits,
        kind="loss",
        quantity=14,
        occurred_on=dt.date(2020, 4, 1),
        reason="stolen",
    )
    stock("WH-BAMAKO", "PPE-GOWN", 1000, on=dt.date(2020, 3, 1))  # never used: no rate


def test_days_of_stock_left_and_warnings(consumed):
    as_of = dt.date(2020, 4, 5)
    rows = {
        (r.holder.code, r.item.code): r
        for r in selectors.stock_table(scope=EVERYTHING, as_of=as_of)
    }
    sona = rows[("BCP-SONA", "HYG-KIT")]
    assert (sona.quantity, sona.consumed, sona.days_left) == (20, 70, Decimal("8"))
    assert rows[("WH-BAMAKO", "PPE-GOWN")].days_left is None
    warnings = selectors.stockout_warnings(scope=EVERYTHING, as_of=as_of)
    assert [(r.holder.code, r.item.code) for r in warnings] == [("BCP-SONA", "HYG-KIT")]
    assert selectors.stockout_warnings(scope=EVERYTHING, as_of=as_of, threshold=8) == []
    figure = figures.stockout_warnings(scope=EVERYTHING, as_of=as_of)
    assert figure.value == 1 and figure.drilldown.key == "supplies.stock"


def test_the_daily_digest_is_sent_once_without_personal_data(consumed, make_user, settings):
    settings.HBMM_SUPPLIES_DIGEST_HOUR = 6
    make_user("logistics_officer", areas=["MLI"], email="log@example.org", language="en")
    make_user("logistics_officer", areas=["ML09"], email="bamako@example.org")  # nothing low there
    make_user("viewer", areas=["MLI"], email="viewer@example.org")  # not a recipient
    early = dt.datetime(2020, 4, 5, 5, 0, tzinfo=dt.UTC)
    assert tasks.digest_schedule(now=early) is None and not mail.outbox
    now = dt.datetime(2020, 4, 5, 7, 0, tzinfo=dt.UTC)
    assert tasks.digest_schedule(now=now) == 1
    assert tasks.digest_schedule(now=now) is None  # claimed: once a day
    assert StockDigest.objects.get().messages == 1
    assert Job.objects.get(kind="stock_digest").status == "succeeded"
    [message] = mail.outbox
    assert message.to == ["log@example.org"]
    assert message.subject == ("HBMM stock digest — low stocks: 1; points waiting for supplies: 0")
    assert "- BCP-SONA (Sona): Hygiene kit, 20 in stock, 8 days left" in message.body
    assert "logistics_officer" not in message.body and "@" not in message.body
