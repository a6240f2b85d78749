"""Mobility figures budget: the as-of mobility figures over years of daily counts at many flow
monitoring points (DESIGN.md: 5 years x 200 sites, under 2 s on PostgreSQL). Not part of
`make test`.

    psql -h 127.0.0.1 -U postgres -c 'create database hbmm_mobility_bench'
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hbmm_mobility_bench \
        .venv/bin/python benchmarks/mobility_figures.py --sites 200 --years 5

It migrates the database, loads the reference data, creates `--sites` flow monitoring points
(BENCH-001...) and one flow count per point and day (directions alternating) through the
mobility service (skipped when the rows are there already), then times each figure for a
national user and for a user scoped to one region (median of `--repeat` runs).
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, default=200)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from hbmm.accounts.models import User
    from hbmm.accounts.scope import user_scope
    from hbmm.accounts.services import roles_sync, user_scope_set
    from hbmm.mobility import figures, selectors
    from hbmm.mobility.models import FlowCount
    from hbmm.mobility.services import border_closure_date_set, flow_counts_save
    from hbmm.places.models import AdminArea, Site
    from hbmm.places.services import reference_load, site_registry_import

    reference_load()
    roles_sync()
    cercles = list(AdminArea.objects.filter(level=2, country_iso3="MLI").order_by("pcode"))
    codes = [f"BENCH-{i:03d}" for i in range(1, args.sites + 1)]
    site_registry_import(
        rows=[
            (i, {"code": c, "name_fr": c, "kinds": "fmp", "pcode": cercles[i % len(cercles)].pcode})
            for i, c in enumerate(codes, start=2)
        ]
    )
    sites = list(Site.objects.filter(code__in=codes).select_related("area"))
    end = dt.date(2020, 5, 31)
    start = end - dt.timedelta(days=365 * args.years)
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    expected = len(days) * len(sites)
    have = FlowCount.objects.filter(site__code__startswith="BENCH-").count()
    if have != expected:
        FlowCount.objects.filter(site__code__startswith="BENCH-").delete()
        rng = random.Random(1)
        began = time.monotonic()
        batch = []
        for day_index, day in enumerate(days):
            for site_index, site in enumerate(sites):
                parts = [
                    rng.randint(0, 40),
                    rng.randint(0, 20),
                    rng.randint(0, 8),
                    rng.randint(0, 8),
                ]
                batch.append(
                    {
                        "site": site,
                        "observation_date": day,
                        "direction": "incoming" if (day_index + site_index) % 2 else "outgoing",
                        "men": parts[0],
                        "women": parts[1],
                        "boys": parts[2],
                        "girls": parts[3],
                        "total": sum(parts),
                        "nationality": "MLI",
                    }
                )
            if len(batch) >= 20000:
                flow_counts_save(rows=batch)
                batch = []
        if batch:
            flow_counts_save(rows=batch)
        print(f"loaded {expected:,} flow counts in {time.monotonic() - began:.0f} s")
    border_closure_date_set(day=dt.date(2020, 3, 19))

    national, _ = User.objects.get_or_create(username="bench-national")
    user_scope_set(user=national, areas=[AdminArea.objects.get(pcode="MLI")])
    regional, _ = User.objects.get_or_create(username="bench-mopti")
    user_scope_set(user=regional, areas=[AdminArea.objects.get(pcode="ML05")])

    closure = dt.date(2020, 3, 19)
    named = {
        "flow_daily_average (April 2020)": lambda u: figures.flow_daily_average(
            scope=user_scope(u), month=dt.date(2020, 4, 1)
        ),
        "flow_since_plan_start (to the closure)": lambda u: figures.flow_since_plan_start(
            scope=user_scope(u), end=closure - dt.timedelta(days=1)
        ),
        "stranded_first_week_of_closure": lambda u: figures.stranded_first_week_of_closure(
            scope=user_scope(u), closure=closure
        ),
        "idps_current": lambda u: figures.idps_current(scope=user_scope(u), as_of=end),
        "mrrc_present": lambda u: figures.mrrc_present(scope=user_scope(u), as_of=end),
        "flow_by_point (whole span)": lambda u: figures.flow_by_point(
            scope=user_scope(u), start=start, end=end
        ),
        "flow_breakdown nationality (whole span)": lambda u: figures.flow_breakdown(
            scope=user_scope(u), start=start, end=end, by="nationality"
        ),
        "flow_daily_series (one year)": lambda u: selectors.flow_daily_series(
            scope=user_scope(u), start=end - dt.timedelta(days=365), end=end
        ),
    }
    print(f"{expected:,} flow counts, {len(sites)} points, {args.years} years")
    for label, user in (("national", national), ("region ML05", regional)):
        total = 0.0
        for name, compute in named.items():
            timings = []
            for _ in range(args.repeat):
                user.__dict__.pop("_hbmm_scope", None)
                began = time.perf_counter()
                compute(user)
                timings.append(time.perf_counter() - began)
            median = statistics.median(timings)
            total += median
            print(f"  {label:12} {name:42} {median * 1000:8.0f} ms")
        print(f"  {label:12} {'all the figures above':42} {total * 1000:8.0f} ms")


if __name__ == "__main__":
    main()
