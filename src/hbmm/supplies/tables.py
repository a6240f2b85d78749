"""The supplies records as tables (`hbmm.presentation.tables`): the ledger, the transfers and
the stock on hand. Each is a list page, the drill-down of the figures that count it, and a
CSV/XLSX export with HXL hashtags. No personal data: counts of people, never names.
Registered from SuppliesConfig.ready()."""

from django.utils.translation import gettext_lazy as _

from hbmm.health.poe import selectors as poe_selectors
from hbmm.places.selectors import name_in_language
from hbmm.presentation.tables import Column, Filter, Table, register_table
from hbmm.supplies import selectors
from hbmm.supplies.models import Category, Holder, Movement, Transfer

START = Filter("start", _("From"), "date")
END = Filter("end", _("To"), "date")
HOLDER = Filter("holder", _("Holder (code)"), "text")
ITEM = Filter("item", _("Item (code)"), "text")
CATEGORY = Filter("category", _("Category"), "choice", tuple(Category.choices))
AS_OF = Filter("as_of", _("As of"), "date")


def _holder(code: str | None) -> Holder | None:
    if not code:
        return None
    return Holder.objects.filter(code=code.strip().upper()).first() or Holder(pk=0)


def movement_rows(q):
    f = dict(q.filters)
    holder = _holder(f.pop("holder", None))
    return (
        selectors.movements(scope=q.scope, holder=holder, **f)
        .annotate(holder_name=name_in_language("holder"), item_name=name_in_language("item"))
        .order_by("-occurred_on", "-pk")
    )


def transfer_rows(q):
    f = dict(q.filters)
    destination = _holder(f.pop("holder", None))
    return (
        selectors.transfers(scope=q.scope, destination=destination, **f)
        .annotate(item_name=name_in_language("item"))
        .order_by("-dispatched_on", "-pk")
    )


def stock_rows(q):
    f = q.filters
    as_of = q.day
    rows = selectors.stock_table(
        scope=q.scope, as_of=as_of, holder=_holder(f.get("holder")), category=f.get("category")
    )
    return [
        (
            r.holder.code,
            r.holder.name,
            r.item.code,
            r.item.name,
            r.item.category,
            r.quantity,
            r.in_transit,
            r.consumed,
            r.days_left,
        )
        for r in rows
    ]


HOLDER_CODE = Column("holder__code", _("Holder"), "text", "#loc+code")
ITEM_CODE = Column("item__code", _("Item"), "text", "#item+code")

MOVEMENTS = register_table(
    Table(
        key="supplies.movements",
        title=_("Stock ledger"),
        permission="supplies.view_movement",
        url_name="supplies:ledger",
        description=_(
            "Every movement of stock, one row per movement: receipts (+), dispatches (−), "
            "receipts of transfers (+), distributions (−), losses (−) and adjustments."
        ),
        filters=(
            START,
            END,
            HOLDER,
            ITEM,
            CATEGORY,
            Filter("kind", _("Movement"), "choice", tuple(Movement.Kind.choices)),
            Filter("transfer", _("Transfer number"), "int"),
        ),
        columns=(
            Column("occurred_on", _("Date"), "date", "#date"),
            HOLDER_CODE,
            Column("holder_name", _("Holder name"), "text", "#loc+name"),
            ITEM_CODE,
            Column("item_name", _("Item name"), "text", "#item+name"),
            Column(
                "kind", _("Movement"), "code", "#indicator+movement", tuple(Movement.Kind.choices)
            ),
            Column("quantity", _("Quantity"), "int", "#value+quantity"),
            Column("batch", _("Batch"), "text", "#item+batch"),
            Column("expires_on", _("Expires on"), "date", "#date+expiry"),
            Column("transfer_id", _("Transfer"), "int", "#activity+transfer"),
            Column("supplier", _("Supplier"), "text", "#org+supplier"),
            Column("order_reference", _("Order reference"), "text", "#meta+order"),
            Column("unit_cost", _("Unit cost (USD)"), "decimal", "#value+cost+usd"),
            Column("men", _("Men"), "int", "#reached+m+adults"),
            Column("women", _("Women"), "int", "#reached+f+adults"),
            Column("boys", _("Boys"), "int", "#reached+m+children"),
            Column("girls", _("Girls"), "int", "#reached+f+children"),
            Column("reason", _("Reason"), "text", "#description+reason"),
            Column("submission_id", _("Submission"), "submission", "#meta+submission"),
        ),
        rows=movement_rows,
    )
)

