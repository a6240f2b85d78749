"""Writes of the supplies app: reference data, receipts, transfers, distributions, losses and
adjustments. Every write to the ledger goes through `_post`, which locks the holder's and
item's `Balance` row (``SELECT ... FOR UPDATE`` on PostgreSQL; on SQLite the write
transaction is IMMEDIATE, so writers run one after the other), sums the ledger, refuses a
movement that would make the stock (or the batch's stock) negative, then appends the movement
and moves the balance by the same quantity. Two dispatches of the last units: the second waits
for the first's lock, then finds the stock gone and is refused.

First expiry, first out: a dispatch or a distribution that names no batch takes, under the same
lock, the batches that expire first (`_first_expiry_first_out`: dated batches by expiry, then
batches without a date, then unbatched stock), one ledger line per batch; a batch past its
expiry on the day of the movement is never dispatched nor distributed (named or not: it leaves
the stock as a loss). A transfer received short writes its shortfall to the receiver's ledger
as a loss with the receiver's reason, beside the receipt of what was dispatched, so that every
unit dispatched is either in a holder's ledger or in a loss line.

Each service checks the actor's permission (PermissionDenied) and scope (a ValidationError
naming the field), validates, and writes in one transaction; nothing is written when it
refuses.

Size: over 500 lines because every movement (receipt, transfer, distribution, loss,
adjustment) must pass through the same locked `_post` and first-expiry rules, which stay
private to this module so that no caller can write the ledger around them; the catalogue load
(`catalogue_load`, `_upsert`) is the seam to cut next.
"""

import csv
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max, Sum
from django.utils.translation import gettext as _

from hbmm.accounts.scope import restrict_to_scope
from hbmm.accounts.services import audit_log
from hbmm.intake.mappers import BatchContext, BatchResult, Row
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


@dataclass(frozen=True)
class BatchStock:
    batch: str  # "" for stock recorded without a batch
    expires_on: dt.date | None
    quantity: int


def batch_stocks(holder: Holder, item: Item) -> list[BatchStock]:
    """The holder's stock of an item by batch (each batch's ledger sum and its expiry date),
    first to expire first: dated batches by date, then batches without a date, then the stock
    recorded without a batch."""
    rows = (
        Movement.objects.filter(holder=holder, item=item)
        .order_by()
        .values_list("batch")
        .annotate(total=Sum("quantity"), expiry=Max("expires_on"))
    )
    stocks = [BatchStock(batch, expiry, total) for batch, total, expiry in rows]
    return sorted(
        stocks,
        key=lambda b: (b.expires_on is None, b.expires_on or dt.date.max, b.batch == "", b.batch),
    )


def _expired_message(item: Item, batch: str, expires_on: dt.date) -> str:
    return _(
        "Batch %(batch)s of %(item)s expired on %(day)s: it is not dispatched nor distributed "
        "(record it as a loss)."
    ) % {"batch": batch or "-", "item": item.code, "day": expires_on.isoformat()}


def _first_expiry_first_out(
    holder: Holder, item: Item, quantity: int, day: dt.date
) -> list[BatchStock]:
    """The parts of `quantity` (> 0) that leave the holder on `day` when no batch is named: the
    batches that expire first, none past its expiry (call under the balance's lock). Refused
    (InsufficientStock, naming what has expired) when the stock not expired does not suffice."""
    stocks = batch_stocks(holder, item)
    parts: list[BatchStock] = []
    left = quantity
    for stock in stocks:
        if left == 0:
            break
        if stock.quantity <= 0 or (stock.expires_on is not None and stock.expires_on < day):
            continue
        take = min(stock.quantity, left)
        parts.append(BatchStock(stock.batch, stock.expires_on, take))
        left -= take
    if left:
        expired = [
            s for s in stocks if s.quantity > 0 and s.expires_on is not None and s.expires_on < day
        ]
        usable = quantity - left
        if expired:
            message = _(
                "Only %(stock)d %(item)s not expired in stock at %(holder)s "
                "(%(expired)d expired: %(batches)s): %(quantity)d cannot leave it."
            ) % {
                "stock": usable,
                "item": item.code,
                "holder": holder.code,
                "expired": sum(s.quantity for s in expired),
                "batches": ", ".join(
                    f"{s.batch or '-'} ({s.expires_on.isoformat()})"
                    for s in expired
                    if s.expires_on is not None
                ),
                "quantity": quantity,
            }
        else:
            message = _(
                "Only %(stock)d %(item)s in stock at %(holder)s%(batch)s: "
                "%(quantity)d cannot leave it."
            ) % {
                "stock": usable,
                "item": item.code,
                "holder": holder.code,
                "batch": "",
                "quantity": quantity,
            }
        raise InsufficientStock({"quantity": message})
    return parts


