"""The stock ledger: stock on hand is the sum of the ledger; what would make it negative is
refused (also when two dispatches of the last units race); the ledger is append-only;
transfers are dispatched, in transit, then received; permissions and scope on every write."""

import datetime as dt
import threading
import time
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import Sum

from hbmm.accounts.models import AuditEvent
from hbmm.accounts.scope import EVERYTHING
from hbmm.supplies import selectors, services
from hbmm.supplies.models import Balance, Movement, Transfer
from tests.supplies.conftest import DAY

pytestmark = pytest.mark.django_db


def _ledger_sum(holder, item) -> int:
    return Movement.objects.filter(holder=holder, item=item).aggregate(t=Sum("quantity"))["t"] or 0


def test_catalogue_loads_once_and_is_idempotent(catalogue):
    again = services.catalogue_load()
    assert again["items"].created == 0 and again["items"].unchanged == 20
    assert again["warehouses"].unchanged == 4


def test_stock_on_hand_is_the_ledger_sum_through_every_kind(logistician, holder, item, stock):
    wh, poe, gown = holder("WH-BAMAKO"), holder("BCP-KOUREMALE"), item("PPE-GOWN")
    stock("WH-BAMAKO", "PPE-GOWN", 100)
    transfer = services.transfer_dispatch(
        actor=logistician, source=wh, destination=poe, item=gown, quantity=40, dispatched_on=DAY
    )
    assert transfer.status == Transfer.Status.IN_TRANSIT
    assert selectors.stock_of(scope=EVERYTHING, holder=wh, item=gown) == 60
    assert selectors.stock_of(scope=EVERYTHING, holder=poe, item=gown) == 0  # in transit
    services.transfer_receive(
        actor=logistician,
        transfer=transfer,
        received_on=DAY + dt.timedelta(days=2),
        quantity_received=38,
        shortfall_reason="2 gowns torn",
    )
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.RECEIVED and transfer.shortfall == 2
    services.distribution_record(
        actor=logistician,
        holder=poe,
        item=gown,
        quantity=10,
        occurred_on=DAY + dt.timedelta(3),
        men=4,
        women=5,
        boys=1,
        girls=0,
    )
    services.stock_adjust(
        actor=logistician,
        holder=poe,
        item=gown,
        kind="loss",
        quantity=3,
        occurred_on=DAY + dt.timedelta(4),
        reason="damaged by rain",
    )
    services.stock_adjust(
        actor=logistician,
        holder=wh,
        item=gown,
        kind="adjustment",
        quantity=-5,
        occurred_on=DAY + dt.timedelta(4),
        reason="physical count",
    )
    rows = {(r.holder_id, r.item_id): r.quantity for r in selectors.stock_on_hand(scope=EVERYTHING)}
    assert rows == {(wh.pk, gown.pk): 55, (poe.pk, gown.pk): 25}
    for h in (wh, poe):
        balance = Balance.objects.get(holder=h, item=gown)
        assert balance.quantity == _ledger_sum(h, gown) == rows[(h.pk, gown.pk)]
    # As of an earlier day, the later movements are not counted.
    early = selectors.stock_on_hand(scope=EVERYTHING, as_of=DAY + dt.timedelta(days=2))
    assert {(r.holder_id, r.quantity) for r in early} == {(wh.pk, 60), (poe.pk, 38)}


def test_a_dispatch_beyond_the_stock_is_refused_and_writes_nothing(
    logistician, holder, item, stock
):
    stock("WH-BAMAKO", "SCR-THERMO", 5)
    before = Movement.objects.count(), Transfer.objects.count()
    with pytest.raises(services.InsufficientStock) as refused:
        services.transfer_dispatch(
            actor=logistician,
            source=holder("WH-BAMAKO"),
            destination=holder("BCP-GOGUI"),
            item=item("SCR-THERMO"),
            quantity=6,
            dispatched_on=DAY,
        )
    assert "Only 5 SCR-THERMO in stock at WH-BAMAKO" in refused.value.message_dict["quantity"][0]
    assert (Movement.objects.count(), Transfer.objects.count()) == before


