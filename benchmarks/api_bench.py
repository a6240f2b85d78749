"""API list latency and CSV streaming over many flow counts. Not part of `make test`.

    .venv/bin/python benchmarks/api_bench.py --rows 100000                 # SQLite under /tmp
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hbmm_api_bench \\
        .venv/bin/python benchmarks/api_bench.py --rows 365000

Fills mobility_flowcount with `--rows` counts (bulk insert, spread over the shipped flow
monitoring points and the days since 2019), then, as a national reader with a token, through
Django's full request path (middleware, authentication, throttle, scope, JSON):

  first      GET /api/v1/mobility/flows/?limit=100, the first page
  deep       the page 90 % of the way through the table (its cursor)
  filtered   a site and a month: ?site=…&start=…&end=…
  csv        ?format=csv: every row, streamed (rows per second; peak RSS of the process)

each 30 times (p50 / p95 in milliseconds).
"""

import argparse
import datetime as dt
import os
import random
import resource
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

if not os.environ.get("DATABASE_URL"):
    os.environ.setdefault("HBMM_VAR_DIR", "/tmp/hbmm-api-bench")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("HBMM_API_RATE", "100000/min")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hbmm.settings")

import django  # noqa: E402

django.setup()


def fill(rows: int) -> None:
    from django.db import transaction

    from hbmm.db import insert_rows
    from hbmm.mobility.models import FlowCount
    from hbmm.places.models import Site

    have = FlowCount.objects.count()
    if have >= rows:
        return
    sites = list(
        Site.objects.filter(kinds__code="fmp", active_from__isnull=True).values_list(
            "pk", flat=True
        )
    ) or list(Site.objects.filter(kinds__code="fmp").values_list("pk", flat=True))
    rng = random.Random(2020)
    start = dt.date(2019, 1, 1)
    columns = [
        "site_id",
        "observation_date",
        "direction",
        "men",
        "women",
        "boys",
        "girls",
        "total",
        "unaccompanied_children",
        "nationality",
        "nationality_counts",
        "transport",
        "reason",
        "reason_counts",
        "previous_country",
        "next_country",
        "stranded",
        "final_destination",
        "entered_at",
    ]
    batch = []
    now = dt.datetime.now(dt.UTC)
    for n in range(have, rows):
        men, women, boys, girls = (rng.randint(0, 40) for _ in range(4))
        batch.append(
            (
                sites[n % len(sites)],
                start + dt.timedelta(days=(n // len(sites)) % 2000),
                rng.choice(["incoming", "outgoing"]),
                men,
                women,
                boys,
                girls,
                men + women + boys + girls,
                0,
                "MLI",
                {},
                "",
                "",
                {},
                "",
                "",
                0,
                "",
                now,
            )
        )
        if len(batch) == 10000:
            with transaction.atomic():
                insert_rows(FlowCount, columns, batch)
            batch = []
    if batch:
        with transaction.atomic():
            insert_rows(FlowCount, columns, batch)


def fill_screenings(rows: int) -> None:
    """PostgreSQL only: one screening made by the service, then copied by the database
    (generate_series), a minute apart, each with its own person key."""
    from django.db import connection, transaction

    from hbmm.health.screening.models import Screening
    from hbmm.health.screening.services import screening_create
    from hbmm.places.models import Site

    have = Screening.objects.count()
    if have >= rows:
        return
    assert connection.vendor == "postgresql", "--screenings needs PostgreSQL"
    first = Screening.objects.order_by("pk").first() or screening_create(
        point=Site.objects.get(code="BCP-KOUREMALE"),
        screened_at=dt.datetime(2020, 3, 1, tzinfo=dt.UTC),
        notify=False,
        check_scope=False,
        temperature=Decimal("36.8"),
        symptoms=[],
        sex="female",
        age=27,
    )
    columns = [f.column for f in Screening._meta.concrete_fields if not f.primary_key]
    copied = [
        "screened_at + (g || ' minutes')::interval"
        if c == "screened_at"
        else "person_key || '-' || g"
        if c == "person_key"
        else c
        for c in columns
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Screening._meta.db_table} ({', '.join(columns)}) "
            f"SELECT {', '.join(copied)} FROM {Screening._meta.db_table}, "
            f"generate_series(1, %s) AS g WHERE id = %s",
            [rows - have, first.pk],
        )


def timed(client, url, headers, times=30) -> tuple[float, float, object]:
    spent, response = [], None
    for _ in range(times):
        began = time.perf_counter()
        response = client.get(url, **headers)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
        spent.append((time.perf_counter() - began) * 1000)
    spent.sort()
    return statistics.median(spent), spent[int(len(spent) * 0.95) - 1], response


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--screenings", type=int, default=0, help="PostgreSQL only")
    args = parser.parse_args()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as quiet:
        call_command("load_reference", stdout=quiet)
    began = time.perf_counter()
    fill(args.rows)
    print(f"rows: {args.rows} (filled in {time.perf_counter() - began:.1f} s)")
    if args.screenings:
        began = time.perf_counter()
        fill_screenings(args.screenings)
        print(f"screenings: {args.screenings} (filled in {time.perf_counter() - began:.1f} s)")

    from django.test import Client

    from hbmm.accounts.models import User
    from hbmm.accounts.services import api_token_create
    from hbmm.api.pagination import encode_cursor
    from hbmm.mobility.models import FlowCount

    user, _created = User.objects.get_or_create(username="api-bench", is_superuser=True)
    token = api_token_create(user=user, name="bench", days=1)[1]
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}", "HTTP_ACCEPT_ENCODING": "identity"}
    client = Client()
    base = "/api/v1/mobility/flows/"
    total = FlowCount.objects.count()
    deep_pk = FlowCount.objects.order_by("pk").values_list("pk", flat=True)[int(total * 0.9)]
    site = FlowCount.objects.order_by("pk").values_list("site__code", flat=True).first()
    pages = []
    if args.screenings:
        from hbmm.health.screening.models import Screening

        screenings = "/api/v1/health/screenings/"
        count = Screening.objects.count()
        deep_screening = Screening.objects.order_by("pk").values_list("pk", flat=True)[
            int(count * 0.9)
        ]
        pages = [
            ("scr first", f"{screenings}?limit=100"),
            ("scr deep", f"{screenings}?limit=100&cursor={encode_cursor('k', deep_screening)}"),
            ("scr day", f"{screenings}?limit=100&start=2020-03-15&end=2020-03-15"),
        ]
    for name, url in [
        *pages,
        ("first", f"{base}?limit=100"),
        ("deep", f"{base}?limit=100&cursor={encode_cursor('k', deep_pk)}"),
        ("filtered", f"{base}?limit=100&site={site}&start=2019-06-01&end=2019-06-30"),
    ]:
        p50, p95, response = timed(client, url, headers)
        rows = len(response.json()["results"])
        print(f"{name:9} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  ({rows} rows)")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    began = time.perf_counter()
    response = client.get(f"{base}?format=csv", **headers)
    lines = sum(chunk.count(b"\n") for chunk in response.streaming_content)
    seconds = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"csv       {lines - 2} rows in {seconds:.1f} s: {(lines - 2) / seconds:,.0f} rows/s; "
        f"peak RSS {after / 1024:.0f} MB (was {before / 1024:.0f} MB before the CSV)"
    )


if __name__ == "__main__":
    main()
