"""Real worker processes (`hbmm worker`) on the test database: a queued import runs; a worker
killed with SIGKILL in the middle of an import is noticed (its lease expires) and the job is
run again by another worker, ending as if it had run once: on the database backend, and on
RQ with the machine's Redis (skipped without one)."""

import datetime as dt
import io
import time

import pytest
from django.db.models import Count

from hbmm.intake.channels.files import import_file_store
from hbmm.intake.models import ImportFile, Submission
from hbmm.intake.tasks import import_file_enqueue
from hbmm.jobs.models import Job
from hbmm.mobility.models import FlowCount
from tests.intake.test_file_rows import registry
from tests.jobs.conftest import REDIS, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def stored(rows: int, name: str) -> ImportFile:
    content = registry(rows, first_day=dt.date(2020, 1, 1))
    return import_file_store(kind="flow_count", source=io.BytesIO(content), original_name=name)


def test_a_worker_process_runs_a_queued_import(reference, media, database_backend, worker):
    record = stored(40, "registre.csv")
    job, created = import_file_enqueue(import_file=record)
    assert created and Job.objects.get(pk=job.pk).task_id  # handed to the backend on commit
    process = worker().start("--burst")
    assert process.process.wait(timeout=60) == 0, process.output()
    job.refresh_from_db()
    record.refresh_from_db()
    assert (job.status, job.attempts, job.progress_done) == ("succeeded", 1, 40)
    assert job.outcome["accepted"] == 40 and record.status == "done"
    assert FlowCount.objects.filter(submission__source_file=record).count() == 40


@pytest.fixture(
    params=[("database", "elsewhere"), ("database", "here"), ("rq", "elsewhere")],
    ids=["database-lease", "database-same-machine", "rq-lease"],
)
def backend(request, settings):
    """The backend the parent process queues on, the environment its workers need, and where
    the killed worker ran: on "another machine" (its death known when its lease expires) or
    on this one (known at once: its process is gone)."""
    kind, where = request.param
    if kind == "database":
        request.getfixturevalue("database_backend")
        return kind, where, {}
    queue = request.getfixturevalue("rq_backend")
    return kind, where, {"REDIS_URL": REDIS, "HBMM_TASKS_QUEUE": queue}


def test_a_worker_killed_mid_import_is_replaced_and_the_file_ends_imported_once(
    reference, media, backend, worker
):
    kind, where, env = backend
    rows = 12_000
    record = stored(rows, "grand-registre.csv")
    job, _created = import_file_enqueue(import_file=record, batch_size=250)
    t0 = time.monotonic()
    first = worker(**env).start(host="worker-elsewhere" if where == "elsewhere" else "")
    # Killed once some batches are stored, well before the end.
    wait_for(
        lambda: 2_000 <= Job.objects.get(pk=job.pk).progress_done <= rows - 2_000,
        timeout=120,
        what="the first worker storing rows",
        worker=first,
    )
    first.kill()  # SIGKILL: nothing is recorded, the job stays "running"
    killed_at = time.monotonic()
    killed = Job.objects.get(pk=job.pk)
    partial = Submission.objects.filter(source_file=record).count()
    assert killed.status == "running" and killed.attempts == 1
    assert 0 < partial < rows
    lost_task = killed.task_id

    second = worker(**env).start()
    wait_for(
        lambda: Job.objects.get(pk=job.pk).status in ("succeeded", "failed"),
        timeout=180,
        what="the job recovered and finished",
        worker=second,
    )
    done_at = time.monotonic()
    job.refresh_from_db()
    record.refresh_from_db()
    print(
        f"{kind}, worker {where}: killed after {killed_at - t0:.1f} s at "
        f"{killed.progress_done} rows; {done_at - killed_at:.1f} s from the kill to the end "
        "(lease 3 s)"
    )
    if where == "elsewhere":
        assert done_at - killed_at > 3  # it waited for the lease
    assert (job.status, job.attempts, job.error) == ("succeeded", 2, "")
    # As if it ran once: every row counted once, by its outcome; nothing stored twice.
    assert (record.rows_read, record.rows_accepted) == (rows, rows)
    assert (record.rows_quarantined, record.rows_duplicate) == (0, 0)
    assert job.outcome == {
        "import_file": record.pk,
        "read": rows,
        "accepted": rows,
        "quarantined": 0,
        "duplicate": 0,
    }
    submissions = Submission.objects.filter(source_file=record)
    assert submissions.count() == rows
    assert not submissions.values("instance_id").annotate(n=Count("pk")).filter(n__gt=1)
    numbers = sorted(submissions.values_list("row_number", flat=True))
    assert numbers == list(range(2, rows + 2))  # no gap
    assert FlowCount.objects.filter(submission__source_file=record).count() == rows
    if kind == "database":
        task_results_tell_the_truth(lost_task, job.task_id)


def task_results_tell_the_truth(lost_task: str, last_task: str) -> None:
    """The killed run's task result is marked failed (the database backend would leave it
    running); the run that replaced it succeeded."""
    from django_tasks_db.models import DBTaskResult

    # The import's tasks only: a worker also runs the scheduled jobs falling due meanwhile
    # (the reporting reminders, at 07:52 UTC on one run).
    imports = DBTaskResult.objects.filter(task_path="hbmm.intake.tasks.import_file_read")
    results = dict(imports.values_list("id", "status"))
    assert len(results) == 2
    assert {str(k): v for k, v in results.items()}[lost_task] == "FAILED"
    assert DBTaskResult.objects.get(id=last_task).status == "SUCCESSFUL"
