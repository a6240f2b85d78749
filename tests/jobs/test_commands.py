"""`hbmm jobs` lists the jobs (status, kind, started, progress, outcome); `hbmm worker` says
so when the backend needs no worker."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from hbmm.jobs.models import Job

pytestmark = pytest.mark.django_db


def test_hbmm_jobs_lists_status_kind_started_progress_and_outcome(make_user):
    started = timezone.make_aware(dt.datetime(2020, 5, 15, 8, 30))
    officer = make_user("im_officer", areas=["MLI"])
    done = Job.objects.create(
        kind="import",
        task_path="hbmm.intake.tasks.import_file_read",
        label="registre.csv",
        requested_by=officer,
        status="succeeded",
        attempts=2,
        started_at=started,
        progress_done=1200,
        progress_total=1200,
        outcome={"read": 1200, "accepted": 1199, "quarantined": 1, "duplicate": 0},
    )
    Job.objects.create(
        kind="pull",
        task_path="hbmm.intake.tasks.pull_source",
        label="Central Kayes [flow_count]",
        status="failed",
        attempts=1,
        started_at=started,
        error="https://central.example.org: HTTP 401",
    )
    Job.objects.create(
        kind="sitrep_pdf", task_path="hbmm.reports.tasks.sitrep_pdf_render", label="sitrep.pdf"
    )
    out = io.StringIO()
    call_command("jobs", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].split() == ["job", "status", "kind", "started", "progress", "outcome"]
    assert len(lines) == 4
    assert "waiting for a worker" in lines[1] and "sitrep_pdf" in lines[1]
    assert (
        "failed" in lines[2]
        and "Central Kayes [flow_count]: https://central.example.org: HTTP 401" in lines[2]
    )
    assert lines[3].startswith(f"#{done.pk}")
    assert "2020-05-15 08:30:00" in lines[3] and "1,200 / 1,200 (100%)" in lines[3]
    assert (
        "registre.csv: 1,200 rows read, 1,199 accepted, 1 quarantined, 0 already received"
        in lines[3]
    )
    out = io.StringIO()
    call_command("jobs", status="failed", stdout=out)
    assert len(out.getvalue().splitlines()) == 2
    out = io.StringIO()
    call_command("jobs", kind="nothing", stdout=out)
    assert out.getvalue() == "No job.\n"


def test_hbmm_worker_refuses_an_inline_backend():
    with pytest.raises(CommandError, match="runs tasks inline"):
        call_command("worker", burst=True)


def test_import_resume_leaves_a_file_that_a_job_holds_to_the_workers(
    reference, database_backend, settings, tmp_path
):
    from hbmm.intake.channels.files import import_file_store
    from hbmm.intake.models import ImportFile
    from hbmm.intake.tasks import import_file_enqueue
    from tests.intake.test_file_rows import registry

    settings.MEDIA_ROOT = tmp_path
    held = import_file_store(
        kind="flow_count", source=io.BytesIO(registry(3)), original_name="tenu.csv"
    )
    free = import_file_store(
        kind="flow_count",
        source=io.BytesIO(registry(2, first_day=dt.date(2019, 1, 1))),
        original_name="libre.csv",
    )
    long_ago = timezone.now() - ImportFile.INTERRUPTED_AFTER - dt.timedelta(minutes=1)
    ImportFile.objects.update(uploaded_at=long_ago)  # both look interrupted
    job, _ = import_file_enqueue(import_file=held)  # waiting for a worker
    out = io.StringIO()
    call_command("import", resume=True, no_progress=True, stdout=out)
    assert f"tenu.csv: skipped: job #{job.pk} holds it" in out.getvalue()
    assert "libre.csv: 2 rows read, 2 accepted" in out.getvalue()
    held.refresh_from_db()
    free.refresh_from_db()
    assert (held.status, held.rows_read) == ("pending", 0)
    assert (free.status, free.rows_read) == ("done", 2)