def test_distribution_and_loss_beyond_the_stock_are_refused(logistician, holder, item, stock):
    stock("BCP-GOGUI", "HYG-KIT", 3)
    with pytest.raises(services.InsufficientStock):
        services.distribution_record(
            actor=logistician,
            holder=holder("BCP-GOGUI"),
            item=item("HYG-KIT"),
            quantity=4,
            occurred_on=DAY,
        )
    with pytest.raises(services.InsufficientStock):
        services.stock_adjust(
            actor=logistician,
            holder=holder("BCP-GOGUI"),
            item=item("HYG-KIT"),
            kind="adjustment",
            quantity=-4,
            occurred_on=DAY,
            reason="count",
        )
    assert _ledger_sum(holder("BCP-GOGUI"), item("HYG-KIT")) == 3


def test_batches_and_expiry(logistician, holder, item, stock):
    masks = item("PPE-MASK-SURG")
    with pytest.raises(ValidationError) as missing:
        services.receipt_record(
            actor=logistician,
            holder=holder("WH-BAMAKO"),
            item=masks,
            quantity=10,
            occurred_on=DAY,
            supplier="S",
            order_reference="PO-1",
        )
    assert "batch" in missing.value.message_dict
    stock("WH-BAMAKO", "PPE-MASK-SURG", 10, batch="A", expires_on=dt.date(2020, 5, 1))
    stock("WH-BAMAKO", "PPE-MASK-SURG", 10, batch="B", expires_on=dt.date(2021, 5, 1))
    # Batch A holds 10: 11 from it are refused although the holder has 20.
    with pytest.raises(services.InsufficientStock):
        services.distribution_record(
            actor=logistician,
            holder=holder("WH-BAMAKO"),
            item=masks,
            quantity=11,
            occurred_on=DAY,
            batch="A",
        )
    transfer = services.transfer_dispatch(
        actor=logistician,
        source=holder("WH-BAMAKO"),
        destination=holder("BCP-GOGUI"),
        item=masks,
        quantity=4,
        dispatched_on=DAY,
        batch="A",
    )
    assert transfer.expires_on == dt.date(2020, 5, 1)
    expiring = selectors.expiring_batches(scope=EVERYTHING, as_of=DAY, within_days=90)
    assert [(e.holder.code, e.batch, e.quantity) for e in expiring] == [("WH-BAMAKO", "A", 6)]


def test_the_ledger_is_append_only(stock):
    movement = stock("WH-BAMAKO", "PPE-GOWN", 10)
    with pytest.raises(PermissionError):
        movement.save()
    with pytest.raises(PermissionError):
        movement.delete()
    with pytest.raises(PermissionError):
        Movement.objects.filter(pk=movement.pk).update(quantity=11)
    with pytest.raises(PermissionError):
        Movement.objects.all().delete()


def test_a_transfer_is_received_once_and_not_more_than_sent(logistician, holder, item, stock):
    stock("WH-BAMAKO", "PPE-GOWN", 10)
    transfer = services.transfer_dispatch(
        actor=logistician,
        source=holder("WH-BAMAKO"),
        destination=holder("BCP-GOGUI"),
        item=item("PPE-GOWN"),
        quantity=10,
        dispatched_on=DAY,
    )
    with pytest.raises(ValidationError) as too_many:
        services.transfer_receive(
            actor=logistician, transfer=transfer, received_on=DAY, quantity_received=11
        )
    assert "quantity_received" in too_many.value.message_dict
    with pytest.raises(ValidationError) as early:
        services.transfer_receive(
            actor=logistician,
            transfer=transfer,
            received_on=DAY - dt.timedelta(1),
            quantity_received=10,
        )
    assert "received_on" in early.value.message_dict
    services.transfer_receive(
        actor=logistician, transfer=transfer, received_on=DAY, quantity_received=10
    )
    with pytest.raises(ValidationError) as twice:
        services.transfer_receive(
            actor=logistician, transfer=transfer, received_on=DAY, quantity_received=10
        )
    assert "already received" in twice.value.message_dict["transfer"][0]
    assert _ledger_sum(holder("BCP-GOGUI"), item("PPE-GOWN")) == 10


