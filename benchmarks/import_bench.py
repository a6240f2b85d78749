"""File import speed and memory against a raw bulk insert of the same rows (DESIGN.md budget:
import >= 1/3 of raw speed, < 500 MB RSS). Not part of `make test`.

    .venv/bin/python benchmarks/import_bench.py --rows 1000000            # SQLite under /tmp
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hbmm_intake_bench \\
        .venv/bin/python benchmarks/import_bench.py --rows 1000000

The file is a flow-monitoring registry as field offices send it: `;`-delimited, French headers,
dd/mm/yyyy dates, French choice words. Each phase runs in its own process (peak RSS per phase):

  raw      csv.reader, each row converted to FlowCount columns by hand (dates, numbers, site
           code -> id, words -> codes), executemany INSERT into mobility_flowcount,
           10,000 rows per transaction: no raw row kept, no validation, no report.
  raw_copy (PostgreSQL only) the same rows through COPY, the fastest bulk insert there is.
  raw_kept the same rows, and beside each its kept raw row (the JSON of its cells, its
           checksum, instance id, row number, status: the submission columns the import
           writes), inserted with executemany (SQLite) or COPY (PostgreSQL): what the import
           must store, with none of its checks. DESIGN.md's budget compares against `raw`;
           this phase shows how much of the gap is storage and how much is the pipeline.
  import   `hbmm import flow_count`'s service: the file stored, each row kept as a Submission
           with its checksum, instance id and row number, cleaned by mobility's mapper
           (aliases, every field checked, site kind/activity/scope), the flow count written
           through mobility's service, the outcome recorded per row, the file's counters.
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
HEADER = [
    "Date",
    "Site",
    "Sens",
    "Hommes",
    "Femmes",
    "Garçons",
    "Filles",
    "Total",
    "Nationalité",
    "Transport",
    "Motif",
    "Provenance",
    "Destination",
    "Heures",
]
DIRECTIONS = {"entrant": "incoming", "sortant": "outgoing", "interne": "internal"}
TRANSPORTS = {"bus": "bus", "moto": "motorbike", "camion": "truck"}
REASONS = {"economique": "economic", "familial": "family", "autre": "other"}
COLUMNS = [
    "site_id",
    "observation_date",
    "direction",
    "men",
    "women",
    "boys",
    "girls",
    "total",
    "nationality",
    "nationality_counts",
    "transport",
    "reason",
    "reason_counts",
    "previous_country",
    "next_country",
    "final_destination",
    "observation_hours",
    "entered_at",
]


def generate(path: Path, rows: int) -> None:
    rng = random.Random(2020)
    start = dt.date(2016, 1, 1)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(HEADER)
        for n in range(rows):
            day = start + dt.timedelta(days=n % 1500)
            counts = [rng.randint(0, 400), rng.randint(0, 300), rng.randint(0, 100), n % 97]
            direction = ("entrant", "sortant", "interne")[n % 3]
            abroad = ("GIN", "SEN", "CIV")[n % 3]
            writer.writerow(
                [
                    day.strftime("%d/%m/%Y"),
                    SITES[n % len(SITES)],
                    direction,
                    *counts,
                    sum(counts),
                    ("MLI", "GIN", "SEN")[n % 3],
                    ("bus", "moto", "camion")[n % 3],
                    ("economique", "familial", "autre")[n % 3],
                    "MLI" if direction == "sortant" else abroad,
                    abroad if direction == "sortant" else "MLI",
                    ("12", "8", "24")[n % 3],
                ]
            )


def django_setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hbmm.settings")
    import django

    django.setup()


def raw_rows(path: Path):
    from hbmm.places.models import Site

    sites = dict(Site.objects.values_list("code", "pk"))
    now = dt.datetime.now(dt.UTC)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter=";")
        next(reader)
        for row in reader:
            d, m, y = row[0].split("/")
            yield (
                sites[row[1]],
                dt.date(int(y), int(m), int(d)),
                DIRECTIONS[row[2]],
                int(row[3]),
                int(row[4]),
                int(row[5]),
                int(row[6]),
                int(row[7]),
                row[8],
                "{}",
                TRANSPORTS[row[9]],
                REASONS[row[10]],
                "{}",
                row[11],
                row[12],
                "",
                int(row[13]),
                now,
            )


def phase_raw(path: Path, *, copy: bool) -> int:
    from django.db import connection, transaction

    names = ", ".join(COLUMNS)
    sql = f"INSERT INTO mobility_flowcount ({names}) VALUES ({', '.join(['%s'] * len(COLUMNS))})"
    count, batch = 0, []

    def flush():
        with transaction.atomic(), connection.cursor() as cursor:
            if copy:
                with cursor.cursor.copy(f"COPY mobility_flowcount ({names}) FROM STDIN") as out:
                    for row in batch:
                        out.write_row(row)
            else:
                cursor.executemany(sql, batch)

    for row in raw_rows(path):
        batch.append(row)
        count += 1
        if len(batch) == 10_000:
            flush()
            batch = []
    if batch:
        flush()
    return count


SUBMISSION_COLUMNS = [
    "id",
    "channel",
    "form_id",
    "form_version",
    "instance_id",
    "root_id",
    "deprecated_id",
    "is_current",
    "submitter_name",
    "device_id",
    "received_at",
    "payload",
    "payload_format",
    "checksum",
    "row_number",
    "is_demo",
    "status",
    "data",
    "corrections",
    "errors",
    "processed_at",
]


def phase_raw_kept(path: Path) -> int:
    """Both tables, ids chosen here (no read back), values converted by hand."""
    import hashlib
    import json

    from django.db import connection, transaction

    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM intake_submission")
        next_id = cursor.fetchone()[0] + 1
    now = dt.datetime.now(dt.UTC)
    stamp = now if postgres else now.replace(tzinfo=None).isoformat(" ")
    header = [h.strip() for h in HEADER]
    sub_names, flow_names = ", ".join(SUBMISSION_COLUMNS), ", ".join(["submission_id", *COLUMNS])

    def flush(submissions, counts):
        with transaction.atomic(), connection.cursor() as cursor:
            if postgres:
                for table, names, rows in (
                    ("intake_submission", sub_names, submissions),
                    ("mobility_flowcount", flow_names, counts),
                ):
                    with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as out:
                        for row in rows:
                            out.write_row(row)
            else:
                for table, names, rows in (
                    ("intake_submission", sub_names, submissions),
                    ("mobility_flowcount", flow_names, counts),
                ):
                    marks = ", ".join(["%s"] * len(rows[0]))
                    cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)

    count, submissions, counts = 0, [], []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        cells = csv.reader(handle, delimiter=";")
        next(cells)
        for values, row in zip(cells, raw_rows(path), strict=True):
            payload = json.dumps(dict(zip(header, values, strict=True)), ensure_ascii=False)
            checksum = hashlib.sha256(payload.encode()).hexdigest()
            instance_id = f"file:flow_count:{checksum[:40]}"
            sid = next_id + count
            submissions.append(
                (
                    sid,
                    "file",
                    "flow_count",
                    "",
                    instance_id,
                    instance_id,
                    "",
                    True,
                    "",
                    "",
                    stamp,
                    payload,
                    "row",
                    checksum,
                    count + 2,
                    False,
                    "accepted",
                    payload,
                    "{}",
                    "[]",
                    stamp,
                )
            )
            row = list(row)
            if not postgres:
                row[1] = row[1].isoformat()
                row[-1] = stamp
            counts.append((sid, *row))
            count += 1
            if len(submissions) == 10_000:
                flush(submissions, counts)
                submissions, counts = [], []
    if submissions:
        flush(submissions, counts)
    return count


def phase_import(path: Path, batch_size: int) -> int:
    from hbmm.intake.services import file_import

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
    assert record.rows_accepted == record.rows_read, "every benchmark row is valid"
    return record.rows_read


def reset():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM mobility_flowcount")
        cursor.execute("DELETE FROM intake_submission WHERE form_id = 'flow_count'")
        cursor.execute("DELETE FROM intake_importfile WHERE kind = 'flow_count'")
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE mobility_flowcount")
            cursor.execute("VACUUM ANALYZE intake_submission")
        else:
            cursor.execute("VACUUM")


def child(args):
    django_setup()
    path = Path(args.csv)
    if args.phase == "reset":
        reset()
        return
    started = time.perf_counter()
    if args.phase == "import":
        rows = phase_import(path, args.batch_size)
    elif args.phase == "raw_kept":
        rows = phase_raw_kept(path)
    else:
        rows = phase_raw(path, copy=args.phase == "raw_copy")
    elapsed = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(
        f"{args.phase}\t{rows}\t{elapsed:.1f}\t{rows / elapsed:.0f}\t{usage.ru_maxrss / 1024:.0f}"
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=2000)
    parser.add_argument("--phase", choices=["raw", "raw_copy", "raw_kept", "import", "reset"])
    parser.add_argument("--csv")
    parser.add_argument(
        "--phases", help="comma-separated phases to run (default: all for the database)"
    )
    args = parser.parse_args()
    if args.phase:
        return child(args)
    os.environ.setdefault("HBMM_VAR_DIR", "/tmp/hbmm-intake-bench")
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    subprocess.run([sys.executable, str(HERE / "setup_db.py")], check=True)
    path = Path(os.environ["HBMM_VAR_DIR"]) / f"flow-registry-{args.rows}.csv"
    if not path.exists():
        generate(path, args.rows)
    postgres = os.environ.get("DATABASE_URL", "").startswith("postg")

    def run(phase):
        command = [sys.executable, __file__, "--phase", phase, "--csv", str(path)]
        command += ["--batch-size", str(args.batch_size)]
        return subprocess.run(command, check=True, capture_output=True, text=True)

    print(f"database: {os.environ.get('DATABASE_URL', 'SQLite ' + os.environ['HBMM_VAR_DIR'])}")
    print(f"file: {path.name}, {path.stat().st_size / 1e6:.0f} MB, batch size {args.batch_size}")
    print("phase\trows\tseconds\trows/s\tpeak RSS MB")
    results = {}
    phases = (
        ["raw", "raw_copy", "raw_kept", "import"] if postgres else ["raw", "raw_kept", "import"]
    )
    if args.phases:
        phases = [p for p in phases if p in args.phases.split(",")]
    for phase in phases:
        run("reset")
        done = run(phase)
        sys.stderr.write(done.stderr)
        line = done.stdout.strip().splitlines()[-1]
        print(line)
        results[phase] = float(line.split("\t")[3])
    for baseline in ("raw", "raw_copy", "raw_kept"):
        if baseline in results:
            ratio = results["import"] / results[baseline]
            print(f"import speed / {baseline} speed = {ratio:.3f} (budget >= 0.333)")


if __name__ == "__main__":
    main()
