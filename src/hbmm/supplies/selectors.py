"""Reads of the supplies app: stock on hand (always the sum of the ledger), the ledger, the
transfers, expiring batches, consumption and days of stock left, and the loop with the points
of entry's weekly capacity checklist (read through `hbmm.health.poe.selectors`).

Scope (applied here): a holder, and its movements, follow the holder's site and area; a
transfer is seen by a reader who holds its source or its destination in scope.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Max, Q, QuerySet, Sum

from hbmm.accounts.scope import as_scope, restrict_to_scope, scope_q
from hbmm.health.poe import selectors as poe_selectors
from hbmm.periods import in_period
from hbmm.places.models import Site
from hbmm.supplies.models import Holder, Item, Movement, Transfer

CONSUMPTION_DAYS = 28  # "the average consumption of the last 4 weeks"
# Kinds that consume stock at a holder (what leaves it for good): distributions and losses.
CONSUMED = (Movement.Kind.DISTRIBUTION, Movement.Kind.LOSS)
# What a holder consumed: its distributions and losses, but not the shortfall of a transfer it
# received (written as a loss at its receipt: lost on the way, not used at the holder).
CONSUMED_Q = Q(kind__in=CONSUMED) & ~Q(kind=Movement.Kind.LOSS, transfer__isnull=False)

# Which categories of the catalogue answer which item of the capacity checklist.
GAP_CATEGORIES: dict[str, tuple[str, ...]] = {
    "ppe_stock": ("ppe",),
    "screening_equipment": ("screening",),
    "handwashing": ("wash", "hygiene"),
    "isolation_space": ("isolation",),
}


def stockout_threshold_days() -> int:
    return getattr(settings, "HBMM_SUPPLIES_STOCKOUT_DAYS", 14)


# --- Holders, items, the ledger ---------------------------------------------------------------


def items() -> QuerySet:
    return Item.objects.all()


def holders(*, scope) -> QuerySet:
    return restrict_to_scope(Holder.objects.all(), scope).select_related("site", "area")


# Kinds of site that hold stock (a holder is made for one when it first receives).
STOCK_SITE_KINDS = ("bcp", "itp", "cordon", "mrrc", "idp_site", "office", "health_facility")


def stock_sites(*, scope) -> QuerySet:
    """Sites in scope that may hold stock, by code."""
    return restrict_to_scope(Site.objects.of_kind(*STOCK_SITE_KINDS), scope).order_by("code")


def movements(
    *,
    scope,
    start: dt.date | None = None,
    end: dt.date | None = None,
    holder: Holder | None = None,
    site=None,
    item: str | None = None,
    kind: str | None = None,
    category: str | None = None,
    transfer: int | None = None,
) -> QuerySet:
    """The ledger lines in scope, in [start, end] (dates of the movements)."""
    qs = in_period(restrict_to_scope(Movement.objects.all(), scope), "occurred_on", start, end)
    if holder is not None:
        qs = qs.filter(holder=holder)
    if site is not None:
        qs = qs.filter(holder__site=site)
    if item:
        qs = qs.filter(item__code=item)
    if kind:
        qs = qs.filter(kind=kind)
    if category:
        qs = qs.filter(item__category=category)
    if transfer:
        qs = qs.filter(transfer_id=transfer)
    return qs


def _transfer_scope_q(scope) -> Q | None:
    scope = as_scope(scope)
    if scope.is_national:
        return None
    q = Q(pk__in=[])
    for side in ("source", "destination"):
        side_q = scope_q(scope, site_lookup=f"{side}__site", area_lookup=f"{side}__area")
        if side_q is not None:
            q |= side_q
    return q


def transfers(
    *,
    scope,
    status: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    destination: Holder | None = None,
    site=None,
    item: str | None = None,
    category: str | None = None,
) -> QuerySet:
    """Transfers whose source or destination is in scope, dispatched in [start, end]."""
    qs = Transfer.objects.all()
    q = _transfer_scope_q(scope)
    if q is not None:
        qs = qs.filter(q)
    qs = in_period(qs, "dispatched_on", start, end)
    if status:
        qs = qs.filter(status=status)
    if destination is not None:
        qs = qs.filter(destination=destination)
    if site is not None:
        qs = qs.filter(destination__site=site)
    if item:
        qs = qs.filter(item__code=item)
    if category:
        qs = qs.filter(item__category=category)
    return qs.select_related("item", "source", "destination")


def transfer_in_scope(*, scope, pk: int) -> Transfer | None:
    return transfers(scope=scope).filter(pk=pk).first()


@dataclass(frozen=True)
class StockRow:
    holder_id: int
    item_id: int
    quantity: int


def stock_on_hand(
    *,
    scope,
    as_of: dt.date | None = None,
    holder: Holder | None = None,
    item: str | None = None,
    category: str | None = None,
) -> list[StockRow]:
    """Stock on hand of every holder and item in scope: the sum of their ledger lines (up to
    `as_of` included), one GROUP BY over the ledger's (holder, item, quantity) index. Pairs
    whose stock is 0 are left out."""
    qs = movements(scope=scope, end=as_of, holder=holder, item=item, category=category)
    rows = (
        qs.order_by()
        .values_list("holder_id", "item_id")
        .annotate(total=Sum("quantity"))
        .filter(~Q(total=0))
    )
    return [StockRow(h, i, total) for h, i, total in rows]


def stock_of(*, scope, holder: Holder, item: Item) -> int:
    """One holder's stock of one item (the ledger sum)."""
    total = movements(scope=scope, holder=holder).filter(item=item).aggregate(t=Sum("quantity"))
    return total["t"] or 0


