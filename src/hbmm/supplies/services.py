"""Writes of the supplies app: reference data, receipts, transfers, distributions, losses and
adjustments. Every write to the ledger goes through `_post`, which locks the holder's and
item's `Balance` row (``SELECT ... FOR UPDATE`` on PostgreSQL; on SQLite the write
transaction is IMMEDIATE, so writers run one after the other), sums the ledger, refuses a
movement that would make the stock (or the batch's stock) negative, then appends the movement
and moves the balance by the same quantity. Two dispatches of the last units: the second waits
for the first's lock, then finds the stock gone and is refused.

Each service checks the actor's permission (PermissionDenied) and scope (a ValidationError
naming the field), validates, and writes in one transaction; nothing is written when it
refuses.
"""

import csv
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Sum
from django.utils.translation import gettext as _

from hbmm.accounts.scope import restrict_to_scope
from hbmm.accounts.services import audit_log
from hbmm.places.models import AdminArea, Site
from hbmm.supplies.models import Balance, Holder, Item, Movement, Transfer

DATA = Path(__file__).resolve().parent / "data"


class InsufficientStock(ValidationError):
    """A movement would take more than the holder holds."""


# --- Reference data -------------------------------------------------------------------------


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _upsert(model, key: dict, values: dict, result: LoadResult) -> None:
    record = model.objects.filter(**key).first()
    if record is None:
        model.objects.create(**key, **values)
        result.created += 1
    elif any(getattr(record, k) != v for k, v in values.items()):
        for k, v in values.items():
            setattr(record, k, v)
        record.save()
        result.updated += 1
    else:
        result.unchanged += 1


