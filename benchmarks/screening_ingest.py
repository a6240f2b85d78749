"""Screening file import speed and memory against storing the same rows with no checks
(DESIGN.md budget: import >= 1/2 of the speed of `raw_kept`, < 500 MB RSS). Not part of
`make test`.

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
             of its checks: the budget compares against it; `raw` tells how much of the
             gap is storage and how much is the pipeline.
  import     `hbmm import screening`'s service: the file stored, each row kept as a Submission
             with its checksum, instance id and row number, cleaned by the screening mapper,
             checked, classified and decided by `screenings_save_batch`, written with its
             identifiers encrypted, one audit event per batch, suspects notified and audited,
             the outcome recorded per row, the file's counters.
"""

import csv
import datetime as dt
import os
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ingest_phases import Bench, main  # noqa: E402

# Alerts to suspects' supervisors are kept in memory (the phases' processes inherit this).
os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
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


def prepare() -> None:
    """A poe_supervisor over every point, so that suspects' alerts have a recipient."""
    from django.contrib.auth.models import Group

    from hbmm.accounts.models import User
    from hbmm.accounts.services import user_scope_set
    from hbmm.health.screening.definitions import case_definition_default_ensure
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


def raw_rows(path: Path, *, encrypted: bool = True):
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


def report(record) -> str:
    from django.core import mail

    from hbmm.health.screening.models import Screening

    suspects = Screening.objects.filter(is_suspect=True).count()
    return f"; {suspects} suspects, {len(getattr(mail, 'outbox', []))} alert e-mails"


BENCH = Bench(
    kind="screening",
    table="health_screening",
    columns=COLUMNS,
    header=HEADER,
    csv_name="depistage-{rows}.csv",
    var_dir="/tmp/hbmm-screening-bench",
    generate=generate,
    raw_rows=raw_rows,
    reset=reset,
    variants={"raw_plain": {"encrypted": False}},
    prepare=prepare,
    report=report,
)

if __name__ == "__main__":
    main(BENCH, __file__)
