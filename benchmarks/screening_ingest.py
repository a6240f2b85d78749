"""Screening file import speed and memory against a raw bulk insert of the same rows (DESIGN.md
budget: import >= 1/3 of raw speed, bounded memory). Not part of `make test`.

    .venv/bin/python benchmarks/screening_ingest.py --rows 200000          # SQLite under /tmp
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hbmm_screening_bench \\
        .venv/bin/python benchmarks/screening_ingest.py --rows 200000

Uses (and migrates) the database of HBMM_VAR_DIR / DATABASE_URL: never point it at real data.
The file is a point-of-entry screening register as field offices send it: `;`-delimited,
French headers (docs/imports-health.md), dd/mm/yyyy hh:mm times, decimal commas, `oui`/`non`;
most travellers named, many with a phone or a document; about 1 in 200 a suspect case, whose
alert goes to the point's supervisor (e-mails kept in memory). Each phase runs in its own
process (peak RSS per phase):

  raw        csv.reader, each row converted to health_screening columns by hand (site code ->
             id, time, numbers, JSON lists), its identifiers encrypted and its person key
             computed as stored (DESIGN.md: identifiers live encrypted), executemany INSERT,
             10,000 rows per transaction: no raw row kept, no validation, no classification,
             no audit, no report.
  raw_plain  the same with the identifiers left in clear text (what encryption costs).
  raw_copy   (PostgreSQL only) the raw rows through COPY, the fastest bulk insert there is.
  raw_kept   the raw rows, and beside each its kept raw row (the JSON of its cells, checksum,
             instance id, row number, status: the submission columns the import writes),
             executemany (SQLite) or COPY (PostgreSQL): what the import must store, with none
             of its checks. The budget compares against `raw`; this phase tells how much of
             the gap is storage and how much is the pipeline.
  import     `hbmm import screening`'s service: the file stored, each row kept as a Submission
             with its checksum, instance id and row number, cleaned by the screening mapper,
             checked, classified and decided by `screenings_create_batch`, written with its
             identifiers encrypted, one audit event per batch, suspects notified and audited,
             the outcome recorded per row, the file's counters.
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
POINTS = [
    "BCP-KOUREMALE",
    "BCP-ZEGOUA",
    "BCP-SONA",
    "BCP-GOGUI",
    "BCP-DIBOLI",
    "BCP-HEREMAKONO",
    "BCP-BENENA",
    "FMP-BAMAKO",
]
HEADER = [
    "Poste",
    "Date_heure",
    "Agent",
    "Nom",
    "Téléphone",
    "Numéro_document",
    "Sexe",
    "Age",
    "Nationalité",
    "Moyen_transport",
    "Immatriculation",
    "Pays_provenance",
    "Lieu_provenance",
    "Pays_visités",
    "Destination",
    "Contact_malade",
    "Température",
    "Symptômes",
    "Décision",
]
FIRST_NAMES = ["Awa", "Moussa", "Fatoumata", "Oumar", "Aminata", "Seydou", "Mariam", "Ibrahim"]
LAST_NAMES = ["Traoré", "Keita", "Diarra", "Coulibaly", "Sidibé", "Touré", "Konaté", "Diallo"]
COUNTRIES = ["MLI", "SEN", "GIN", "CIV", "BFA", "MRT"]
DESTINATIONS = ["ML0901", "ML0103", "ML0203", "ML0302", "ML0506", ""]
CONVEYANCES = ["bus", "car", "truck", "motorbike", "on_foot"]
COLUMNS = [
    "point_id",
    "screened_at",
    "agent_id",
    "agent_name",
    "person_key",
    "name",
    "phone",
    "document_number",
    "sex",
    "age",
    "age_group",
    "nationality",
    "conveyance",
    "company_plate",
    "origin_country",
    "origin_place",
    "countries_visited",
    "destination_id",
    "contact_sick",
    "temperature",
    "symptoms",
    "other_symptom",
    "has_symptoms",
    "case_definition_id",
    "auto_suspect",
    "matched_clauses",
    "classification_status",
    "is_suspect",
    "override_reason",
    "alert_recipients",
    "referral_transport",
    "lab_result",
    "outcome",
    "created_at",
]


def generate(path: Path, rows: int) -> None:
    rng = random.Random(2020)
    start = dt.datetime(2020, 3, 25, 6, 0)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(HEADER)
        for n in range(rows):
            at = start + dt.timedelta(seconds=13 * n)
            came_from = rng.choice(COUNTRIES[1:])
            suspect = rng.random() < 0.005
            symptoms = "cough" if suspect else rng.choice(["", "", "", "", "", "headache"])
            temperature = (
                f"{rng.uniform(38.0, 39.5):.1f}" if suspect else f"{36.2 + n % 9 / 10:.1f}"
            )
            named = rng.random() < 0.9
            writer.writerow(
                [
                    POINTS[n % len(POINTS)],
                    at.strftime("%d/%m/%Y %H:%M"),
                    ("Agent Kané", "Agent Dembélé")[n % 2],
                    f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} {n}" if named else "",
                    f"+223 7{n % 10} {n % 100:02d} {n % 97:02d} {n % 89:02d}"
                    if rng.random() < 0.7
                    else "",
                    f"A{n:08d}" if rng.random() < 0.5 else "",
                    rng.choice(["male", "female", "male", "unknown"]),
                    str(rng.randint(1, 90)) if rng.random() < 0.95 else "",
                    rng.choice(COUNTRIES),
                    rng.choice(CONVEYANCES),
                    f"AB-{n % 9000:04d}-MD" if n % 3 == 0 else "",
                    came_from,
                    "Kidira" if came_from == "SEN" else "",
                    f"{came_from} MLI" if n % 4 == 0 else came_from,
                    DESTINATIONS[n % len(DESTINATIONS)],
                    "oui" if rng.random() < 0.01 else "non",
                    temperature.replace(".", ","),
                    symptoms,
                    "",
                ]
            )


def django_setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hbmm.settings")
    import django

    django.setup()


def prepare() -> None:
    """A poe_supervisor over every point, so that suspects' alerts have a recipient."""
    from django.contrib.auth.models import Group

    from hbmm.accounts.models import User
    from hbmm.accounts.services import user_scope_set
    from hbmm.health.screening.services import case_definition_default_ensure
    from hbmm.places.models import AdminArea

    user, _created = User.objects.get_or_create(
        username="bench-supervisor", defaults={"email": "supervisor@example.org"}
    )
    user.groups.add(Group.objects.get(name="poe_supervisor"))
    user_scope_set(user=user, areas=[AdminArea.objects.get(pcode="MLI")])
    case_definition_default_ensure()