@transaction.atomic
def catalogue_load() -> dict[str, LoadResult]:
    """The item catalogue (data/items.csv) and the warehouses (data/warehouses.csv); run by
    `hbmm load_reference`, idempotent."""
    items, warehouses = LoadResult(), LoadResult()
    with open(DATA / "items.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            shelf = row["shelf_life_days"].strip()
            _upsert(
                Item,
                {"code": row["code"]},
                {
                    "name_fr": row["name_fr"],
                    "name_en": row["name_en"],
                    "unit": row["unit"],
                    "category": row["category"],
                    "shelf_life_days": int(shelf) if shelf else None,
                },
                items,
            )
    with open(DATA / "warehouses.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            _upsert(
                Holder,
                {"code": row["code"]},
                {
                    "kind": Holder.Kind.WAREHOUSE,
                    "name_fr": row["name_fr"],
                    "name_en": row["name_en"],
                    "area": AdminArea.objects.get(pcode=row["pcode"]),
                },
                warehouses,
            )
    return {"items": items, "warehouses": warehouses}


def holder_for_site(site: Site) -> Holder:
    """The holder of a site's stock (made the first time the site holds stock)."""
    holder, _created = Holder.objects.get_or_create(
        site=site,
        defaults={
            "code": site.code,
            "kind": Holder.Kind.SITE,
            "name_fr": site.name_fr,
            "name_en": site.name_en,
            "area_id": site.area_id,
        },
    )
    return holder


# --- The ledger -----------------------------------------------------------------------------


def _require(actor, permission: str) -> None:
    if not actor.has_perm(permission):
        raise PermissionDenied


def _check_holder_scope(actor, holder: Holder, field: str) -> None:
    if not restrict_to_scope(Holder.objects.filter(pk=holder.pk), actor).exists():
        raise ValidationError(
            {field: _("%(holder)s is outside your scope.") % {"holder": holder.code}}
        )


def _check_date(day: dt.date, field: str) -> None:
    if day > dt.date.today():
        raise ValidationError({field: _("%(day)s is in the future.") % {"day": day.isoformat()}})


def _lock_balance(holder: Holder, item: Item) -> Balance:
    balance = Balance.objects.select_for_update().filter(holder=holder, item=item).first()
    if balance is None:
        Balance.objects.get_or_create(holder=holder, item=item)
        balance = Balance.objects.select_for_update().get(holder=holder, item=item)
    return balance


def stock_in_ledger(holder: Holder, item: Item, batch: str = "") -> int:
    movements = Movement.objects.filter(holder=holder, item=item)
    if batch:
        movements = movements.filter(batch=batch)
    return movements.aggregate(total=Sum("quantity"))["total"] or 0


def _post(
    *,
    actor,
    holder: Holder,
    item: Item,
    kind: str,
    quantity: int,
    occurred_on: dt.date,
    batch: str = "",
    **fields,
) -> Movement:
    """Append one movement under the lock of the holder's and item's balance (call inside a
    transaction)."""
    balance = _lock_balance(holder, item)
    if quantity < 0:
        in_stock = stock_in_ledger(holder, item)
        if batch:
            in_stock = min(in_stock, stock_in_ledger(holder, item, batch))
        if in_stock + quantity < 0:
            raise InsufficientStock(
                {
                    "quantity": _(
                        "Only %(stock)d %(item)s in stock at %(holder)s%(batch)s: "
                        "%(quantity)d cannot leave it."
                    )
                    % {
                        "stock": in_stock,
                        "item": item.code,
                        "holder": holder.code,
                        "batch": (_(" (batch %(batch)s)") % {"batch": batch}) if batch else "",
                        "quantity": -quantity,
                    }
                }
            )
    movement = Movement(
        holder=holder,
        item=item,
        kind=kind,
        quantity=quantity,
        occurred_on=occurred_on,
        batch=batch,
        recorded_by=actor,
        **fields,
    )
    movement.full_clean(exclude=["holder", "item", "recorded_by", "submission", "transfer"])
    movement.save()
    Balance.objects.filter(pk=balance.pk).update(quantity=F("quantity") + quantity)
    return movement


def _positive(quantity: int, field: str = "quantity") -> None:
    if quantity is None or quantity <= 0:
        raise ValidationError({field: _("Give a quantity above 0.")})


def _batch_of_receipt(item: Item, batch: str, expires_on: dt.date | None) -> None:
    if item.perishable and not (batch.strip() and expires_on):
        raise ValidationError(
            {
                "batch": _("%(item)s has a shelf life: give the batch number and its expiry date.")
                % {"item": item.code}
            }
        )


@transaction.atomic
def receipt_record(
    *,
    actor,
    holder: Holder,
    item: Item,
    quantity: int,
    occurred_on: dt.date,
    supplier: str,
    order_reference: str,
    unit_cost: Decimal | None = None,
    batch: str = "",
    expires_on: dt.date | None = None,
    submission=None,
) -> Movement:
    """Stock received from procurement (supplier, order reference, unit cost)."""
    _require(actor, "supplies.record_receipt")
    _check_holder_scope(actor, holder, "holder")
    _positive(quantity)
    _check_date(occurred_on, "occurred_on")
    if not supplier.strip():
        raise ValidationError({"supplier": _("Name the supplier.")})
    if not order_reference.strip():
        raise ValidationError({"order_reference": _("Give the order reference.")})
    if unit_cost is not None and unit_cost < 0:
        raise ValidationError({"unit_cost": _("A cost cannot be negative.")})
    _batch_of_receipt(item, batch, expires_on)
    return _post(
        actor=actor,
        holder=holder,
        item=item,
        kind=Movement.Kind.RECEIPT,
        quantity=quantity,
        occurred_on=occurred_on,
        batch=batch.strip(),
        expires_on=expires_on,
        supplier=supplier.strip(),
        order_reference=order_reference.strip(),
        unit_cost=unit_cost,
        submission=submission,
    )


@transaction.atomic
def transfer_dispatch(
    *,
    actor,
    source: Holder,
    destination: Holder,
    item: Item,
    quantity: int,
    dispatched_on: dt.date,
    batch: str = "",
    waybill: str = "",
) -> Transfer:
    """Send stock from `source` to `destination`: it leaves the source's ledger now (refused
    when the source does not hold it) and is in transit until the destination confirms it."""
    _require(actor, "supplies.dispatch_stock")
    _check_holder_scope(actor, source, "source")
    _positive(quantity)
    _check_date(dispatched_on, "dispatched_on")
    if source.pk == destination.pk:
        raise ValidationError({"destination": _("A transfer goes to another holder.")})
    expires_on = None
    if batch:
        expires_on = (
            Movement.objects.filter(holder=source, item=item, batch=batch, expires_on__isnull=False)
            .values_list("expires_on", flat=True)
            .first()
        )
    transfer = Transfer.objects.create(
        item=item,
        source=source,
        destination=destination,
        batch=batch,
        expires_on=expires_on,
        quantity=quantity,
        dispatched_on=dispatched_on,
        dispatched_by=actor,
        waybill=waybill.strip(),
    )
    _post(
        actor=actor,
        holder=source,
        item=item,
        kind=Movement.Kind.DISPATCH,
        quantity=-quantity,
        occurred_on=dispatched_on,
        batch=batch,
        expires_on=expires_on,
        transfer=transfer,
    )
    return transfer


@transaction.atomic
def transfer_receive(
    *,
    actor,
    transfer: Transfer,
    received_on: dt.date,
    quantity_received: int,
    submission=None,
) -> Transfer:
    """The destination confirms what arrived of a transfer: it enters its ledger. A transfer
    is received once; what did not arrive is the transfer's shortfall."""
    _require(actor, "supplies.receive_transfer")
    _check_holder_scope(actor, transfer.destination, "transfer")
    if quantity_received is None or quantity_received < 0:
        raise ValidationError({"quantity_received": _("Give the quantity received (0 or more).")})
    if quantity_received > transfer.quantity:
        raise ValidationError(
            {
                "quantity_received": _("%(received)d received, but only %(sent)d were dispatched.")
                % {"received": quantity_received, "sent": transfer.quantity}
            }
        )
    _check_date(received_on, "received_on")
    if received_on < transfer.dispatched_on:
        raise ValidationError(
            {
                "received_on": _("Received before it was dispatched (%(day)s).")
                % {"day": transfer.dispatched_on}
            }
        )
    claimed = Transfer.objects.filter(pk=transfer.pk, status=Transfer.Status.IN_TRANSIT).update(
        status=Transfer.Status.RECEIVED,
        received_on=received_on,
        received_by=actor,
        quantity_received=quantity_received,
    )
    if not claimed:
        raise ValidationError(
            {"transfer": _("Transfer T%(pk)d was already received.") % {"pk": transfer.pk}}
        )
    transfer.refresh_from_db()
    if quantity_received:
        _post(
            actor=actor,
            holder=transfer.destination,
            item=transfer.item,
            kind=Movement.Kind.TRANSFER_IN,
            quantity=quantity_received,
            occurred_on=received_on,
            batch=transfer.batch,
            expires_on=transfer.expires_on,
            transfer=transfer,
            submission=submission,
        )
    return transfer


@transaction.atomic
def distribution_record(
    *,
    actor,
    holder: Holder,
    item: Item,
    quantity: int,
    occurred_on: dt.date,
    men: int | None = None,
    women: int | None = None,
    boys: int | None = None,
    girls: int | None = None,
    batch: str = "",
    submission=None,
) -> Movement:
    """Stock handed out to people (counts by sex and age where relevant)."""
    _require(actor, "supplies.distribute_stock")
    _check_holder_scope(actor, holder, "holder")
    _positive(quantity)
    _check_date(occurred_on, "occurred_on")
    for name, value in (("men", men), ("women", women), ("boys", boys), ("girls", girls)):
        if value is not None and value < 0:
            raise ValidationError({name: _("A count cannot be negative.")})
    return _post(
        actor=actor,
        holder=holder,
        item=item,
        kind=Movement.Kind.DISTRIBUTION,
        quantity=-quantity,
        occurred_on=occurred_on,
        batch=batch,
        men=men,
        women=women,
        boys=boys,
        girls=girls,
        submission=submission,
    )


@transaction.atomic
def stock_adjust(
    *,
    actor,
    holder: Holder,
    item: Item,
    kind: str,
    quantity: int,
    occurred_on: dt.date,
    reason: str,
    batch: str = "",
) -> Movement:
    """A loss (`quantity` > 0 lost: expired, damaged, stolen) or an adjustment (signed: a
    count found more or less than the ledger), with its reason; audited."""
    _require(actor, "supplies.adjust_stock")
    _check_holder_scope(actor, holder, "holder")
    _check_date(occurred_on, "occurred_on")
    if kind == Movement.Kind.LOSS:
        _positive(quantity)
        signed = -quantity
    elif kind == Movement.Kind.ADJUSTMENT:
        if not quantity:
            raise ValidationError(
                {"quantity": _("An adjustment changes the stock: it cannot be 0.")}
            )
        signed = quantity
    else:
        raise ValidationError({"kind": _("A loss or an adjustment.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why.")})
    movement = _post(
        actor=actor,
        holder=holder,
        item=item,
        kind=kind,
        quantity=signed,
        occurred_on=occurred_on,
        batch=batch,
        reason=reason.strip(),
    )
    audit_log(
        action=f"supplies.{kind}",
        actor=actor,
        target=f"{holder.code} {item.code}",
        details={"movement": movement.pk, "quantity": signed, "reason": reason.strip()},
    )
    return movement