TRANSFERS = register_table(
    Table(
        key="supplies.transfers",
        title=_("Transfers"),
        permission="supplies.view_transfer",
        url_name="supplies:transfers",
        description=_(
            "Stock sent from one holder to another: dispatched, in transit until the receiver "
            "confirms what arrived."
        ),
        filters=(
            START,
            END,
            Filter("holder", _("Destination (code)"), "text"),
            ITEM,
            CATEGORY,
            Filter("status", _("Status"), "choice", tuple(Transfer.Status.choices)),
        ),
        columns=(
            Column("pk", _("Number"), "int", "#activity+transfer"),
            Column("dispatched_on", _("Dispatched on"), "date", "#date+dispatched"),
            Column("source__code", _("From"), "text", "#loc+code+origin"),
            Column("destination__code", _("To"), "text", "#loc+code+dest"),
            ITEM_CODE,
            Column("item_name", _("Item name"), "text", "#item+name"),
            Column("quantity", _("Quantity dispatched"), "int", "#value+dispatched"),
            Column("status", _("Status"), "code", "#status", tuple(Transfer.Status.choices)),
            Column("received_on", _("Received on"), "date", "#date+received"),
            Column("quantity_received", _("Quantity received"), "int", "#value+received"),
            Column("batch", _("Batch"), "text", "#item+batch"),
            Column("waybill", _("Waybill"), "text", "#meta+waybill"),
        ),
        rows=transfer_rows,
    )
)

STOCK = register_table(
    Table(
        key="supplies.stock",
        title=_("Stock on hand"),
        permission="supplies.view_movement",
        url_name="supplies:stock",
        description=_(
            "Stock on hand of each holder and item (the sum of the ledger), what is in transit "
            "towards it, what was distributed or lost over the last 4 weeks, and the days of "
            "stock left at that rate."
        ),
        filters=(AS_OF, HOLDER, CATEGORY),
        columns=(
            Column("holder", _("Holder"), "text", "#loc+code"),
            Column("holder_name", _("Holder name"), "text", "#loc+name"),
            Column("item", _("Item"), "text", "#item+code"),
            Column("item_name", _("Item name"), "text", "#item+name"),
            Column("category", _("Category"), "code", "#item+type", tuple(Category.choices)),
            Column("quantity", _("Stock on hand"), "int", "#value+stock"),
            Column("in_transit", _("In transit"), "int", "#value+transit"),
            Column("consumed", _("Used over 4 weeks"), "int", "#value+consumed"),
            Column("days_left", _("Days of stock left"), "decimal", "#value+days"),
        ),
        rows=stock_rows,
    )
)


def gap_rows(q):
    f = q.filters
    as_of = q.day
    rows = []
    for point in selectors.capacity_loop(scope=q.scope, as_of=as_of):
        for gap in point.gaps:
            if f.get("waiting") and point.dispatched.get(gap):
                continue
            rows.append(
                (
                    point.site.code,
                    point.site.name,
                    point.assessed_on,
                    gap,
                    point.stock.get(gap, 0),
                    point.dispatched.get(gap, 0),
                    point.received.get(gap, 0),
                )
            )
    return rows


GAPS = register_table(
    Table(
        key="supplies.gaps",
        title=_("Capacity gaps and supplies"),
        permission="supplies.view_movement",
        url_name="supplies:gaps",
        description=_(
            "For each point of entry, each gap of its latest capacity checklist that supplies "
            "answer, beside its stock of the matching items and the units dispatched to it and "
            "received since the checklist."
        ),
        filters=(
            AS_OF,
            Filter("waiting", _("Only gaps with nothing dispatched since"), "bool"),
        ),
        columns=(
            Column("site", _("Point"), "text", "#loc+code"),
            Column("site_name", _("Name"), "text", "#loc+name"),
            Column("assessed_on", _("Latest checklist"), "date", "#date+assessed"),
            Column(
                "gap",
                _("Gap"),
                "code",
                "#indicator+name",
                tuple((k, v) for k, v in poe_selectors.ITEM_LABELS.items()),
            ),
            Column("stock", _("Stock on hand"), "int", "#value+stock"),
            Column("dispatched", _("Dispatched since"), "int", "#value+dispatched"),
            Column("received", _("Received since"), "int", "#value+received"),
        ),
        rows=gap_rows,
    )
)
