"""Look-ups by instance id use the unique index on SQLite: the queries that receive a
submission, read a file's batch and store a pulled page, each explained by SQLite with the
parameters they ran with. (With the copy statuses as parameters SQLite could not use the
partial index and read the whole table for each submission received: 185 ms each at 100,000
stored, found by benchmarks/crash_resume.py.)"""

import io

import pytest
from django.db import connection

from hbmm.intake.channels.files import file_import
from hbmm.intake.process import submissions_process
from hbmm.intake.receive import submission_receive
from tests.intake.test_file_rows import registry


def scans_of_submissions(run) -> list[str]:
    """The queries on intake_submission filtered by instance id that SQLite answers by
    reading the whole table."""
    seen = []

    def record(execute, sql, params, many, context):
        seen.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        run()
    scans = []
    with connection.cursor() as cursor:
        for sql, params in seen:
            if not sql.startswith("SELECT") or '"intake_submission"."instance_id"' not in sql:
                continue
            if 'FROM "intake_submission"' not in sql:
                continue
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params or ())
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
            if "SCAN intake_submission" in plan:  # the table, or a whole index of it
                scans.append(f"{plan}: {sql[:200]}")
    return scans


@pytest.fixture(autouse=True)
def sqlite_only(settings, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's partial-index matching")
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.django_db
def test_receiving_a_submission_reads_no_whole_table(reference, make_user):
    officer = make_user("im_officer", areas=["MLI"])

    def run():
        received = submission_receive(
            channel="openrosa",
            form_id="flow_count",
            instance_id="uuid:index-1",
            payload="<data/>",
            payload_format="xml",
            data={"observation_date": "2020-04-28", "site": "BCP-GOGUI", "direction": "incoming"},
            submitter=officer,
        )
        submissions_process([received.submission])

    assert scans_of_submissions(run) == []


@pytest.mark.django_db
def test_importing_a_file_reads_no_whole_table(reference):
    def run():
        file_import(kind="flow_count", source=io.BytesIO(registry(20)), original_name="r.csv")

    assert scans_of_submissions(run) == []
