"""Screening ingest speed: N screening rows through the intake pipeline (receive + map +
classify + audit) against a raw bulk insert of the same rows. Not part of `make test`.

    HBMM_VAR_DIR=/tmp/hbmm-bench .venv/bin/python benchmarks/screening_ingest.py 2000

Uses (and migrates) the database of HBMM_VAR_DIR / DATABASE_URL: never point it at real data.
"""

import datetime as dt
import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hbmm.settings")
import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

from hbmm.health.screening.models import AgeGroup, Screening  # noqa: E402
from hbmm.health.screening.services import case_definition_default_ensure  # noqa: E402
from hbmm.intake.models import Submission  # noqa: E402
from hbmm.intake.parsing import json_dumps  # noqa: E402
from hbmm.intake.services import submission_receive, submissions_process  # noqa: E402
from hbmm.places.models import Site  # noqa: E402


def rows(n: int, tag: str):
    start = dt.datetime(2020, 4, 1, 6, tzinfo=dt.UTC)
    for i in range(n):
        yield {
            "point": ("BCP-KOUREMALE", "BCP-DIBOLI", "BCP-ZEGOUA")[i % 3],
            "screened_at": (start + dt.timedelta(minutes=7 * i)).isoformat(),
            "sex": ("male", "female")[i % 2],
            "age": str(18 + i % 50),
            "nationality": "GIN",
            "temperature": "38.4" if i % 20 == 0 else "36.6",
            "symptoms": "cough" if i % 10 == 0 else "",
            "traveller_name": f"Traveller {tag} {i}",
        }


def main(n: int) -> None:
    call_command("migrate", verbosity=0)
    call_command("load_reference", verbosity=0)
    tag = str(time.time_ns())
    t0 = time.perf_counter()
    received = []
    for i, data in enumerate(rows(n, tag)):
        received.append(
            submission_receive(
                channel="file",
                form_id="screening",
                instance_id=f"bench:{tag}:{i}",
                payload=json_dumps(data),
                payload_format=Submission.Format.ROW,
                data=data,
            ).submission
        )
        if len(received) == 500:
            submissions_process(received)
            received = []
    submissions_process(received)
    pipeline = time.perf_counter() - t0

    definition = case_definition_default_ensure()
    sites = {s.code: s for s in Site.objects.all()}
    t0 = time.perf_counter()
    batch = []
    for i, data in enumerate(rows(n, tag)):
        batch.append(
            Screening(
                point=sites[data["point"]],
                screened_at=dt.datetime.fromisoformat(data["screened_at"]),
                person_key=f"B-{tag}-{i}",
                name=data["traveller_name"],
                sex=data["sex"],
                age=int(data["age"]),
                age_group=AgeGroup.of(int(data["age"])),
                nationality="GIN",
                temperature=data["temperature"],
                case_definition=definition,
                auto_suspect=False,
                is_suspect=False,
            )
        )
        if len(batch) == 1000:
            with transaction.atomic():
                Screening.objects.bulk_create(batch)
            batch = []
    with transaction.atomic():
        Screening.objects.bulk_create(batch)
    raw = time.perf_counter() - t0
    print(
        f"{n} rows: pipeline {n / pipeline:,.0f} rows/s ({pipeline:.1f} s), "
        f"raw bulk insert {n / raw:,.0f} rows/s ({raw:.1f} s), ratio {raw / pipeline:.2f}"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