def json_list(text: str) -> str:
    words = text.split()
    return '["' + '", "'.join(words) + '"]' if words else "[]"


def raw_rows(path: Path, *, encrypted: bool):
    from django.db import connection

    from hbmm.crypto import encrypt
    from hbmm.health.screening.models import AgeGroup, CaseDefinition
    from hbmm.health.screening.services import person_key_for
    from hbmm.places.models import AdminArea, Site

    sites = dict(Site.objects.values_list("code", "pk"))
    areas = dict(AdminArea.objects.values_list("pcode", "pk"))
    definition = CaseDefinition.objects.values_list("pk", flat=True).first()
    moment = connection.ops.adapt_datetimefield_value
    now = moment(dt.datetime.now(dt.UTC))
    secret = encrypt if encrypted else str
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter=";")
        next(reader)
        for row in reader:
            day, hour = row[1].split(" ")
            d, m, y = day.split("/")
            h, mi = hour.split(":")
            at = dt.datetime(int(y), int(m), int(d), int(h), int(mi), tzinfo=dt.UTC)
            age = int(row[7]) if row[7] else None
            name, phone, document = row[3], row[4], row[5]
            symptoms = row[17]
            yield (
                sites[row[0]],
                moment(at),
                None,
                row[2],
                person_key_for(name=name, phone=phone, document_number=document),
                secret(name) if name else "",
                secret(phone) if phone else "",
                secret(document) if document else "",
                row[6],
                age,
                AgeGroup.of(age),
                row[8],
                row[9],
                row[10],
                row[11],
                row[12],
                json_list(row[13]),
                areas.get(row[14]),
                row[15] == "oui",
                row[16].replace(",", "."),
                json_list(symptoms),
                "",
                bool(symptoms),
                definition,
                False,
                "[]",
                "automatic",
                False,
                "",
                0,
                "",
                "",
                "",
                now,
            )