@dataclass(frozen=True)
class HolderStock:
    holder: Holder
    item: Item
    quantity: int
    in_transit: int  # dispatched to the holder, not yet received
    consumed: int  # distributed or lost over the last CONSUMPTION_DAYS days
    days_left: Decimal | None  # None: nothing consumed (no rate to divide by)


def _days_left(quantity: int, consumed: int) -> Decimal | None:
    if consumed <= 0:
        return None
    rate = Decimal(consumed) / CONSUMPTION_DAYS
    return (Decimal(max(quantity, 0)) / rate).quantize(Decimal("1"), ROUND_HALF_UP)


def consumption(*, scope, as_of: dt.date) -> dict[tuple[int, int], int]:
    """Units consumed (distributed or lost) per (holder, item) over the CONSUMPTION_DAYS days
    ending on `as_of`."""
    start = as_of - dt.timedelta(days=CONSUMPTION_DAYS - 1)
    rows = (
        movements(scope=scope, start=start, end=as_of)
        .filter(CONSUMED_Q)
        .order_by()
        .values_list("holder_id", "item_id")
        .annotate(total=Sum("quantity"))
    )
    return {(h, i): -total for h, i, total in rows}


def in_transit(*, scope, as_of: dt.date | None = None) -> dict[tuple[int, int], int]:
    """Units on their way to each (holder, item) on `as_of` (dispatched on or before it, not
    received by then); today's when `as_of` is None."""
    if as_of is None:
        qs = transfers(scope=scope, status=Transfer.Status.IN_TRANSIT)
    else:
        qs = transfers(scope=scope, end=as_of).filter(
            Q(received_on__isnull=True) | Q(received_on__gt=as_of)
        )
    rows = qs.order_by().values_list("destination_id", "item_id").annotate(total=Sum("quantity"))
    return {(h, i): total for h, i, total in rows}


def stock_table(
    *, scope, as_of: dt.date, holder: Holder | None = None, category: str | None = None
) -> list[HolderStock]:
    """Per holder and item: stock on hand, in transit towards it, consumed over 4 weeks and
    the days of stock left at that rate; sorted by holder then item."""
    stock = {
        (r.holder_id, r.item_id): r.quantity
        for r in stock_on_hand(scope=scope, as_of=as_of, holder=holder, category=category)
    }
    used = consumption(scope=scope, as_of=as_of)
    coming = in_transit(scope=scope, as_of=as_of)
    keys = set(stock) | set(coming)
    if holder is not None:
        keys = {k for k in keys if k[0] == holder.pk}
    item_qs = Item.objects.all()
    if category:
        item_qs = item_qs.filter(category=category)
    item_map = item_qs.in_bulk()
    keys = {k for k in keys if k[1] in item_map}
    # A transfer seen from its source may go to a holder outside the reader's scope: only
    # holders in scope have rows.
    holder_map = holders(scope=scope).in_bulk({h for h, _i in keys})
    keys = {k for k in keys if k[0] in holder_map}
    rows = [
        HolderStock(
            holder=holder_map[h],
            item=item_map[i],
            quantity=stock.get((h, i), 0),
            in_transit=coming.get((h, i), 0),
            consumed=used.get((h, i), 0),
            days_left=_days_left(stock.get((h, i), 0), used.get((h, i), 0)),
        )
        for h, i in keys
    ]
    return sorted(rows, key=lambda r: (r.holder.kind != "warehouse", r.holder.code, r.item.code))


