"""Supplies ledger budget (issue 16): with 1,000,000 ledger movements, stock on hand for all
holders and items in under 1 s on PostgreSQL. Not part of `make test`.

    psql -h 127.0.0.1 -U postgres -c 'create database hbmm_supplies_bench'
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hbmm_supplies_bench \
        .venv/bin/python benchmarks/supplies_ledger.py --movements 1000000
    .venv/bin/python benchmarks/supplies_ledger.py --movements 1000000   # SQLite (var/)

It migrates the database, loads the reference data and the catalogue, creates holders for
`--holders` sites (BENCH-SUP-001...) beside the warehouses, and writes `--movements` ledger
lines spread over every holder and item and two years: per holder and item a receipt, then
distributions, losses and adjustments that never take the stock below 0 (loaded with one COPY /
executemany through `hbmm.db.insert_rows`, the balances set to the ledger's sums; skipped when
the rows are there already). Then it times, for a national reader and a reader scoped to one
region (median of `--repeat` runs):

- `selectors.stock_on_hand`: stock on hand of every holder and item, the ledger's sum (the
  budget);
- `selectors.stock_table`: the same with 4 weeks' use, days left and what is in transit;
- the same GROUP BY written by hand in SQL, and the balances read as they are (for scale);

and the write path: `--writes` dispatches through `services.transfer_dispatch` (lock, ledger
sum, insert), one transaction each.
"""

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hbmm.settings")