def phase_raw(path: Path, *, copy: bool, encrypted: bool = True) -> int:
    from django.db import connection, transaction

    names = ", ".join(COLUMNS)
    sql = f"INSERT INTO health_screening ({names}) VALUES ({', '.join(['%s'] * len(COLUMNS))})"
    count, batch = 0, []

    def flush():
        with transaction.atomic(), connection.cursor() as cursor:
            if copy:
                with cursor.cursor.copy(f"COPY health_screening ({names}) FROM STDIN") as out:
                    for row in batch:
                        out.write_row(row)
            else:
                cursor.executemany(sql, batch)

    for row in raw_rows(path, encrypted=encrypted):
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
    """The raw rows and, beside each, its kept raw row (a submission): ids chosen here (no
    read back), values converted by hand, no checks."""
    import hashlib
    import json

    from django.db import connection, transaction

    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM intake_submission")
        next_id = cursor.fetchone()[0] + 1
    stamp = connection.ops.adapt_datetimefield_value(dt.datetime.now(dt.UTC))
    header = [h.strip() for h in HEADER]
    tables = (
        ("intake_submission", ", ".join(SUBMISSION_COLUMNS)),
        ("health_screening", ", ".join(["submission_id", *COLUMNS])),
    )

    def flush(*batches):
        with transaction.atomic(), connection.cursor() as cursor:
            for (table, names), rows in zip(tables, batches, strict=True):
                if postgres:
                    with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as out:
                        for row in rows:
                            out.write_row(row)
                else:
                    marks = ", ".join(["%s"] * len(rows[0]))
                    cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)

    count, submissions, screenings = 0, [], []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        cells = csv.reader(handle, delimiter=";")
        next(cells)
        for values, row in zip(cells, raw_rows(path, encrypted=True), strict=True):
            payload = json.dumps(dict(zip(header, values, strict=True)), ensure_ascii=False)
            checksum = hashlib.sha256(payload.encode()).hexdigest()
            instance_id = f"file:screening:{checksum[:40]}"
            sid = next_id + count
            submissions.append(
                (sid, "file", "screening", "", instance_id, instance_id, "", True, "", "")
                + (stamp, payload, "row", checksum, count + 2, False, "accepted", payload)
                + ("{}", "[]", stamp)
            )
            screenings.append((sid, *row))
            count += 1
            if len(submissions) == 10_000:
                flush(submissions, screenings)
                submissions, screenings = [], []
    if submissions:
        flush(submissions, screenings)
    return count


def phase_import(path: Path, batch_size: int) -> int:
    from django.core import mail

    from hbmm.health.screening.models import Screening
    from hbmm.intake.services import file_import

    with path.open("rb") as handle:
        record = file_import(
            kind="screening", source=handle, original_name=path.name, batch_size=batch_size
        )
    assert record.status == "done", record.error
    suspects = Screening.objects.filter(is_suspect=True).count()
    print(
        f"  import: read {record.rows_read}, accepted {record.rows_accepted}, "
        f"quarantined {record.rows_quarantined}, already received {record.rows_duplicate}; "
        f"{suspects} suspects, {len(getattr(mail, 'outbox', []))} alert e-mails",
        file=sys.stderr,
    )
    assert record.rows_accepted == record.rows_read, "every benchmark row is valid"
    return record.rows_read


def reset():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM health_screening")
        cursor.execute("DELETE FROM intake_submission WHERE form_id = 'screening'")
        cursor.execute("DELETE FROM intake_importfile WHERE kind = 'screening'")
        cursor.execute("DELETE FROM accounts_auditevent WHERE target LIKE 'health.screening%'")
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE health_screening")
            cursor.execute("VACUUM ANALYZE intake_submission")
        else:
            cursor.execute("VACUUM")


def child(args):
    django_setup()
    path = Path(args.csv)
    if args.phase == "reset":
        reset()
        prepare()
        return
    started = time.perf_counter()
    if args.phase == "import":
        rows = phase_import(path, args.batch_size)
    elif args.phase == "raw_kept":
        rows = phase_raw_kept(path)
    else:
        rows = phase_raw(path, copy=args.phase == "raw_copy", encrypted=args.phase != "raw_plain")
    elapsed = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(
        f"{args.phase}\t{rows}\t{elapsed:.1f}\t{rows / elapsed:.0f}\t{usage.ru_maxrss / 1024:.0f}"
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=2000)
    parser.add_argument(
        "--phase", choices=["raw", "raw_plain", "raw_copy", "raw_kept", "import", "reset"]
    )
    parser.add_argument("--csv")
    args = parser.parse_args()
    if args.phase:
        return child(args)
    os.environ.setdefault("HBMM_VAR_DIR", "/tmp/hbmm-screening-bench")
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    Path(os.environ["HBMM_VAR_DIR"]).mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, str(HERE / "setup_db.py")], check=True)
    path = Path(os.environ["HBMM_VAR_DIR"]) / f"depistage-{args.rows}.csv"
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
    phases = ["raw", "raw_plain"] + (["raw_copy"] if postgres else []) + ["raw_kept", "import"]
    results = {}
    for phase in phases:
        run("reset")
        done = run(phase)
        sys.stderr.write(done.stderr)
        line = done.stdout.strip().splitlines()[-1]
        print(line)
        results[phase] = float(line.split("\t")[3])
    for baseline in ("raw", "raw_plain", "raw_copy", "raw_kept"):
        if baseline in results:
            ratio = results["import"] / results[baseline]
            print(f"import speed / {baseline} speed = {ratio:.3f} (budget >= 0.333)")


if __name__ == "__main__":
    main()