def stockout_warnings(*, scope, as_of: dt.date, threshold: int | None = None) -> list[HolderStock]:
    """Holders and items whose days of stock left (at the last 4 weeks' consumption) are under
    the threshold (HBMM_SUPPLIES_STOCKOUT_DAYS, 14 by default), fewest days first."""
    limit = stockout_threshold_days() if threshold is None else threshold
    rows = [
        r
        for r in stock_table(scope=scope, as_of=as_of)
        if r.days_left is not None and r.days_left < limit
    ]
    return sorted(rows, key=lambda r: (r.days_left, r.holder.code, r.item.code))


@dataclass(frozen=True)
class ExpiringBatch:
    holder: Holder
    item: Item
    batch: str
    expires_on: dt.date
    quantity: int


def expiring_batches(*, scope, as_of: dt.date, within_days: int = 90) -> list[ExpiringBatch]:
    """Batches still in stock that expire within `within_days` of `as_of` (or have expired)."""
    rows = (
        movements(scope=scope, end=as_of)
        .exclude(batch="")
        .filter(expires_on__isnull=False)
        .order_by()
        .values_list("holder_id", "item_id", "batch", "expires_on")
        .annotate(total=Sum("quantity"))
        .filter(total__gt=0, expires_on__lte=as_of + dt.timedelta(days=within_days))
    )
    rows = list(rows)
    holder_map = Holder.objects.in_bulk({r[0] for r in rows})
    item_map = Item.objects.in_bulk({r[1] for r in rows})
    return sorted(
        (ExpiringBatch(holder_map[h], item_map[i], b, e, q) for h, i, b, e, q in rows),
        key=lambda r: (r.expires_on, r.holder.code, r.item.code),
    )


# --- The loop with the capacity checklist ---------------------------------------------------


@dataclass
class PointLoop:
    """One point of entry: the gaps of its latest checklist (on or before the day), its stock
    of what answers them, and the transfers dispatched to it since that checklist."""

    site: Site
    assessed_on: dt.date
    gaps: list[str]  # capacity items answered "no" that supplies answer
    stock: dict[str, int] = field(default_factory=dict)  # gap item -> units on hand
    dispatched: dict[str, int] = field(default_factory=dict)  # gap item -> units sent since
    received: dict[str, int] = field(default_factory=dict)  # gap item -> units received since

    @property
    def gap_rows(self) -> list[dict]:
        """The gaps as rows: stock, dispatched and received since."""
        return [
            {
                "gap": g,
                "stock": self.stock.get(g, 0),
                "dispatched": self.dispatched.get(g, 0),
                "received": self.received.get(g, 0),
            }
            for g in self.gaps
        ]

    @property
    def unanswered(self) -> list[str]:
        """Gaps with nothing dispatched since the checklist."""
        return [g for g in self.gaps if not self.dispatched.get(g)]


def gap_labels() -> dict:
    """The capacity checklist's item labels, by item (the health module's)."""
    return poe_selectors.ITEM_LABELS


def _category_of_gap() -> dict[str, str]:
    return {cat: gap for gap, cats in GAP_CATEGORIES.items() for cat in cats}


def capacity_loop(*, scope, as_of: dt.date) -> list[PointLoop]:
    """For each point of entry in scope whose latest checklist (up to `as_of`, within the 8
    weeks before) reports a gap supplies can answer: that checklist's gaps, the point's stock
    of the matching categories on `as_of`, and the units dispatched and received since."""
    latest = poe_selectors.capacity_latest(
        scope=scope, round_start=as_of - dt.timedelta(days=56), round_end=as_of
    )
    no = poe_selectors.Answer.NO
    points = [
        PointLoop(
            site=a.site,
            assessed_on=a.assessed_on,
            gaps=[g for g in GAP_CATEGORIES if getattr(a, g) == no],
        )
        for a in latest
    ]
    points = [p for p in points if p.gaps]
    if not points:
        return []
    by_site = {p.site.pk: p for p in points}
    gap_of = _category_of_gap()
    holder_sites = dict(Holder.objects.filter(site_id__in=by_site).values_list("pk", "site_id"))
    stock_rows = (
        movements(scope=scope, end=as_of)
        .filter(holder_id__in=holder_sites)
        .order_by()
        .values_list("holder_id", "item__category")
        .annotate(total=Sum("quantity"))
    )
    for holder_id, category, total in stock_rows:
        point = by_site[holder_sites[holder_id]]
        gap = gap_of.get(category)
        if gap in point.gaps:
            point.stock[gap] = point.stock.get(gap, 0) + total
    sent = transfers(scope=scope, end=as_of).filter(destination_id__in=holder_sites)
    for t in sent.values_list(
        "destination_id",
        "item__category",
        "dispatched_on",
        "quantity",
        "received_on",
        "quantity_received",
    ):
        holder_id, category, dispatched_on, quantity, received_on, received = t
        point = by_site[holder_sites[holder_id]]
        gap = gap_of.get(category)
        if gap not in point.gaps or dispatched_on < point.assessed_on:
            continue
        point.dispatched[gap] = point.dispatched.get(gap, 0) + quantity
        if received_on is not None and received_on <= as_of and received:
            point.received[gap] = point.received.get(gap, 0) + received
    return sorted(points, key=lambda p: p.site.code)