def test_receipt_needs_supplier_and_order(logistician, holder, item):
    with pytest.raises(ValidationError) as refused:
        services.receipt_record(
            actor=logistician,
            holder=holder("WH-BAMAKO"),
            item=item("PPE-GOWN"),
            quantity=5,
            occurred_on=DAY,
            supplier=" ",
            order_reference="PO",
            unit_cost=Decimal("2.50"),
        )
    assert list(refused.value.message_dict) == ["supplier"]


def test_permissions_and_scope_of_writes(make_user, holder, item, stock):
    stock("BCP-KOUREMALE", "PPE-GOWN", 10)  # Koulikoro region (ML02)
    agent = make_user("poe_agent", sites=["BCP-KOUREMALE"])
    viewer = make_user("viewer", areas=["MLI"])
    args = {"holder": holder("BCP-KOUREMALE"), "item": item("PPE-GOWN"), "occurred_on": DAY}
    with pytest.raises(PermissionDenied):
        services.distribution_record(actor=viewer, quantity=1, **args)
    with pytest.raises(PermissionDenied):  # an agent may not adjust
        services.stock_adjust(actor=agent, kind="loss", quantity=1, reason="x", **args)
    services.distribution_record(actor=agent, quantity=1, **args)
    other = make_user("poe_agent", sites=["BCP-GOGUI"])
    with pytest.raises(ValidationError) as out:
        services.distribution_record(actor=other, quantity=1, **args)
    assert "outside your scope" in out.value.message_dict["holder"][0]
    supervisor = make_user("poe_supervisor", areas=["ML02"])
    with pytest.raises(ValidationError) as no_reason:
        services.stock_adjust(actor=supervisor, kind="loss", quantity=1, reason=" ", **args)
    assert "reason" in no_reason.value.message_dict
    services.stock_adjust(actor=supervisor, kind="loss", quantity=1, reason="expired", **args)
    assert _ledger_sum(holder("BCP-KOUREMALE"), item("PPE-GOWN")) == 8


def test_a_future_date_is_refused(logistician, holder, item):
    with pytest.raises(ValidationError) as future:
        services.receipt_record(
            actor=logistician,
            holder=holder("WH-BAMAKO"),
            item=item("PPE-GOWN"),
            quantity=5,
            occurred_on=dt.date.today() + dt.timedelta(days=1),
            supplier="S",
            order_reference="PO",
        )
    assert "occurred_on" in future.value.message_dict


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_dispatches_of_the_last_units_one_is_refused(
    logistician, holder, item, stock, monkeypatch
):
    """Real threads, real transactions, on the engine the suite runs on: both dispatches start
    together; the first holds the balance's lock a moment after reading the stock; the second waits for it, then
    finds the stock gone. Without the lock both would read 5 in stock and both would pass."""
    stock("WH-BAMAKO", "SCR-THERMO", 5)
    source, gown = holder("WH-BAMAKO"), item("SCR-THERMO")
    destinations = [holder("BCP-GOGUI"), holder("BCP-KOUREMALE")]
    in_ledger = services.stock_in_ledger

    def slow_stock_in_ledger(*args):
        found = in_ledger(*args)
        time.sleep(0.5)  # widen the window in which an unlocked reader would also see 5
        return found

    monkeypatch.setattr(services, "stock_in_ledger", slow_stock_in_ledger)
    start = threading.Barrier(2)
    outcomes: list[str] = []
    failures: list[BaseException] = []

    def dispatch(destination):
        try:
            start.wait(timeout=10)
            services.transfer_dispatch(
                actor=logistician,
                source=source,
                destination=destination,
                item=gown,
                quantity=5,
                dispatched_on=DAY,
            )
            outcomes.append("dispatched")
        except services.InsufficientStock:
            outcomes.append("refused")
        except BaseException as exc:  # reported below, in the main thread
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=dispatch, args=(d,)) for d in destinations]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    assert sorted(outcomes) == ["dispatched", "refused"]
    assert _ledger_sum(source, gown) == 0
    assert Balance.objects.get(holder=source, item=gown).quantity == 0
    assert Transfer.objects.count() == 1


