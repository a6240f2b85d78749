"""Response budgets of issue 15 (not part of `make test`):

  import     a 4W template of N rows (default 50,000) imported through intake's file import
             (kind activity_report): time, rows per second and peak RSS (bounded memory: the
             file is streamed, rows kept as submissions and 4W rows in batches).
  dashboard  the plan dashboard's figures (every indicator against its target, the funding,
             where activities happened) with 3 years of monthly reports by 20 partners in 60
             cercles: server time of the selectors and figures, and of the whole page.

    .venv/bin/python benchmarks/response_bench.py [--rows 50000] [--phase import|dashboard]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hbmm_response_bench \\
        .venv/bin/python benchmarks/response_bench.py

SQLite under /tmp/hbmm-response-bench by default. Each phase runs in its own process.
"""

import argparse
import csv
import datetime as dt
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hbmm.settings")
    import django

    django.setup()


def _plan_and_orgs(n_orgs: int):
    from hbmm.response import services
    from hbmm.response.models import Organisation

    plan = services.shipped_plan_load()
    orgs = []
    for i in range(n_orgs):
        code = f"partner-{i:02d}"
        org = Organisation.objects.filter(code=code).first() or services.organisation_create(
            code=code, name=f"Partner {i}", kind="ngo"
        )
        orgs.append(org)
    return plan, orgs


def _plain_indicators(plan):
    """Reported indicators without disaggregation or report-kind fields (one value column)."""
    return list(
        plan.indicators.filter(
            source="reported", disaggregation="none", report_kind="activity"
        ).values_list("code", flat=True)
    )


def _cercles(n: int) -> list[str]:
    from hbmm.places.models import AdminArea

    return list(
        AdminArea.objects.filter(level=2).order_by("pcode").values_list("pcode", flat=True)
    )[:n]


def phase_import(rows: int) -> None:
    _django()
    from django.contrib.auth.models import Group

    from hbmm.accounts.models import User
    from hbmm.accounts.services import user_scope_set
    from hbmm.intake.channels.files import file_import
    from hbmm.places.models import AdminArea

    plan, orgs = _plan_and_orgs(20)
    codes = _plain_indicators(plan)
    cercles = _cercles(60)
    user, _ = User.objects.get_or_create(username="bench-response")
    user.groups.add(Group.objects.get(name="programme_manager"))
    user_scope_set(user=user, areas=[AdminArea.objects.get(pcode="MLI")])
    path = Path(os.environ["HBMM_VAR_DIR"]) / f"4w-{rows}.csv"
    rng = random.Random(15)
    months = [f"2020-{m:02d}" for m in range(4, 13)]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["mois", "organisation", "indicateur", "pcode", "statut", "valeur", "note"])
        for i in range(rows):
            writer.writerow(
                [
                    rng.choice(months),
                    rng.choice(orgs).code,
                    rng.choice(codes),
                    rng.choice(cercles),
                    "réalisé",
                    rng.randint(1, 400),
                    f"row {i}",
                ]
            )
    t0 = time.perf_counter()
    with open(path, "rb") as source:
        record = file_import(
            kind="activity_report", source=source, original_name=path.name, uploaded_by=user
        )
    elapsed = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"import: {record.rows_read} rows read, {record.rows_accepted} accepted, "
        f"{record.rows_quarantined} quarantined in {elapsed:.1f} s "
        f"({record.rows_read / elapsed:,.0f} rows/s), peak RSS {peak:.0f} MB"
    )


def phase_dashboard(repeat: int) -> None:
    _django()
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from hbmm.accounts.models import User
    from hbmm.accounts.scope import EVERYTHING
    from hbmm.places.models import AdminArea
    from hbmm.response.figures import funding_figures, indicator_figures, spending_figures
    from hbmm.response.models import ActivityReport, ReportingPeriod
    from hbmm.response.selectors import activity_places

    plan, orgs = _plan_and_orgs(20)
    indicators = list(
        plan.indicators.filter(source="reported", disaggregation="none", report_kind="activity")
    )
    areas = list(AdminArea.objects.filter(level=2).order_by("pcode")[:60])
    # 3 years of monthly reports: the plan is stretched to 36 months for the measure.
    start = dt.date(2020, 1, 1)
    plan.start, plan.end = start, dt.date(2022, 12, 31)
    plan.save(update_fields=["start", "end"])
    if not ActivityReport.objects.filter(period__month__year=2022).exists():
        rng = random.Random(15)
        with transaction.atomic():
            periods = [
                ReportingPeriod.objects.get_or_create(
                    plan=plan, month=dt.date(2020 + m // 12, m % 12 + 1, 1)
                )[0]
                for m in range(36)
            ]
            batch = []
            for period in periods:
                for org in orgs:
                    for area in rng.sample(areas, 6):
                        batch.append(
                            ActivityReport(
                                period=period,
                                organisation=org,
                                indicator=rng.choice(indicators),
                                area=area,
                                value=rng.randint(1, 300),
                            )
                        )
            ActivityReport.objects.bulk_create(batch, batch_size=2000)
    rows = ActivityReport.objects.filter(period__plan=plan).count()
    as_of = dt.date(2022, 12, 31)
    timings = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            indicator_figures(plan=plan, scope=EVERYTHING, organisations=None, as_of=as_of)
            funding_figures(plan=plan, as_of=as_of)
            spending_figures(plan=plan, as_of=as_of)
            activity_places(plan=plan, scope=EVERYTHING, organisations=None, as_of=as_of)
        timings.append(time.perf_counter() - t0)
    print(
        f"dashboard figures: {rows:,} 4W rows (the import's, and 36 months x 20 partners x "
        "6 of 60 cercles): "
        f"median {sorted(timings)[len(timings) // 2] * 1000:.0f} ms, "
        f"{len(queries.captured_queries)} queries"
    )
    user, _ = User.objects.get_or_create(username="bench-admin", defaults={"is_superuser": True})
    user.is_superuser = True
    user.save()
    from django.conf import settings
    from django.test.utils import override_settings

    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    page_times = []
    plain = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=plain, ALLOWED_HOSTS=["localhost"]):
        measure_page(client, as_of, repeat, page_times)
    print(f"dashboard page: median {sorted(page_times)[len(page_times) // 2] * 1000:.0f} ms")


def measure_page(client, as_of, repeat: int, page_times: list) -> None:
    for _ in range(repeat):
        t0 = time.perf_counter()
        response = client.get(f"/response/?as_of={as_of.isoformat()}")
        page_times.append(time.perf_counter() - t0)
        assert response.status_code == 200, response.status_code


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--phase", choices=["import", "dashboard"])
    args = parser.parse_args()
    os.environ.setdefault("HBMM_VAR_DIR", "/tmp/hbmm-response-bench")
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    Path(os.environ["HBMM_VAR_DIR"]).mkdir(parents=True, exist_ok=True)
    if args.phase == "import":
        return phase_import(args.rows)
    if args.phase == "dashboard":
        return phase_dashboard(args.repeat)
    subprocess.run([sys.executable, str(HERE / "setup_db.py")], check=True)
    print(f"database: {os.environ.get('DATABASE_URL', 'SQLite ' + os.environ['HBMM_VAR_DIR'])}")
    for phase in ("import", "dashboard"):
        subprocess.run(
            [
                sys.executable,
                __file__,
                "--phase",
                phase,
                "--rows",
                str(args.rows),
                "--repeat",
                str(args.repeat),
            ],
            check=True,
        )


if __name__ == "__main__":
    main()
