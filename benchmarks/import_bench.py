"""File import speed and memory vs a raw executemany insert of the same rows.

    .venv/bin/python benchmarks/import_bench.py --rows 1000000            # SQLite under /tmp
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hbmm_intake_bench \\
        .venv/bin/python benchmarks/import_bench.py --rows 1000000

Each phase runs in its own process (peak RSS measured per phase):
  raw    : csv.reader + executemany INSERT into bench_flowcount, 10,000 rows per transaction
  import : hbmm's file import (raw row kept as a Submission, mapper, quarantine, report)
DESIGN.md's budget: import >= 1/3 of raw speed, < 500 MB RSS.
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
SITES = ["BCP-KOUREMALE", "BCP-ZEGOUA", "BCP-SONA", "BCP-GOGUI", "BCP-DIBOLI", "FMP-BAMAKO"]


def generate(path: Path, rows: int) -> None:
    rng = random.Random(2020)
    start = dt.date(2016, 1, 1)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["Date", "Site", "Direction", "Hommes", "Femmes", "Boys", "Girls", "Heure"])
        for n in range(rows):
            day = start + dt.timedelta(days=n % 1800)
            writer.writerow(
                [
                    day.strftime("%d/%m/%Y"),
                    SITES[n % len(SITES)],
                    ("incoming", "outgoing", "internal")[n % 3],
                    rng.randint(0, 400),
                    rng.randint(0, 300),
                    rng.randint(0, 100),
                    rng.randint(0, 100),
                    n,  # observation sequence: makes every row distinct
                ]
            )


def django_setup():
    sys.path.insert(0, str(HERE))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hbmm.settings")
    import django

    django.setup()


def phase_raw(path: Path) -> int:
    from django.db import connection, transaction

    from hbmm.places.models import Site

    sites = dict(Site.objects.values_list("code", "pk"))
    sql = (
        "INSERT INTO bench_flowcount (submission_id, site_id, observation_date, direction, men, "
        "women, boys, girls) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
    )
    count = 0
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter=";")
        next(reader)
        batch = []
        for row in reader:
            d, m, y = row[0].split("/")
            batch.append(
                (
                    count,
                    sites[row[1]],
                    f"{y}-{m}-{d}",
                    row[2],
                    int(row[3]),
                    int(row[4]),
                    int(row[5]),
                    int(row[6]),
                )
            )
            count += 1
            if len(batch) == 10_000:
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.executemany(sql, batch)
                batch = []
        if batch:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.executemany(sql, batch)
    return count


def phase_import(path: Path, batch_size: int) -> int:
    import bench_mapper

    from hbmm.intake.services import file_import

    bench_mapper.install()
    with path.open("rb") as handle:
        record = file_import(
            kind="flow_count", source=handle, original_name=path.name, batch_size=batch_size
        )
    assert record.status == "done", record.error
    print(
        f"  import: read {record.rows_read}, accepted {record.rows_accepted}, "
        f"quarantined {record.rows_quarantined}, already received {record.rows_duplicate}",
        file=sys.stderr,
    )
    return record.rows_read


def reset():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM bench_flowcount")
        cursor.execute(
            "DELETE FROM intake_submission WHERE source_file_id IN "
            "(SELECT id FROM intake_importfile WHERE kind = 'flow_count')"
        )
        cursor.execute("DELETE FROM intake_importfile WHERE kind = 'flow_count'")


def child(args):
    django_setup()
    path = Path(args.csv)
    if args.phase == "reset":
        reset()
        return
    started = time.perf_counter()
    rows = phase_raw(path) if args.phase == "raw" else phase_import(path, args.batch_size)
    elapsed = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak_mb = usage.ru_maxrss / 1024
    cpu = usage.ru_utime + usage.ru_stime
    print(
        f"{args.phase}\t{rows}\t{elapsed:.1f}\t{rows / elapsed:.0f}\t{peak_mb:.0f}\t"
        f"{cpu:.1f}\t{rows / cpu:.0f}"
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=2000)
    parser.add_argument("--phase", choices=["raw", "import", "reset"])
    parser.add_argument("--csv")
    parser.add_argument("--skip-raw", action="store_true")
    args = parser.parse_args()
    if args.phase:
        return child(args)
    os.environ.setdefault("HBMM_VAR_DIR", "/tmp/hbmm-intake-bench")
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    subprocess.run([sys.executable, str(HERE / "setup_db.py")], check=True)
    path = Path(os.environ["HBMM_VAR_DIR"]) / f"flow-{args.rows}.csv"
    if not path.exists():
        generate(path, args.rows)
    run = lambda phase: subprocess.run(  # noqa: E731
        [
            sys.executable,
            __file__,
            "--phase",
            phase,
            "--csv",
            str(path),
            "--batch-size",
            str(args.batch_size),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    print(f"database: {os.environ.get('DATABASE_URL', 'SQLite ' + os.environ['HBMM_VAR_DIR'])}")
    print(f"file: {path.name}, {path.stat().st_size / 1e6:.0f} MB, batch size {args.batch_size}")
    print("phase\trows\tseconds\trows/s\tpeak RSS MB\tCPU s (client)\trows/CPU s")
    results = {}
    for phase in ["import"] if args.skip_raw else ["raw", "import"]:
        run("reset")
        done = run(phase)
        sys.stderr.write(done.stderr)
        line = done.stdout.strip().splitlines()[-1]
        print(line)
        results[phase] = float(line.split("\t")[3])
    if "raw" in results:
        print(
            f"import speed / raw speed = {results['import'] / results['raw']:.3f} (budget >= 0.333)"
        )


if __name__ == "__main__":
    main()