def _post_out(
    *,
    actor,
    holder: Holder,
    item: Item,
    kind: str,
    quantity: int,
    occurred_on: dt.date,
    batch: str = "",
    once: dict | None = None,
    **fields,
) -> list[Movement]:
    """`quantity` (> 0) leaves the holder (a dispatch or a distribution): from the batch named,
    refused when it has expired by `occurred_on`; else first expiry, first out, one line per
    batch. `fields` go on every line, `once` on the first only (the people reached by a
    distribution are counted once)."""
    _lock_balance(holder, item)
    if batch:
        expiry = Movement.objects.filter(holder=holder, item=item, batch=batch).aggregate(
            day=Max("expires_on")
        )["day"]
        if expiry is not None and expiry < occurred_on:
            raise ValidationError({"batch": _expired_message(item, batch, expiry)})
        parts = [BatchStock(batch, expiry, quantity)]
    else:
        parts = _first_expiry_first_out(holder, item, quantity, occurred_on)
    lines: list[Movement] = []
    for part in parts:
        lines.append(
            _post(
                actor=actor,
                holder=holder,
                item=item,
                kind=kind,
                quantity=-part.quantity,
                occurred_on=occurred_on,
                batch=part.batch,
                expires_on=part.expires_on,
                **fields,
                **((once or {}) if not lines else {}),
            )
        )
    return lines


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
    transfer = Transfer.objects.create(
        item=item,
        source=source,
        destination=destination,
        batch=batch,
        quantity=quantity,
        dispatched_on=dispatched_on,
        dispatched_by=actor,
        waybill=waybill.strip(),
    )
    lines = _post_out(
        actor=actor,
        holder=source,
        item=item,
        kind=Movement.Kind.DISPATCH,
        quantity=quantity,
        occurred_on=dispatched_on,
        batch=batch,
        transfer=transfer,
    )
    # The transfer names its batch when it carries one, and the first expiry of what it carries.
    batches = {line.batch for line in lines}
    expiries = [line.expires_on for line in lines if line.expires_on is not None]
    transfer.batch = batches.pop() if len(batches) == 1 else ""
    transfer.expires_on = min(expiries) if expiries else None
    transfer.save(update_fields=["batch", "expires_on"])
    return transfer


