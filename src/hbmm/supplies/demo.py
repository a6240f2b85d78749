"""Demonstration data of supplies (`hbmm demo`), after the health demo's capacity checklists:
deterministic and idempotent, written through the ledger's services by a demonstration
logistics user (`hbmm-demo-logistics`, no password: it cannot log in).

- 25 March 2020: the central warehouse in Bamako receives PPE, thermometers, handwashing
  stations, hygiene kits and isolation tents from procurement.
- Every Wednesday from 1 April to 27 May: logistics reads the capacity loop and dispatches to
  about two points in three of those whose latest checklist reports a gap with nothing
  dispatched since (masks and gloves for PPE, thermometers, handwashing stations, tents); the
  points confirm receipt 2 to 6 days later (a few with a shortfall, a few not yet).
- Every Friday the points hand masks, gloves and hygiene kits out to travellers, counted by sex
  and age; some run low, which the stock-out warnings show.
"""

import datetime as dt
import random
from decimal import Decimal

START = dt.date(2020, 3, 25)
END = dt.date(2020, 5, 31)
USERNAME = "hbmm-demo-logistics"
RECEIPTS = [  # item, quantity, unit cost (USD), batch, expiry
    ("PPE-MASK-SURG", 40000, "0.12", "MS-2020-03", dt.date(2025, 3, 1)),
    ("PPE-GLOVES", 20000, "0.08", "GL-2020-03", dt.date(2025, 3, 1)),
    ("PPE-GOWN", 3000, "2.40", "", None),
    ("SCR-THERMO", 200, "45.00", "", None),
    ("WASH-HANDWASH", 120, "85.00", "", None),
    ("HYG-KIT", 8000, "12.50", "", None),
    ("ISO-TENT", 30, "950.00", "", None),
]
# What answers each gap, and how much of it a point receives: (item, lowest, highest).
FOR_GAP = {
    "ppe_stock": [("PPE-MASK-SURG", 300, 900), ("PPE-GLOVES", 200, 500)],
    "screening_equipment": [("SCR-THERMO", 2, 4)],
    "handwashing": [("WASH-HANDWASH", 1, 3), ("HYG-KIT", 60, 150)],
    "isolation_space": [("ISO-TENT", 1, 1)],
}
HANDED_OUT = {"PPE-MASK-SURG": (60, 220), "PPE-GLOVES": (30, 120), "HYG-KIT": (10, 45)}


def _actor():
    from django.contrib.auth import get_user_model  # noqa: PLC0415  (models: after setup)
    from django.contrib.auth.models import Group  # noqa: PLC0415  (models: after setup)

    from hbmm.accounts.services import user_scope_set  # noqa: PLC0415  (models: after setup)
    from hbmm.places.models import AdminArea  # noqa: PLC0415  (models: after setup)

    user, created = get_user_model().objects.get_or_create(username=USERNAME)
    if created:
        user.set_unusable_password()
        user.save()
        user.groups.add(Group.objects.get(name="logistics_officer"))
        user_scope_set(user=user, areas=[AdminArea.objects.get(pcode="MLI")])
    return get_user_model().objects.get(pk=user.pk)


def load(stdout) -> None:
    from hbmm.accounts.scope import EVERYTHING  # noqa: PLC0415  (models: after setup)
    from hbmm.supplies import selectors, services  # noqa: PLC0415  (models: after setup)
    from hbmm.supplies.models import Holder, Item, Movement  # noqa: PLC0415  (as above)

    actor = _actor()
    if Movement.objects.filter(recorded_by=actor).exists():
        stdout.write("supplies: demo ledger already loaded\n")
        return
    rng = random.Random(2020)
    items = {i.code: i for i in Item.objects.all()}
    warehouse = Holder.objects.get(code="WH-BAMAKO")
    for code, quantity, cost, batch, expires in RECEIPTS:
        services.receipt_record(
            actor=actor,
            holder=warehouse,
            item=items[code],
            quantity=quantity,
            occurred_on=START,
            supplier="UNICEF Supply Division" if code.startswith("PPE") else "Fournisseur local",
            order_reference=f"PO-ML-2020-{len(code):03d}",
            unit_cost=Decimal(cost),
            batch=batch,
            expires_on=expires,
        )
    services.stock_adjust(
        actor=actor,
        holder=warehouse,
        item=items["HYG-KIT"],
        kind=Movement.Kind.LOSS,
        quantity=40,
        occurred_on=dt.date(2020, 3, 27),
        reason="Cartons endommagés par la pluie / cartons damaged by rain",
    )
    arrivals: dict[dt.date, list] = {}
    dispatched = 0
    day = START
    while day <= END:
        for transfer, received in arrivals.pop(day, []):
            services.transfer_receive(
                actor=actor,
                transfer=transfer,
                received_on=day,
                quantity_received=received,
                shortfall_reason=""
                if received == transfer.quantity
                else "Cartons abîmés pendant le transport / cartons damaged in transit",
            )
        if day.weekday() == 2 and day >= dt.date(2020, 4, 1):  # Wednesdays: dispatches
            for point in selectors.points_without_dispatch(scope=EVERYTHING, as_of=day):
                if rng.random() > 0.65:
                    continue
                destination = services.holder_for_site(point.site)
                for gap in point.unanswered:
                    for code, low, high in FOR_GAP[gap]:
                        quantity = rng.randint(low, high)
                        if (
                            selectors.stock_of(scope=EVERYTHING, holder=warehouse, item=items[code])
                            < quantity
                        ):
                            continue
                        transfer = services.transfer_dispatch(
                            actor=actor,
                            source=warehouse,
                            destination=destination,
                            item=items[code],
                            quantity=quantity,
                            dispatched_on=day,
                            batch="MS-2020-03"
                            if code == "PPE-MASK-SURG"
                            else ("GL-2020-03" if code == "PPE-GLOVES" else ""),
                            waybill=f"LT-{day:%m%d}-{dispatched + 1:03d}",
                        )
                        dispatched += 1
                        if rng.random() < 0.9:
                            shortfall = rng.random() < 0.15 and quantity > 5
                            arrive = day + dt.timedelta(days=rng.randint(2, 6))
                            received = quantity - (rng.randint(1, 5) if shortfall else 0)
                            arrivals.setdefault(arrive, []).append((transfer, received))
        if day.weekday() == 4:  # Fridays: distributions at the points
            for row in selectors.stock_table(scope=EVERYTHING, as_of=day):
                if row.holder.kind != Holder.Kind.SITE or row.item.code not in HANDED_OUT:
                    continue
                low, high = HANDED_OUT[row.item.code]
                quantity = min(row.quantity, rng.randint(low, high))
                if quantity <= 0:
                    continue
                people = max(1, quantity // (2 if row.item.code == "HYG-KIT" else 4))
                men = people * 45 // 100
                women = people * 35 // 100
                boys = (people - men - women) // 2
                services.distribution_record(
                    actor=actor,
                    holder=row.holder,
                    item=row.item,
                    quantity=quantity,
                    occurred_on=day,
                    men=men,
                    women=women,
                    boys=boys,
                    girls=people - men - women - boys,
                )
        day += dt.timedelta(days=1)
    stdout.write(
        f"supplies: demo ledger: {Movement.objects.filter(recorded_by=actor).count()} "
        f"movements, {dispatched} transfers\n"
    )
