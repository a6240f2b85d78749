"""The jobs services on the real database: locks, leases, recovery of lost runs, hand-over
of jobs never given to the backend, retries later, and the scheduled pulls."""

import datetime as dt
import os

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocMemBackend
from django.utils import timezone

from hbmm.intake.models import PullSource
from hbmm.intake.tasks import pull_enqueue, pulls_schedule
from hbmm.jobs import services
from hbmm.jobs.models import Job
from hbmm.jobs.runner import JobLost, JobRun

pytestmark = pytest.mark.django_db


def source(name="Central Kayes", **extra) -> PullSource:
    values = {
        "channel": "odk_central",
        "server_url": "https://central.example.org",
        "project_id": "1",
        "remote_form_id": "flow_count",
        "form_id": "flow_count",
        **extra,
    }
    return PullSource.objects.create(name=name, **values)


def running(job: Job, *, since: dt.timedelta, attempts: int = 1) -> None:
    """The job as a worker left it when it was killed `since` ago."""
    Job.objects.filter(pk=job.pk).update(
        status="running", attempts=attempts, heartbeat_at=timezone.now() - since, worker="gone:1"
    )


class FlakySMTP(LocMemBackend):
    """The test mail box, refusing messages (as an unreachable SMTP server) after a count."""

    fail_after: int | None = None

    def send_messages(self, messages):
        if FlakySMTP.fail_after is not None and len(mail.outbox) >= FlakySMTP.fail_after:
            raise ConnectionRefusedError(111, "Connection refused")
        return super().send_messages(messages)


def test_one_job_per_lock_while_it_is_queued_or_running(database_backend):
    gogui = source()
    first, created = pull_enqueue(source=gogui)
    assert created and first.status == "queued"
    again, created = pull_enqueue(source=gogui)
    assert (again.pk, created) == (first.pk, False)  # the unique index decided
    Job.objects.filter(pk=first.pk).update(status="failed")
    third, created = pull_enqueue(source=gogui)
    assert created and third.pk != first.pk  # a finished job holds no lock


def test_a_run_whose_worker_stopped_is_queued_again_then_failed_after_max_runs(
    database_backend, settings
):
    from django_tasks_db.models import DBTaskResult

    settings.HBMM_JOBS_LEASE_SECONDS = 60
    job, _ = pull_enqueue(source=source())
    services.job_dispatch(job.pk)  # (on commit, outside a test transaction)
    job.refresh_from_db()
    assert DBTaskResult.objects.get(id=job.task_id).status == "READY"
    DBTaskResult.objects.filter(id=job.task_id).update(status="RUNNING")  # claimed, then killed
    lost_task = job.task_id
    running(job, since=dt.timedelta(seconds=30))
    assert services.jobs_recover() == []  # within its lease: alive
    running(job, since=dt.timedelta(seconds=61))
    assert services.jobs_recover() == [job.pk]
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("queued", 1) and job.task_id != lost_task
    assert DBTaskResult.objects.get(id=lost_task).status == "FAILED"
    assert DBTaskResult.objects.get(id=job.task_id).status == "READY"  # its next run
    # Lost a third time (max_attempts 3): it fails, saying why.
    running(job, since=dt.timedelta(minutes=5), attempts=3)
    assert services.jobs_recover() == []
    job.refresh_from_db()
    assert job.status == "failed" and "stopped 3 times" in job.error


def test_a_run_of_a_dead_process_of_this_machine_is_recovered_without_waiting(
    database_backend, settings
):
    import socket
    import subprocess

    settings.HBMM_JOBS_LEASE_SECONDS = 600
    dead = subprocess.Popen(["true"])  # a process that has ended: its pid is free
    dead.wait()
    host = socket.gethostname()
    killed, _ = pull_enqueue(source=source("Central Kayes"))
    alive, _ = pull_enqueue(source=source("Central Gao"))
    elsewhere, _ = pull_enqueue(source=source("Central Mopti"))
    for job, worker in (
        (killed, f"{host}:{dead.pid}"),
        (alive, f"{host}:{os.getpid()}"),
        (elsewhere, f"another-machine:{dead.pid}"),
    ):
        running(job, since=dt.timedelta(seconds=5))
        Job.objects.filter(pk=job.pk).update(worker=worker)
    assert services.jobs_recover() == [killed.pk]  # the others are within their lease


def test_a_run_that_lost_its_lease_stops_at_its_next_progress(database_backend):
    job, _ = pull_enqueue(source=source())
    claimed = services.job_claim(job.pk, worker="slow:1")
    run = JobRun(claimed)
    run.progress(10, 100)
    # Its heartbeat was late: another worker took the job over (run 2).
    Job.objects.filter(pk=job.pk).update(attempts=2)
    with pytest.raises(JobLost):
        run.progress(20, 100)
    assert Job.objects.get(pk=job.pk).progress_done == 10  # the old run wrote nothing more
    assert not services.job_succeed(claimed, outcome={"x": 1})


