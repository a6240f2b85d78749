"""File import speed and memory against storing the same rows with no checks (DESIGN.md budget:
import >= 1/2 of the speed of `raw_kept`, < 500 MB RSS). Not part of `make test`.

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
           must store, with none of its checks: DESIGN.md's budget compares against it.
           `raw` shows how much of the gap is storage and how much is the pipeline.
  import   `hbmm import flow_count`'s service: the file stored, each row kept as a Submission
           with its checksum, instance id and row number, cleaned by mobility's mapper
           (aliases, every field checked, site kind/activity/scope), the flow count written
           through mobility's service, the outcome recorded per row, the file's counters.
"""

import csv
import datetime as dt
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ingest_phases import Bench, main  # noqa: E402

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


def raw_rows(path: Path):
    from django.db import connection

    from hbmm.places.models import Site

    sites = dict(Site.objects.values_list("code", "pk"))
    day_value = connection.ops.adapt_datefield_value
    now = connection.ops.adapt_datetimefield_value(dt.datetime.now(dt.UTC))
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter=";")
        next(reader)
        for row in reader:
            d, m, y = row[0].split("/")
            yield (
                sites[row[1]],
                day_value(dt.date(int(y), int(m), int(d))),
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


def reset():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM mobility_flowcount")
        cursor.execute("DELETE FROM intake_submission WHERE form_id = 'flow_count'")
        cursor.execute("DELETE FROM intake_importfile WHERE kind = 'flow_count'")
        # The month summary goes with its records: left, each run's import would update (and
        # on PostgreSQL, leave dead) the rows of every run before, and cost more each time.
        cursor.execute("DELETE FROM mobility_flowmonthsummary")
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE mobility_flowcount")
            cursor.execute("VACUUM ANALYZE intake_submission")
            cursor.execute("VACUUM ANALYZE mobility_flowmonthsummary")
        else:
            cursor.execute("VACUUM")


BENCH = Bench(
    kind="flow_count",
    table="mobility_flowcount",
    columns=COLUMNS,
    header=HEADER,
    csv_name="flow-registry-{rows}.csv",
    var_dir="/tmp/hbmm-intake-bench",
    generate=generate,
    raw_rows=raw_rows,
    reset=reset,
    variants={},
)

if __name__ == "__main__":
    main(BENCH, __file__)