@transaction.atomic
def transfer_receive(
    *,
    actor,
    transfer: Transfer,
    received_on: dt.date,
    quantity_received: int,
    shortfall_reason: str = "",
    submission_id: int | None = None,
) -> Transfer:
    """The destination confirms what arrived of a transfer. A transfer is received once.
    What was dispatched enters the destination's ledger (a receipt of the transfer per batch
    it carries); what did not arrive (the shortfall) leaves it at once as a loss with the
    receiver's reason, taken from the batches in the order they were dispatched (first expiry
    first). So the ledger holds every unit dispatched: received, or lost with a reason."""
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
    shortfall = transfer.quantity - quantity_received
    shortfall_reason = (shortfall_reason or "").strip()
    if shortfall and not shortfall_reason:
        raise ValidationError(
            {
                "shortfall_reason": _(
                    "%(missing)d of the %(sent)d dispatched did not arrive: say why "
                    "(it is recorded as a loss)."
                )
                % {"missing": shortfall, "sent": transfer.quantity}
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
    parts = list(
        transfer.movements.filter(kind=Movement.Kind.DISPATCH)
        .order_by("pk")
        .values_list("batch", "expires_on", "quantity")
    ) or [(transfer.batch, transfer.expires_on, -transfer.quantity)]
    for batch, expires_on, quantity in parts:
        _post(
            actor=actor,
            holder=transfer.destination,
            item=transfer.item,
            kind=Movement.Kind.TRANSFER_IN,
            quantity=-quantity,
            occurred_on=received_on,
            batch=batch,
            expires_on=expires_on,
            transfer=transfer,
            submission_id=submission_id,
        )
    reason = _("Shortfall of transfer T%(pk)d: %(reason)s") % {
        "pk": transfer.pk,
        "reason": shortfall_reason,
    }
    missing = shortfall
    for batch, expires_on, quantity in parts:
        if missing == 0:
            break
        lost = min(-quantity, missing)
        _post(
            actor=actor,
            holder=transfer.destination,
            item=transfer.item,
            kind=Movement.Kind.LOSS,
            quantity=-lost,
            occurred_on=received_on,
            batch=batch,
            expires_on=expires_on,
            transfer=transfer,
            reason=reason[:200],
            submission_id=submission_id,
        )
        missing -= lost
    if shortfall:
        audit_log(
            action="supplies.shortfall",
            actor=actor,
            target=f"T{transfer.pk}",
            details={"quantity": -shortfall, "reason": shortfall_reason},
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
    submission_id: int | None = None,
) -> list[Movement]:
    """Stock handed out to people (counts by sex and age where relevant): from the batch
    named, or first expiry first out (one ledger line per batch; the people on the first)."""
    _require(actor, "supplies.distribute_stock")
    _check_holder_scope(actor, holder, "holder")
    _positive(quantity)
    _check_date(occurred_on, "occurred_on")
    for name, value in (("men", men), ("women", women), ("boys", boys), ("girls", girls)):
        if value is not None and value < 0:
            raise ValidationError({name: _("A count cannot be negative.")})
    return _post_out(
        actor=actor,
        holder=holder,
        item=item,
        kind=Movement.Kind.DISTRIBUTION,
        quantity=quantity,
        occurred_on=occurred_on,
        batch=batch,
        submission_id=submission_id,
        once={"men": men, "women": women, "boys": boys, "girls": girls},
    )


@dataclass(frozen=True, slots=True)
class ReceiptRow(Row):
    """One `supplies_receipt` form, cleaned: a row of `transfer_receipts_save_batch`."""

    submission_id: int
    site: Site
    transfer: Transfer
    received_on: dt.date
    quantity_received: int
    shortfall_reason: str = ""
    existing: Movement | None = None


@dataclass(frozen=True, slots=True)
class DistributionRow(Row):
    """One `supplies_distribution` form, cleaned: a row of `distributions_save_batch`."""

    submission_id: int
    site: Site
    item: Item
    distributed_on: dt.date
    quantity: int
    batch: str = ""
    men: int | None = None
    women: int | None = None
    boys: int | None = None
    girls: int | None = None
    existing: Movement | None = None


def _intake_refusals(row: ReceiptRow | DistributionRow) -> None:
    """The ledger is append-only: an edited form does not change it."""
    if row.existing is not None:
        raise ValidationError(
            {
                "__all__": _(
                    "The stock ledger is not changed by editing a form: record an adjustment."
                )
            }
        )


def _role_refused() -> ValidationError:
    return ValidationError({"__all__": _("Your role does not allow this stock movement.")})


def transfer_receipts_save_batch(rows: Sequence[ReceiptRow], *, ctx: BatchContext) -> BatchResult:
    """Receipts of transfers from the intake pipeline (`transfer_receive`, by `ctx.by`); an
    edited form is refused (record an adjustment instead)."""
    result = BatchResult()
    for row in rows:
        _intake_refusals(row)
        try:
            transfer_receive(
                actor=ctx.by,
                transfer=row.transfer,
                received_on=row.received_on,
                quantity_received=row.quantity_received,
                shortfall_reason=row.shortfall_reason,
                submission_id=row.submission_id,
            )
        except PermissionDenied as exc:
            raise _role_refused() from exc
        result.created += 1
    return result


def distributions_save_batch(rows: Sequence[DistributionRow], *, ctx: BatchContext) -> BatchResult:
    """Distributions from the intake pipeline (`distribution_record` at the site's holder, by
    `ctx.by`); an edited form is refused (record an adjustment instead)."""
    result = BatchResult()
    for row in rows:
        _intake_refusals(row)
        try:
            distribution_record(
                actor=ctx.by,
                holder=holder_for_site(row.site),
                item=row.item,
                quantity=row.quantity,
                occurred_on=row.distributed_on,
                men=row.men,
                women=row.women,
                boys=row.boys,
                girls=row.girls,
                batch=row.batch,
                submission_id=row.submission_id,
            )
        except PermissionDenied as exc:
            raise _role_refused() from exc
        result.created += 1
    return result


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