def test_stock_table_shows_only_holders_in_scope_and_transit_as_of(
    logistician, holder, item, stock, make_user
):
    """A Bamako reader sees the transfer leave the Bamako warehouse, not a row for the Kayes
    point it goes to; in transit is as of the day asked."""
    from hbmm.accounts.scope import user_scope

    stock("WH-BAMAKO", "PPE-GOWN", 10)
    transfer = services.transfer_dispatch(
        actor=logistician,
        source=holder("WH-BAMAKO"),
        destination=holder("BCP-GOGUI"),
        item=item("PPE-GOWN"),
        quantity=4,
        dispatched_on=DAY,
    )
    bamako = user_scope(make_user("viewer", areas=["ML09"]))
    rows = selectors.stock_table(scope=bamako, as_of=DAY)
    assert [(r.holder.code, r.quantity, r.in_transit) for r in rows] == [("WH-BAMAKO", 6, 0)]
    services.transfer_receive(
        actor=logistician,
        transfer=transfer,
        received_on=DAY + dt.timedelta(days=3),
        quantity_received=4,
    )
    before = selectors.stock_table(scope=EVERYTHING, as_of=DAY + dt.timedelta(days=1))
    after = selectors.stock_table(scope=EVERYTHING, as_of=DAY + dt.timedelta(days=3))
    gogui = [(r.quantity, r.in_transit) for r in before if r.holder.code == "BCP-GOGUI"]
    assert gogui == [(0, 4)]
    gogui = [(r.quantity, r.in_transit) for r in after if r.holder.code == "BCP-GOGUI"]
    assert gogui == [(4, 0)]


# --- First expiry, first out; expired batches; shortfalls ------------------------------------


def _batches(holder, item) -> dict[str, int]:
    return {b.batch: b.quantity for b in services.batch_stocks(holder, item) if b.quantity}


def test_a_dispatch_without_batch_takes_the_batches_that_expire_first(
    logistician, holder, item, stock
):
    masks, bamako = item("PPE-MASK-SURG"), holder("WH-BAMAKO")
    # Received in an order that is not the expiry order; batch C is already past its expiry.
    stock("WH-BAMAKO", "PPE-MASK-SURG", 30, batch="LATE", expires_on=dt.date(2022, 1, 1))
    stock("WH-BAMAKO", "PPE-MASK-SURG", 10, batch="SOON", expires_on=dt.date(2020, 6, 30))
    stock("WH-BAMAKO", "PPE-MASK-SURG", 8, batch="GONE", expires_on=dt.date(2020, 4, 1))
    stock("WH-BAMAKO", "PPE-MASK-SURG", 20, batch="MID", expires_on=dt.date(2021, 1, 1))
    transfer = services.transfer_dispatch(
        actor=logistician,
        source=bamako,
        destination=holder("BCP-GOGUI"),
        item=masks,
        quantity=25,
        dispatched_on=DAY,
    )
    lines = Movement.objects.filter(transfer=transfer).order_by("pk")
    assert [(m.batch, m.quantity, m.expires_on) for m in lines] == [
        ("SOON", -10, dt.date(2020, 6, 30)),
        ("MID", -15, dt.date(2021, 1, 1)),
    ]
    # The transfer carries two batches: it names none, and the first expiry of what it carries.
    assert (transfer.batch, transfer.expires_on) == ("", dt.date(2020, 6, 30))
    assert _batches(bamako, masks) == {"LATE": 30, "GONE": 8, "MID": 5}
    # Received whole: the point's ledger gets the same batches.
    services.transfer_receive(
        actor=logistician, transfer=transfer, received_on=DAY, quantity_received=25
    )
    assert _batches(holder("BCP-GOGUI"), masks) == {"SOON": 10, "MID": 15}
    # A distribution without batch: the rest of MID, then LATE; the people are counted once.
    lines = services.distribution_record(
        actor=logistician,
        holder=bamako,
        item=masks,
        quantity=7,
        occurred_on=DAY,
        men=3,
        women=4,
    )
    assert [(m.batch, m.quantity, m.men, m.women) for m in lines] == [
        ("MID", -5, 3, 4),
        ("LATE", -2, None, None),
    ]
    assert _batches(bamako, masks) == {"LATE": 28, "GONE": 8}
    assert (
        _ledger_sum(bamako, masks) == 36 == Balance.objects.get(holder=bamako, item=masks).quantity
    )


