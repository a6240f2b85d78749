"""The regional-scale data set of issue 19 (five countries' size), generated once into its own
PostgreSQL database and kept: 1,000 flow monitoring points that are also points of entry,
one flow count per point and day for 5 years (1,826,000), 5,000,000 screenings and 500,000
community signals over the same 5 years. Used by `benchmarks/regional_scale.py`.

    psql -h 127.0.0.1 -U postgres -c 'create database hbmm_regional'
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hbmm_regional \\
        .venv/bin/python benchmarks/regional_data.py

Each table gets one row made by its write service (so every column the service sets is set as
it sets it), then the database copies that row with `INSERT ... SELECT ... generate_series`,
varying the point, the date and the counts: minutes, where rows through Python would take an
hour on the shared 2-core machine. `random()` is seeded: every run makes the same data. The
summary tables (`hbmm summaries --rebuild`) are rebuilt at the end. Idempotent: a table that
already holds its rows is left alone.
"""

import datetime as dt
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hbmm.settings")

POINTS = 1000
FIRST_DAY = dt.date(2015, 6, 1)
LAST_DAY = dt.date(2020, 5, 31)  # 1,827 days: 5 years up to the plan's as-of month
SCREENINGS = 5_000_000
SIGNALS = 500_000
PREFIX = "REG-"


def _copy_rows(cursor, model, template_pk: int, count: int, overrides: dict, extra_from="") -> None:
    """INSERT `count` copies of row `template_pk` of `model`, the columns in `overrides`
    computed by SQL over `g` (1..count)."""
    table = model._meta.db_table
    columns = [f.column for f in model._meta.concrete_fields if not f.primary_key]
    values = ", ".join(overrides.get(c, f"t.{c}") for c in columns).replace("%", "%%")
    cursor.execute(
        f"INSERT INTO {table} ({', '.join(columns)}) "
        f"SELECT {values} FROM {table} t CROSS JOIN generate_series(1, %s) g "
        f"{extra_from} WHERE t.id = %s",
        [count, template_pk],
    )


def points() -> list:
    from hbmm.places.models import AdminArea, Site
    from hbmm.places.services import site_registry_import

    have = list(Site.objects.filter(code__startswith=PREFIX).order_by("code"))
    if len(have) == POINTS:
        return have
    cercles = list(AdminArea.objects.filter(level=2, country_iso3="MLI").order_by("pcode"))
    site_registry_import(
        rows=[
            (
                i,
                {
                    "code": f"{PREFIX}{i:04d}",
                    "name_fr": f"Point {i:04d}",
                    "kinds": "fmp;bcp",
                    "pcode": cercles[i % len(cercles)].pcode,
                },
            )
            for i in range(1, POINTS + 1)
        ]
    )
    return list(Site.objects.filter(code__startswith=PREFIX).order_by("code"))


def _site_ids_sql(sites) -> str:
    """A SQL array of the points' ids, to pick one by index."""
    return "ARRAY[" + ",".join(str(s.pk) for s in sites) + "]"


def flow_counts(sites) -> None:
    from django.db import connection, transaction

    from hbmm.mobility.models import FlowCount
    from hbmm.mobility.services import flow_counts_save

    days = (LAST_DAY - FIRST_DAY).days + 1
    expected = days * len(sites)
    have = FlowCount.objects.filter(site__code__startswith=PREFIX).count()
    if have == expected:
        return
    began = time.monotonic()
    FlowCount.objects.filter(site__code__startswith=PREFIX).delete()
    template = flow_counts_save(
        rows=[
            {
                "site": sites[0],
                "observation_date": FIRST_DAY,
                "direction": "incoming",
                "men": 1,
                "women": 1,
                "boys": 1,
                "girls": 1,
                "total": 4,
                "nationality": "MLI",
            }
        ]
    )
    assert template == 1
    first = FlowCount.objects.get(site=sites[0], observation_date=FIRST_DAY)
    ids = _site_ids_sql(sites)
    # g = 1..days*points: day index (g-1) / points, point index (g-1) % points.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.19)")
        _copy_rows(
            cursor,
            FlowCount,
            first.pk,
            expected - 1,
            {
                "site_id": f"({ids})[(g % {len(sites)}) + 1]",
                "observation_date": f"'{FIRST_DAY}'::date + (g / {len(sites)})::int",
                "direction": f"CASE WHEN ((g / {len(sites)}) + g) % 2 = 1 THEN 'incoming'"
                " ELSE 'outgoing' END",
                "men": "r.men",
                "women": "r.women",
                "boys": "r.boys",
                "girls": "r.girls",
                "total": "r.men + r.women + r.boys + r.girls",
            },
            extra_from=(
                "CROSS JOIN LATERAL (SELECT (random() * 40)::int + g * 0 AS men,"
                " (random() * 20)::int AS women, (random() * 8)::int AS boys,"
                " (random() * 8)::int AS girls) r"
            ),
        )
    connection.cursor().execute("ANALYZE mobility_flowcount")
    print(f"  flow counts: {expected:,} in {time.monotonic() - began:.0f} s", flush=True)