def _median(func, repeat: int) -> tuple[float, object]:
    timings, result = [], None
    for _ in range(repeat):
        began = time.perf_counter()
        result = func()
        timings.append(time.perf_counter() - began)
    return statistics.median(timings), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--movements", type=int, default=1_000_000)
    parser.add_argument("--holders", type=int, default=196)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--writes", type=int, default=500)
    args = parser.parse_args()

    import django

    django.setup()
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.db.models import Sum

    call_command("migrate", verbosity=0)
    from hbmm.accounts.models import User
    from hbmm.accounts.scope import user_scope
    from hbmm.accounts.services import roles_sync, user_scope_set
    from hbmm.db import insert_rows
    from hbmm.places.models import AdminArea, Site
    from hbmm.places.services import reference_load, site_registry_import
    from hbmm.supplies import selectors, services
    from hbmm.supplies.models import Balance, Holder, Item, Movement

    reference_load()
    roles_sync()
    services.catalogue_load()
    actor, _ = User.objects.get_or_create(username="bench-logistics")
    actor.groups.add(Group.objects.get(name="logistics_officer"))
    user_scope_set(user=actor, areas=[AdminArea.objects.get(pcode="MLI")])
    actor = User.objects.get(pk=actor.pk)
    regional, _ = User.objects.get_or_create(username="bench-mopti")
    user_scope_set(user=regional, areas=[AdminArea.objects.get(pcode="ML05")])

    cercles = list(AdminArea.objects.filter(level=2, country_iso3="MLI").order_by("pcode"))
    codes = [f"BENCH-SUP-{i:03d}" for i in range(1, args.holders + 1)]
    site_registry_import(
        rows=[
            (i, {"code": c, "name_fr": c, "kinds": "bcp", "pcode": cercles[i % len(cercles)].pcode})
            for i, c in enumerate(codes, start=2)
        ]
    )
    for site in Site.objects.filter(code__in=codes):
        services.holder_for_site(site)
    holders = list(Holder.objects.order_by("pk"))
    items = list(Item.objects.order_by("pk"))
    pairs = [(h, i) for h in holders for i in items]
    per_pair = max(2, args.movements // len(pairs))
    expected = per_pair * len(pairs)
    have = Movement.objects.count()
    if have != expected:
        if have:
            sys.exit(f"the database holds {have:,} movements, not {expected:,}: use a fresh one")
        rng = random.Random(16)
        end = dt.date(2020, 5, 31)
        start = end - dt.timedelta(days=730)
        now = django.utils.timezone.now()
        columns = [
            "holder_id",
            "item_id",
            "kind",
            "quantity",
            "occurred_on",
            "batch",
            "supplier",
            "order_reference",
            "reason",
            "recorded_by_id",
            "recorded_at",
        ]
        began = time.monotonic()
        batch: list[tuple] = []
        balances = []
        with transaction.atomic():
            for holder, item in pairs:
                stock = 40 * per_pair
                rows = [
                    (
                        holder.pk,
                        item.pk,
                        "receipt",
                        stock,
                        start,
                        "B1" if item.perishable else "",
                        "Bench supplier",
                        "PO-BENCH",
                        "",
                        actor.pk,
                        now,
                    )
                ]
                for n in range(per_pair - 1):
                    day = start + dt.timedelta(days=1 + n * 729 // per_pair)
                    roll = rng.random()
                    quantity = rng.randint(1, 30)
                    if roll < 0.9:
                        row = ("distribution", -quantity, "")
                    elif roll < 0.97:
                        row = ("loss", -quantity, "bench loss")
                    else:
                        row = ("adjustment", quantity, "bench count")
                    stock += row[1]
                    rows.append(
                        (holder.pk, item.pk, row[0], row[1], day, "", "", "", row[2], actor.pk, now)
                    )
                assert stock >= 0
                balances.append((holder.pk, item.pk, stock))
                batch.extend(rows)
                if len(batch) >= 100_000:
                    insert_rows(Movement, columns, batch)
                    batch = []
            insert_rows(Movement, columns, batch)
            Balance.objects.all().delete()
            insert_rows(Balance, ["holder_id", "item_id", "quantity"], balances)
        print(f"loaded {expected:,} movements in {time.monotonic() - began:.0f} s")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.vendor == "sqlite" else "VACUUM ANALYZE")

    print(
        f"{connection.vendor}: {expected:,} movements, {len(holders)} holders x "
        f"{len(items)} items = {len(pairs):,} stocks"
    )
    as_of = dt.date(2020, 5, 31)
    table = Movement._meta.db_table
    for label, user in (("national", actor), ("region ML05", regional)):
        scope = user_scope(user)
        seconds, rows = _median(
            lambda scope=scope: selectors.stock_on_hand(scope=scope), args.repeat
        )
        print(
            f"  {label:12} stock_on_hand (every holder and item)   {seconds * 1000:8.0f} ms"
            f"  ({len(rows):,} stocks)"
        )
        seconds, rows = _median(
            lambda scope=scope: selectors.stock_table(scope=scope, as_of=as_of), args.repeat
        )
        print(
            f"  {label:12} stock_table (with use, days left)       {seconds * 1000:8.0f} ms"
            f"  ({len(rows):,} rows)"
        )

    def by_hand():
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT holder_id, item_id, SUM(quantity) FROM {table} GROUP BY holder_id, item_id"
            )
            return cursor.fetchall()

    seconds, rows = _median(by_hand, args.repeat)
    print(f"  {'SQL':12} GROUP BY by hand                         {seconds * 1000:8.0f} ms")
    seconds, _rows = _median(
        lambda: list(Balance.objects.values_list("holder_id", "item_id", "quantity")), args.repeat
    )
    print(f"  {'balances':12} read the balance rows                 {seconds * 1000:8.0f} ms")
    ledger = {(h, i): q for h, i, q in rows}
    sums = dict(
        ((h, i), q) for h, i, q in Balance.objects.values_list("holder_id", "item_id", "quantity")
    )
    assert ledger == sums, "the balances differ from the ledger"
    assert sum(ledger.values()) == Movement.objects.aggregate(t=Sum("quantity"))["t"]

    source = Holder.objects.get(code="WH-BAMAKO")
    destinations = [h for h in holders if h.kind == "site"]
    thermo = Item.objects.get(code="SCR-THERMO")
    began = time.perf_counter()
    for n in range(args.writes):
        services.transfer_dispatch(
            actor=actor,
            source=source,
            destination=destinations[n % len(destinations)],
            item=thermo,
            quantity=1,
            dispatched_on=as_of,
        )
    seconds = time.perf_counter() - began
    print(
        f"  {'writes':12} {args.writes} dispatches through the service  {seconds:8.2f} s"
        f"  ({args.writes / seconds:,.0f} a second, {seconds / args.writes * 1000:.1f} ms each)"
    )


if __name__ == "__main__":
    main()