def test_a_job_committed_but_never_handed_over_is_handed_over(database_backend):
    job, _ = pull_enqueue(source=source())  # on_commit never comes in a test transaction
    assert Job.objects.get(pk=job.pk).task_id == ""
    services.jobs_recover()
    assert Job.objects.get(pk=job.pk).task_id == ""  # within the grace: maybe still coming
    Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(minutes=1))
    services.jobs_recover()
    assert Job.objects.get(pk=job.pk).task_id != ""


def test_due_pulls_are_queued_once_whatever_the_number_of_workers(database_backend):
    now = timezone.now()
    hourly = source("Central Kayes", pull_interval=60)
    source("Kobo Mopti", channel="kobo", pull_interval=0)  # on demand only
    source("Central Gao", pull_interval=15, enabled=False)
    assert pulls_schedule(now=now) == [hourly.pk]
    assert pulls_schedule(now=now) == []  # a second worker's tick at the same moment
    hourly.refresh_from_db()
    assert hourly.next_pull_at == now + dt.timedelta(minutes=60)
    # An hour later the first pull is still running: the schedule moves, no second run.
    Job.objects.filter(kind="pull").update(status="running")
    assert pulls_schedule(now=now + dt.timedelta(minutes=61)) == []
    assert Job.objects.filter(kind="pull").count() == 1
    Job.objects.filter(kind="pull").update(status="succeeded")
    assert pulls_schedule(now=now + dt.timedelta(minutes=122)) == [hourly.pk]


def test_alert_emails_not_sent_twice_and_tried_again_later_when_smtp_fails(
    database_backend, settings
):
    from hbmm.health.screening.tasks import alert_emails_enqueue, alert_emails_send

    settings.EMAIL_BACKEND = "tests.jobs.test_services.FlakySMTP"
    FlakySMTP.fail_after = 1
    messages = [
        {"subject": f"[HBMM] {n}", "body": "...", "to": [f"u{n}@example.org"]} for n in range(3)
    ]
    job, _ = alert_emails_enqueue(messages=messages, references=["SCR-000001"])
    alert_emails_send.call(job.pk)  # the server accepts one message, then fails
    job.refresh_from_db()
    assert (job.status, job.progress_done, job.attempts) == ("queued", 1, 1)
    assert "u1@example.org" in job.error
    assert [m.to for m in mail.outbox] == [["u0@example.org"]]
    FlakySMTP.fail_after = None
    alert_emails_send.call(job.pk)  # five minutes later (run_after): the rest only
    job.refresh_from_db()
    assert (job.status, job.outcome) == ("succeeded", {"sent": 3, "recipients": 3})
    assert [m.to for m in mail.outbox] == [
        ["u0@example.org"],
        ["u1@example.org"],
        ["u2@example.org"],
    ]


def test_files_of_old_jobs_are_deleted_and_the_jobs_kept(settings, tmp_path):
    from hbmm.jobs.runner import JobRun

    settings.MEDIA_ROOT = tmp_path
    now = timezone.now()
    jobs = []
    for days in (8, 6):
        job = Job.objects.create(kind="sitrep_pdf", task_path="x.y", label=f"{days}.pdf")
        JobRun(job).save_file(f"{days}.pdf", b"%PDF-1.7")
        Job.objects.filter(pk=job.pk).update(
            status="succeeded", finished_at=now - dt.timedelta(days=days)
        )
        jobs.append(Job.objects.get(pk=job.pk))
    old, recent = jobs
    path = tmp_path / old.result_file.name
    assert path.exists()
    assert services.job_files_prune(now=now) == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.result_file.name, old.status) == ("", "succeeded") and not path.exists()
    assert (tmp_path / recent.result_file.name).exists()


def test_routine_jobs_that_succeeded_are_deleted_after_their_kind_keeps_them():
    from django_tasks_db.models import DBTaskResult

    now = timezone.now()

    def finished(kind, status, hours):
        job = Job.objects.create(kind=kind, task_path="x.y", label=f"{kind} {status} {hours}")
        Job.objects.filter(pk=job.pk).update(
            status=status, finished_at=now - dt.timedelta(hours=hours)
        )
        return job.pk

    old = finished("submissions_map", "succeeded", 25)
    recent = finished("submissions_map", "succeeded", 23)
    failed = finished("submissions_map", "failed", 48)
    asked = finished("import", "succeeded", 48)  # someone asked for it: kept
    result = DBTaskResult.objects.create(
        task_path="x.y",
        args_kwargs={"args": [old], "kwargs": {}},
        status="SUCCESSFUL",
        backend_name="default",
        run_after=now,
        queue_name="default",
        priority=0,
    )
    Job.objects.filter(pk=old).update(task_id=str(result.id), backend="default")
    assert services.jobs_routine_prune(now=now) == 1
    assert set(Job.objects.values_list("pk", flat=True)) >= {recent, failed, asked}
    assert not Job.objects.filter(pk=old).exists()
    assert not DBTaskResult.objects.filter(id=result.id).exists()