def screenings(sites) -> None:
    from django.db import connection, transaction

    from hbmm.health.screening.models import Screening
    from hbmm.health.screening.services import screening_create

    have = Screening.objects.filter(point__code__startswith=PREFIX).count()
    if have == SCREENINGS:
        return
    began = time.monotonic()
    Screening.objects.filter(point__code__startswith=PREFIX).delete()
    first = screening_create(
        point=sites[0],
        screened_at=dt.datetime(FIRST_DAY.year, FIRST_DAY.month, FIRST_DAY.day, 6, tzinfo=dt.UTC),
        notify=False,
        check_scope=False,
        temperature=Decimal("36.8"),
        symptoms=[],
        sex="female",
        age=27,
        person_key="REGIONAL-0",
    )
    seconds = ((LAST_DAY - FIRST_DAY).days + 1) * 86400
    step = seconds / SCREENINGS  # evenly over the 5 years
    ids = _site_ids_sql(sites)
    # 2 % suspect; of the suspects: all isolated, 90 % notified (within 0-6 h), 70 % referred,
    # 50 % sampled, 10 % positive. 8 % with symptoms (the suspects among them).
    at = f"'{FIRST_DAY}'::timestamptz + (g * {step:.6f}) * interval '1 second'"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.19)")
        _copy_rows(
            cursor,
            Screening,
            first.pk,
            SCREENINGS - 1,
            {
                "point_id": f"({ids})[((g::bigint * 7919) % {len(sites)}) + 1]",
                "screened_at": at,
                "created_at": at,
                "person_key": "'REGIONAL-' || g",
                "has_symptoms": "r.u < 0.08",
                "auto_suspect": "r.u < 0.02",
                "is_suspect": "r.u < 0.02",
                "isolated_at": f"CASE WHEN r.u < 0.02 THEN {at} + interval '30 minutes' END",
                "notified_at": f"CASE WHEN r.u < 0.018 THEN {at} + r.v * interval '6 hours' END",
                "referred_at": f"CASE WHEN r.u < 0.014 THEN {at} + r.v * interval '12 hours' END",
                "sampled_at": f"CASE WHEN r.u < 0.01 THEN {at} + interval '1 day' END",
                "lab_result": "CASE WHEN r.u < 0.002 THEN 'positive'"
                " WHEN r.u < 0.01 THEN 'negative' ELSE '' END",
            },
            extra_from="CROSS JOIN LATERAL (SELECT random() + g * 0 AS u, random() AS v) r",
        )
    connection.cursor().execute("ANALYZE health_screening")
    print(f"  screenings: {SCREENINGS:,} in {time.monotonic() - began:.0f} s", flush=True)


def signals(sites) -> None:
    from django.db import connection, transaction

    from hbmm.health.ebs.models import Signal
    from hbmm.health.ebs.services import focal_point_register, signal_create

    have = Signal.objects.filter(site__code__startswith=PREFIX).count()
    if have == SIGNALS:
        return
    began = time.monotonic()
    Signal.objects.filter(site__code__startswith=PREFIX).delete()
    reporter = focal_point_register(key="REG-FP-1", name="Regional", area=sites[0].area)
    first = signal_create(
        reporter=reporter,
        reported_at=dt.datetime(FIRST_DAY.year, FIRST_DAY.month, FIRST_DAY.day, 8, tzinfo=dt.UTC),
        kind="rumour",
        site=sites[0],
    )
    seconds = ((LAST_DAY - FIRST_DAY).days + 1) * 86400
    step = seconds / SIGNALS
    ids = _site_ids_sql(sites)
    areas = "ARRAY[" + ",".join(str(s.area_id) for s in sites) + "]"
    at = f"'{FIRST_DAY}'::timestamptz + (g * {step:.6f}) * interval '1 second'"
    pick = f"((g::bigint * 104729) % {len(sites)}) + 1"
    # 70 % verified (half of them within 24 h), 10 % discarded, the rest waiting.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.19)")
        _copy_rows(
            cursor,
            Signal,
            first.pk,
            SIGNALS - 1,
            {
                "site_id": f"({ids})[{pick}]",
                "area_id": f"({areas})[{pick}]",
                "reported_at": at,
                "created_at": at,
                "detected_at": f"{at} - interval '3 hours'",
                "status": "CASE WHEN r.u < 0.7 THEN 'verified' WHEN r.u < 0.8 THEN 'discarded'"
                " ELSE 'new' END",
                "triaged_at": f"CASE WHEN r.u < 0.8 THEN {at} + interval '2 hours' END",
                "verified_at": f"CASE WHEN r.u < 0.7 THEN {at} + r.v * interval '48 hours' END",
                "verifier_name": "CASE WHEN r.u < 0.7 THEN 'Agent' ELSE '' END",
            },
            extra_from="CROSS JOIN LATERAL (SELECT random() + g * 0 AS u, random() AS v) r",
        )
    connection.cursor().execute("ANALYZE health_signal")
    print(f"  signals: {SIGNALS:,} in {time.monotonic() - began:.0f} s", flush=True)


def users():
    """The reader of the benchmark: every permission the overview asks and every country (a
    superuser's scope is everything)."""
    from hbmm.accounts.models import User
    from hbmm.accounts.services import roles_sync

    roles_sync()
    reader, _ = User.objects.get_or_create(username="regional-reader")
    reader.is_superuser = True
    reader.save()
    return reader


def generate() -> None:
    from django.core.management import call_command
    from django.db import connection

    from hbmm.mobility.services import border_closure_date_set
    from hbmm.places.services import reference_load

    call_command("migrate", verbosity=0)
    reference_load()
    sites = points()
    flow_counts(sites)
    screenings(sites)
    signals(sites)
    border_closure_date_set(day=dt.date(2020, 3, 19))
    users()
    # The rows above were copied by SQL, past the write services that keep the summaries.
    call_command("summaries", "--rebuild")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def main() -> None:
    import django

    django.setup()
    from django.db import connection

    assert connection.vendor == "postgresql", "the regional data set is for PostgreSQL"
    began = time.monotonic()
    generate()
    print(f"regional data ready in {time.monotonic() - began:.0f} s")


if __name__ == "__main__":
    main()
