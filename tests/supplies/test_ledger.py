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