def test_an_expired_batch_is_not_dispatched_nor_distributed(logistician, holder, item, stock):
    masks, bamako = item("PPE-MASK-SURG"), holder("WH-BAMAKO")
    stock("WH-BAMAKO", "PPE-MASK-SURG", 8, batch="GONE", expires_on=dt.date(2020, 4, 5))
    stock("WH-BAMAKO", "PPE-MASK-SURG", 5, batch="OK", expires_on=dt.date(2020, 4, 6))
    args = {"actor": logistician, "item": masks, "quantity": 3}
    # Named, the expired batch is refused, with its date.
    with pytest.raises(ValidationError) as named:
        services.transfer_dispatch(
            source=bamako, destination=holder("BCP-GOGUI"), dispatched_on=DAY, batch="GONE", **args
        )
    assert named.value.message_dict["batch"] == [
        "Batch GONE of PPE-MASK-SURG expired on 2020-04-05: it is not dispatched nor "
        "distributed (record it as a loss)."
    ]
    with pytest.raises(ValidationError) as named_too:
        services.distribution_record(holder=bamako, occurred_on=DAY, batch="GONE", **args)
    assert "batch" in named_too.value.message_dict
    # Unnamed, beyond the 5 not expired (a batch expiring on the day still goes): refused,
    # saying what has expired.
    with pytest.raises(services.InsufficientStock) as short:
        services.distribution_record(holder=bamako, occurred_on=DAY, **(args | {"quantity": 6}))
    assert short.value.message_dict["quantity"] == [
        "Only 5 PPE-MASK-SURG not expired in stock at WH-BAMAKO (8 expired: GONE (2020-04-05)): "
        "6 cannot leave it."
    ]
    assert Transfer.objects.count() == 0
    assert _batches(bamako, masks) == {"GONE": 8, "OK": 5}
    services.distribution_record(holder=bamako, occurred_on=DAY, **(args | {"quantity": 5}))
    # The expired batch leaves as a loss, with its reason.
    services.stock_adjust(
        actor=logistician,
        holder=bamako,
        item=masks,
        kind="loss",
        quantity=8,
        occurred_on=DAY,
        reason="expired",
        batch="GONE",
    )
    assert _ledger_sum(bamako, masks) == 0


def test_a_shortfall_is_a_loss_with_its_reason_in_the_receivers_ledger(
    logistician, holder, item, stock
):
    masks, bamako, gogui = item("PPE-MASK-SURG"), holder("WH-BAMAKO"), holder("BCP-GOGUI")
    stock("WH-BAMAKO", "PPE-MASK-SURG", 10, batch="A", expires_on=dt.date(2020, 6, 1))
    stock("WH-BAMAKO", "PPE-MASK-SURG", 10, batch="B", expires_on=dt.date(2020, 7, 1))
    transfer = services.transfer_dispatch(
        actor=logistician,
        source=bamako,
        destination=gogui,
        item=masks,
        quantity=16,
        dispatched_on=DAY,
    )
    assert selectors.in_transit(scope=EVERYTHING) == {(gogui.pk, masks.pk): 16}
    receive = {"actor": logistician, "transfer": transfer, "received_on": DAY}
    with pytest.raises(ValidationError) as why:
        services.transfer_receive(quantity_received=9, **receive)
    assert why.value.message_dict["shortfall_reason"] == [
        "7 of the 16 dispatched did not arrive: say why (it is recorded as a loss)."
    ]
    transfer.refresh_from_db()
    assert transfer.status == "in_transit" and not gogui.movement_set.exists()
    services.transfer_receive(quantity_received=9, shortfall_reason="  carton volé ", **receive)
    lines = Movement.objects.filter(holder=gogui).order_by("pk")
    assert [(m.kind, m.batch, m.quantity, m.reason) for m in lines] == [
        ("transfer_in", "A", 10, ""),
        ("transfer_in", "B", 6, ""),
        ("loss", "A", -7, f"Shortfall of transfer T{transfer.pk}: carton volé"),
    ]
    # Stock on hand is the ledger's sum, nothing is in transit any more, and every unit
    # dispatched is in a ledger: 9 at the point, 7 lost with a reason.
    assert selectors.stock_of(scope=EVERYTHING, holder=gogui, item=masks) == 9
    assert Balance.objects.get(holder=gogui, item=masks).quantity == 9
    assert selectors.in_transit(scope=EVERYTHING) == {}
    assert selectors.stock_table(scope=EVERYTHING, as_of=DAY, holder=gogui)[0].in_transit == 0
    assert (
        -Movement.objects.filter(transfer=transfer, kind="dispatch").aggregate(t=Sum("quantity"))[
            "t"
        ]
        == 9 + 7
    )
    assert _batches(gogui, masks) == {"A": 3, "B": 6}
    # The shortfall is not use at the point: its 4 weeks' consumption stays 0.
    assert selectors.consumption(scope=EVERYTHING, as_of=DAY) == {}
    assert AuditEvent.objects.filter(action="supplies.shortfall", target=f"T{transfer.pk}").exists()