def points_without_dispatch(*, scope, as_of: dt.date) -> list[PointLoop]:
    """Points whose latest checklist reports a gap with nothing dispatched since."""
    return [p for p in capacity_loop(scope=scope, as_of=as_of) if p.unanswered]


@dataclass(frozen=True)
class GapFollowUp:
    """Of the `reported` points that answered "no" for `gap` in week W, `received` received
    matching supplies after that checklist and by the end of week W+1, and `closed` answered
    "yes" in week W+2 (`closed_after_receipt` of them among those that received)."""

    gap: str
    week_start: dt.date
    reported: list[str]
    received: list[str]
    closed: list[str]
    closed_after_receipt: list[str]
    assessed_again: list[str]  # of the reported points, those assessed in week W+2


def gap_follow_up(*, scope, week_of: dt.date, gap: str = "ppe_stock") -> GapFollowUp:
    """ "Of the n points that reported no PPE stock in week W, m received PPE by week W+1 and
    k reported the gap closed in week W+2" — for the ISO week of `week_of` and a gap of the
    checklist that supplies answer."""
    start, end = poe_selectors.iso_week_bounds(week_of)
    week = dt.timedelta(days=7)
    answers = poe_selectors.Answer
    first = poe_selectors.capacity_latest(scope=scope, round_start=start, round_end=end)
    reported = {a.site.pk: a for a in first if getattr(a, gap) == answers.NO}
    later = poe_selectors.capacity_latest(
        scope=scope, round_start=start + 2 * week, round_end=end + 2 * week
    )
    later_by_site = {a.site.pk: a for a in later if a.site.pk in reported}
    received_sites: set[int] = set()
    if reported:
        rows = (
            transfers(scope=scope, category=None)
            .filter(
                destination__site_id__in=reported,
                item__category__in=GAP_CATEGORIES[gap],
                received_on__isnull=False,
                received_on__lte=end + week,
                quantity_received__gt=0,
            )
            .values_list("destination__site_id", "received_on")
        )
        for site_id, received_on in rows:
            if received_on >= reported[site_id].assessed_on:
                received_sites.add(site_id)
    closed = {s for s, a in later_by_site.items() if getattr(a, gap) == answers.YES}
    code = {pk: a.site.code for pk, a in reported.items()}
    return GapFollowUp(
        gap=gap,
        week_start=start,
        reported=sorted(code.values()),
        received=sorted(code[s] for s in received_sites),
        closed=sorted(code[s] for s in closed),
        closed_after_receipt=sorted(code[s] for s in closed & received_sites),
        assessed_again=sorted(code[s] for s in later_by_site),
    )


def latest_movement_date(*, scope, end: dt.date | None = None) -> dt.date | None:
    """The date of the newest movement in scope (on or before `end`)."""
    return movements(scope=scope, end=end).aggregate(day=Max("occurred_on"))["day"]


def consumption_by_week(*, scope, end: dt.date, weeks: int = 8) -> list[tuple[dt.date, int]]:
    """Units distributed or lost per ISO week, the `weeks` weeks ending with `end`'s week."""
    last_monday, _sunday = poe_selectors.iso_week_bounds(end)
    first = last_monday - dt.timedelta(days=7 * (weeks - 1))
    totals: dict[dt.date, int] = defaultdict(int)
    for day, qty in (
        movements(scope=scope, start=first, end=last_monday + dt.timedelta(days=6))
        .filter(CONSUMED_Q)
        .values_list("occurred_on", "quantity")
    ):
        totals[day - dt.timedelta(days=day.weekday())] += -qty
    return [
        (first + dt.timedelta(days=7 * i), totals.get(first + dt.timedelta(days=7 * i), 0))
        for i in range(weeks)
    ]
