"""Reports at regional scale (issue 19): each figure of the overview and the situation report
that reads the big tables, timed against hand-written SQL for the same numbers, and the
overview and the whole sitrep (Markdown) as server time, at two as-of dates: one with about one
year of history behind it, one with five. Not part of `make test`. PostgreSQL only.

    psql -h 127.0.0.1 -U postgres -c 'create database hbmm_regional'      # once
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hbmm_regional \\
        .venv/bin/python benchmarks/regional_data.py                       # once, ~10 min
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hbmm_regional \\
        .venv/bin/python benchmarks/regional_scale.py [--repeat 5]

The data (`benchmarks/regional_data.py`): 1,000 flow monitoring points that are also points
of entry, one flow count per point and day from June 2015 to May 2020 (1,827,000), 5,000,000
screenings and 500,000 community signals over the same years; no border closure date, so the
"since June 2016" cumulative flow runs to the as-of date and grows with it.

Each line prints the median of `--repeat` runs (after one warm-up) of HBMM's figure (its
selectors and figure objects, as the overview calls them) and of the hand-written SQL that
computes the same numbers from the records, and their ratio. "Whole" lines time the overview
page and the Markdown sitrep through Django's request path (middleware, templates), in process.
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hbmm.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

AS_OF = {
    "1 year": dt.date(2016, 6, 30),  # history from June 2015: one year behind
    "5 years": dt.date(2020, 5, 31),  # five years behind
}


def _median(run, repeat: int) -> float:
    run()  # warm-up: caches, plans
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        run()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def hand_sql(as_of: dt.date) -> dict[str, list[tuple[str, list]]]:
    """The hand-written SQL of each figure: what a person writing the query for that one
    number, against the records, would write (national scope: no area filter)."""
    from hbmm.mobility import figures as mobility
    from hbmm.mobility.selectors import PLAN_FLOW_START, month_bounds
    from hbmm.reports.sections.reporting import last_week_on

    month = mobility.trend_month(as_of)
    first, last = month_bounds(month)
    before_first, _ = month_bounds(first - dt.timedelta(days=1))
    chart_start = as_of.replace(day=1)
    for _month in range(3):
        chart_start = (chart_start - dt.timedelta(days=1)).replace(day=1)
    week_start = as_of - dt.timedelta(days=6)
    weeks_start = as_of - dt.timedelta(weeks=12) + dt.timedelta(days=1)
    day_after = as_of + dt.timedelta(days=1)
    monday = last_week_on(as_of)
    flow_totals = (
        "SELECT coalesce(sum(total), 0), coalesce(sum(total) FILTER (WHERE direction ="
        " 'incoming'), 0), coalesce(sum(total) FILTER (WHERE direction = 'outgoing'), 0),"
        " coalesce(sum(total) FILTER (WHERE direction = 'internal'), 0),"
        " count(DISTINCT observation_date), count(*), count(DISTINCT site_id)"
        " FROM mobility_flowcount WHERE observation_date BETWEEN %s AND %s"
    )
    counts = (
        "count(*), count(*) FILTER (WHERE has_symptoms), count(*) FILTER (WHERE is_suspect),"
        " count(*) FILTER (WHERE isolated_at IS NOT NULL),"
        " count(*) FILTER (WHERE notified_at IS NOT NULL),"
        " count(*) FILTER (WHERE referred_at IS NOT NULL),"
        " count(*) FILTER (WHERE sampled_at IS NOT NULL),"
        " count(*) FILTER (WHERE lab_result = 'positive')"
    )
    weekly_counts = (
        "SELECT extract(isoyear FROM screened_at), extract(week FROM screened_at),"
        f" {counts} FROM health_screening WHERE screened_at >= %s AND screened_at < %s"
        " GROUP BY 1, 2 ORDER BY 1, 2",
        [weeks_start, day_after],
    )
    return {
        "mobility: daily average of the month (and the month before)": [
            (
                "SELECT date_trunc('month', observation_date), sum(total),"
                " count(DISTINCT observation_date), count(DISTINCT site_id)"
                " FROM mobility_flowcount WHERE observation_date BETWEEN %s AND %s GROUP BY 1",
                [before_first, last],
            )
        ],
        "mobility: individuals since June 2016": [(flow_totals, [PLAN_FLOW_START, as_of])],
        "mobility: daily flow chart (4 months)": [
            (
                "SELECT observation_date, direction, sum(total) FROM mobility_flowcount"
                " WHERE observation_date BETWEEN %s AND %s GROUP BY 1, 2 ORDER BY 1, 2",
                [chart_start, as_of],
            )
        ],
        "mobility: latest data date": [
            (
                "SELECT greatest((SELECT max(observation_date) FROM mobility_flowcount),"
                " (SELECT max(date) FROM mobility_mrrcoccupancy),"
                " (SELECT max(r.reporting_date) FROM mobility_displacementfigure f"
                " JOIN mobility_displacementround r ON r.id = f.round_id))",
                [],
            )
        ],
        "screening: 7-day summary": [
            (
                f"SELECT {counts}, count(DISTINCT point_id) FROM health_screening"
                " WHERE screened_at >= %s AND screened_at < %s",
                [week_start, day_after],
            ),
            (
                "SELECT screened_at, notified_at, referred_at FROM health_screening"
                " WHERE screened_at >= %s AND screened_at < %s AND is_suspect"
                " AND notified_at IS NOT NULL",
                [week_start, day_after],
            ),
        ],
        "screening: 12-week counts (chart)": [weekly_counts],
        "screening: 12-week counts and median delays (dashboard)": [
            weekly_counts,
            (
                "SELECT extract(isoyear FROM screened_at), extract(week FROM screened_at),"
                " screened_at, notified_at, referred_at FROM health_screening"
                " WHERE screened_at >= %s AND screened_at < %s AND is_suspect"
                " AND notified_at IS NOT NULL",
                [weeks_start, day_after],
            ),
        ],
        "screening: latest data date": [("SELECT max(screened_at) FROM health_screening", [])],
        "signals: verified within 24 hours (7 days)": [
            (
                "SELECT s.*, e.id FROM health_signal s LEFT JOIN health_healthevent e"
                " ON e.signal_id = s.id WHERE s.reported_at >= %s AND s.reported_at < %s"
                " AND s.status <> 'duplicate'",
                [week_start, day_after],
            ),
        ],
        "reporting: flow counts received last week": [
            (
                "SELECT f.site_id, f.observation_date, min(coalesce(s.received_at, f.entered_at))"
                " FROM mobility_flowcount f LEFT JOIN intake_submission s"
                " ON s.id = f.submission_id WHERE f.observation_date BETWEEN %s AND %s"
                " GROUP BY 1, 2",
                [monday, monday + dt.timedelta(days=6)],
            )
        ],
    }


def hbmm_figures(as_of: dt.date, scope, user) -> dict:
    """HBMM's figure for each line of `hand_sql`, as the overview's sections call them."""
    from hbmm.health.ebs.figures import verified_within_target
    from hbmm.health.screening.figures import screening_period
    from hbmm.health.screening.selectors import latest_screening_date, screening_figures
    from hbmm.mobility import figures as mobility
    from hbmm.mobility.selectors import flow_daily_series, latest_data_date
    from hbmm.reports.reporting.figures import reporting_week
    from hbmm.reports.sections.reporting import last_week_on

    chart_start = as_of.replace(day=1)
    for _month in range(3):
        chart_start = (chart_start - dt.timedelta(days=1)).replace(day=1)
    week_start = as_of - dt.timedelta(days=6)
    weeks_start = as_of - dt.timedelta(weeks=12) + dt.timedelta(days=1)
    return {
        "mobility: daily average of the month (and the month before)": lambda: (
            mobility.flow_daily_average(scope=scope, month=mobility.trend_month(as_of))
        ),
        "mobility: individuals since June 2016": lambda: mobility.flow_since_plan_start(
            scope=scope, end=as_of
        ),
        "mobility: daily flow chart (4 months)": lambda: flow_daily_series(
            scope=scope, start=chart_start, end=as_of
        ),
        "mobility: latest data date": lambda: latest_data_date(scope=scope),
        "screening: 7-day summary": lambda: screening_period(
            scope=scope, start=week_start, end=as_of, last_days=7
        ),
        "screening: 12-week counts (chart)": lambda: screening_figures(
            scope=scope, start=weeks_start, end=as_of, by=("week",), delays=False
        ),
        "screening: 12-week counts and median delays (dashboard)": lambda: screening_figures(
            scope=scope, start=weeks_start, end=as_of, by=("week",)
        ),
        "screening: latest data date": lambda: latest_screening_date(scope=scope),
        "signals: verified within 24 hours (7 days)": lambda: verified_within_target(
            scope=scope, start=week_start, end=as_of
        ),
        "reporting: flow counts received last week": lambda: reporting_week(
            scope=scope, monday=last_week_on(as_of), today=as_of + dt.timedelta(days=1)
        ),
    }


PARTITION_ROWS = 10_000_000
COPY_COLUMNS = "point_id, screened_at, is_suspect, has_symptoms, notified_at, referred_at"


def partitioning(repeat: int) -> None:
    """Monthly partitioning measured on copies (the models are not changed): 10,000,000
    screenings (the 5,000,000 twice, the second copy a minute later) in a plain table and in a
    table partitioned by month of `screened_at`, each indexed on `screened_at`; the figures'
    reads timed on both. Only the columns the figures read are copied (a narrow table: the
    difference partitioning makes shows more, not less, than on the wide one)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('bench_screening_plain') IS NOT NULL")
        if not cursor.fetchone()[0]:
            began = time.monotonic()
            for name, partitioned in (("plain", False), ("part", True)):
                table = f"bench_screening_{name}"
                cursor.execute(
                    f"CREATE TABLE {table} (point_id int, screened_at timestamptz NOT NULL,"
                    " is_suspect bool, has_symptoms bool, notified_at timestamptz,"
                    " referred_at timestamptz)"
                    + (" PARTITION BY RANGE (screened_at)" if partitioned else "")
                )
                if partitioned:
                    month = dt.date(2015, 6, 1)
                    while month <= dt.date(2020, 6, 1):
                        following = (month + dt.timedelta(days=32)).replace(day=1)
                        cursor.execute(
                            f"CREATE TABLE {table}_{month:%Y%m} PARTITION OF {table}"
                            f" FOR VALUES FROM ('{month}') TO ('{following}')"
                        )
                        month = following
                for shift in ("0", "1 minute"):
                    cursor.execute(
                        f"INSERT INTO {table} SELECT point_id, screened_at + interval '{shift}',"
                        " is_suspect, has_symptoms, notified_at, referred_at FROM health_screening"
                        f" WHERE screened_at < '2020-06-01'"
                    )
                cursor.execute(f"CREATE INDEX ON {table} (screened_at)")
                cursor.execute(f"ANALYZE {table}")
            print(f"copies made in {time.monotonic() - began:.0f} s")
        cursor.execute("SELECT count(*) FROM bench_screening_plain")
        print(f"\n{cursor.fetchone()[0]:,} screenings in each copy")
        end = "2020-06-01"
        reads = {
            "7 days: counts": (
                "SELECT count(*), count(*) FILTER (WHERE is_suspect), count(DISTINCT point_id)"
                " FROM {t} WHERE screened_at >= '2020-05-25' AND screened_at < %s"
            ),
            "12 weeks: counts by ISO week": (
                "SELECT extract(isoyear FROM screened_at), extract(week FROM screened_at),"
                " count(*), count(*) FILTER (WHERE is_suspect) FROM {t}"
                " WHERE screened_at >= '2020-03-09' AND screened_at < %s GROUP BY 1, 2"
            ),
            "latest screening": "SELECT max(screened_at) FROM {t} WHERE screened_at < %s",
            "5 years: count": "SELECT count(*) FROM {t} WHERE screened_at < %s",
        }
        print("\n| Read | plain ms | partitioned ms |\n|---|--:|--:|")
        for name, sql in reads.items():
            timing = []
            for table in ("bench_screening_plain", "bench_screening_part"):
                statement = sql.format(t=table)

                def run(statement=statement):
                    cursor.execute(statement, [end])
                    cursor.fetchall()

                timing.append(_median(run, repeat) * 1000)
            print(f"| {name} | {timing[0]:.0f} | {timing[1]:.0f} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--partitioning", action="store_true", help="only the partitioning measurement"
    )
    args = parser.parse_args()
    import django

    django.setup()
    from django.conf import settings
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections, connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    from hbmm.accounts.models import User
    from hbmm.accounts.scope import user_scope
    from hbmm.reports.registry import Context, sections_for

    assert connection.vendor == "postgresql", "run on the regional PostgreSQL database"
    if args.partitioning:
        partitioning(args.repeat)
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM mobility_flowcount")
        flows = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM health_screening")
        screenings = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM health_signal")
        signals = cursor.fetchone()[0]
    print(f"{flows:,} flow counts, {screenings:,} screenings, {signals:,} signals")
    user = User.objects.get(username="regional-reader")
    scope = user_scope(user)
    client = Client()
    client.force_login(user)
    # No collected static files here: plain static URLs (the page is the same otherwise).
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    override_settings(STORAGES=storages).enable()
    # One connection for the run, as a deployment with DB_CONN_MAX_AGE keeps it (and as the
    # test client does): the query counts below are then the requests' own.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)

    def run_sql(statements):
        with connection.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)
                cursor.fetchall()

    print("\n| Figure | history | HBMM ms | hand SQL ms | ratio |\n|---|---|--:|--:|--:|")
    whole = []
    for history, as_of in AS_OF.items():
        sql = hand_sql(as_of)
        for name, compute in hbmm_figures(as_of, scope, user).items():
            ours = _median(compute, args.repeat)
            theirs = _median(lambda s=sql[name]: run_sql(s), args.repeat)
            print(
                f"| {name} | {history} | {ours * 1000:.0f} | {theirs * 1000:.0f} |"
                f" {ours / theirs:.1f} |",
                flush=True,
            )
        for label, url in (
            ("overview", f"/?as_of={as_of}"),
            ("sitrep (Markdown)", f"/reports/report/?as_of={as_of}&format=md"),
        ):

            def get(url=url):
                response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)

            connection.queries_log.clear()  # full (9,000) when DEBUG logs every query
            with CaptureQueriesContext(connection) as queries:
                get()
            # Counted now: the requests timed next clear the log when they start.
            count = len(queries)
            spent = _median(get, args.repeat)
            whole.append((label, history, spent, count))
    print("\n| Section | history | ms |\n|---|---|--:|")
    for history, as_of in AS_OF.items():
        ctx = Context(user=user, scope=scope, as_of=as_of)
        for section in sections_for(user):
            spent = _median(lambda section=section, ctx=ctx: section.build(ctx), args.repeat)
            print(f"| {section.key} | {history} | {spent * 1000:.0f} |", flush=True)
    print("\n| Whole | history | server ms | queries |\n|---|---|--:|--:|")
    for label, history, spent, queries in whole:
        print(f"| {label} | {history} | {spent * 1000:.0f} | {queries} |")


if __name__ == "__main__":
    main()