def test_nothing_received_is_a_loss_of_the_whole_transfer(logistician, holder, item, stock):
    stock("WH-BAMAKO", "PPE-GOWN", 5)
    gogui = holder("BCP-GOGUI")
    transfer = services.transfer_dispatch(
        actor=logistician,
        source=holder("WH-BAMAKO"),
        destination=gogui,
        item=item("PPE-GOWN"),
        quantity=5,
        dispatched_on=DAY,
    )
    services.transfer_receive(
        actor=logistician,
        transfer=transfer,
        received_on=DAY,
        quantity_received=0,
        shortfall_reason="camion pillé",
    )
    assert [(m.kind, m.quantity) for m in gogui.movement_set.order_by("pk")] == [
        ("transfer_in", 5),
        ("loss", -5),
    ]
    assert _ledger_sum(gogui, item("PPE-GOWN")) == 0


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_dispatches_without_batch_share_the_batches_never_twice(
    logistician, holder, item, stock, monkeypatch
):
    """Two dispatches without a batch race for a stock in two batches: under the balance's lock
    the second sees what the first took, takes the next batch, and the third, beyond what is
    left, is refused. Without the lock both would take the first batch."""
    stock("WH-BAMAKO", "PPE-MASK-SURG", 6, batch="A", expires_on=dt.date(2020, 6, 1))
    stock("WH-BAMAKO", "PPE-MASK-SURG", 6, batch="B", expires_on=dt.date(2020, 9, 1))
    source, masks = holder("WH-BAMAKO"), item("PPE-MASK-SURG")
    destinations = [holder("BCP-GOGUI"), holder("BCP-KOUREMALE"), holder("BCP-ZEGOUA")]
    read_batches = services.batch_stocks

    def slow_batch_stocks(*args):
        found = read_batches(*args)
        time.sleep(0.4)  # widen the window in which an unlocked reader would see batch A whole
        return found

    monkeypatch.setattr(services, "batch_stocks", slow_batch_stocks)
    start = threading.Barrier(3)
    outcomes: list[str] = []
    failures: list[BaseException] = []

    def dispatch(destination):
        try:
            start.wait(timeout=10)
            services.transfer_dispatch(
                actor=logistician,
                source=source,
                destination=destination,
                item=masks,
                quantity=5,
                dispatched_on=DAY,
            )
            outcomes.append("dispatched")
        except services.InsufficientStock:
            outcomes.append("refused")
        except BaseException as exc:  # reported below, in the main thread
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=dispatch, args=(d,)) for d in destinations]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    assert sorted(outcomes) == ["dispatched", "dispatched", "refused"]
    assert _batches(source, masks) == {"B": 2}
    assert (
        _ledger_sum(source, masks) == 2 == Balance.objects.get(holder=source, item=masks).quantity
    )
    taken = sorted((m.batch, m.quantity) for m in Movement.objects.filter(kind="dispatch"))
    assert taken == [("A", -5), ("A", -1), ("B", -4)]
