"""Writes of the jobs app: queue a job, hand it to the task backend, record a run's progress
and outcome, recover the runs whose worker was lost.

A job is queued in the caller's transaction (a Job row) and handed to the backend once that
transaction commits (`transaction.on_commit`): a job is never run for work that was rolled
back, and a worker never looks for a row it cannot see yet. The row is the outbox: a job
committed but never handed over (the process stopped in between, Redis was down) is handed
over by the next worker tick (`jobs_recover`). With the ImmediateBackend (tests, one-process
use) the job runs at once, in the caller's transaction.

Every change of a running job is conditional on its status and its run number (`attempts`):
a worker that lost its lease cannot overwrite what the run that replaced it writes.
"""

import contextlib
import datetime as dt
import functools
import logging
import os
import socket
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks.backends.immediate import ImmediateBackend
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from hbmm.jobs.models import Job
from hbmm.jobs.registry import kinds, periodic
from hbmm.jobs.selectors import job_active_with_lock

log = logging.getLogger(__name__)
Status = Job.Status
# A job committed but not handed to the backend this long after is handed over again.
HANDOVER_GRACE = dt.timedelta(seconds=30)


def _backend():
    return task_backends[DEFAULT_TASK_BACKEND_ALIAS]


def runs_inline() -> bool:
    """Whether the configured backend runs a task inside `enqueue` (no worker)."""
    return isinstance(_backend(), ImmediateBackend)


def job_enqueue(
    *,
    kind: str,
    task,
    params: dict,
    label: str,
    requested_by=None,
    target: str = "",
    lock_key: str = "",
    dispatch: bool = True,
) -> tuple[Job, bool]:
    """Queue `task` (a `runner.job_task`) with `params`; returns (job, created). When a job
    with the same `lock_key` is already queued or running, nothing is queued and that job is
    returned (created False): one run at a time per lock, decided by a unique index.
    `dispatch=False`: the caller runs the job itself now (`task.call(job.pk)`)."""
    for _attempt in range(2):
        try:
            with transaction.atomic():
                job = Job.objects.create(
                    kind=kind,
                    task_path=task.module_path,
                    params=params,
                    label=label[:255],
                    requested_by=requested_by,
                    target=target,
                    lock_key=lock_key,
                    max_attempts=settings.HBMM_JOBS_MAX_ATTEMPTS,
                )
        except IntegrityError:
            active = job_active_with_lock(lock_key=lock_key)
            if active is not None:
                return active, False
            continue  # the active job finished in between: queue this one
        if dispatch and runs_inline():
            job_dispatch(job.pk)
            job.refresh_from_db()
        elif dispatch:
            transaction.on_commit(functools.partial(job_dispatch, job.pk), robust=True)
        return job, True
    raise RuntimeError(f"could not queue a job with lock {lock_key!r}")


def job_dispatch(job_id: int, *, run_after: dt.datetime | None = None) -> None:
    """Hand a queued job to the task backend (a new task result for its next run)."""
    job = Job.objects.filter(pk=job_id, status=Status.QUEUED).first()
    if job is None:
        return
    task = import_string(job.task_path).using(
        queue_name=settings.HBMM_TASKS_QUEUE, run_after=run_after
    )
    try:
        result = task.enqueue(job.pk)
    except Exception:
        # Redis down, database locked...: the job stays queued with no task id, and the next
        # worker tick hands it over again (jobs_recover).
        log.exception("job %s could not be handed to the task backend", job.pk)
        return
    Job.objects.filter(pk=job.pk, task_id="").update(
        task_id=str(result.id)[:64], backend=result.backend
    )


def job_claim(job_id: int, *, worker: str) -> Job | None:
    """Start a run of a queued job (None when it is not queued: it already ran, another
    worker runs it, or it was handed over twice)."""
    now = timezone.now()
    started = Job.objects.filter(pk=job_id, status=Status.QUEUED).update(
        status=Status.RUNNING,
        attempts=F("attempts") + 1,
        started_at=Coalesce(F("started_at"), now),
        heartbeat_at=now,
        worker=worker[:100],
        error="",
    )
    return Job.objects.get(pk=job_id) if started else None


def _this_run(job: Job):
    return Job.objects.filter(pk=job.pk, status=Status.RUNNING, attempts=job.attempts)


def job_beat(job: Job, *, done: int | None = None, total: int | None = None) -> bool:
    """The run is alive (and how far it got): False when the run lost its lease."""
    values: dict = {"heartbeat_at": timezone.now()}
    if done is not None:
        values["progress_done"] = job.progress_done = done
    if total is not None:
        values["progress_total"] = job.progress_total = total
    return bool(_this_run(job).update(**values))


def job_succeed(job: Job, *, outcome: dict) -> bool:
    now = timezone.now()
    done = _this_run(job).update(
        status=Status.SUCCEEDED, outcome=outcome, finished_at=now, heartbeat_at=now
    )
    job.status, job.outcome, job.finished_at = Status.SUCCEEDED, outcome, now
    return bool(done)


def job_fail(job: Job, *, error: str, outcome: dict | None = None) -> bool:
    now = timezone.now()
    values = {"status": Status.FAILED, "error": error[:5000], "finished_at": now}
    if outcome is not None:
        values["outcome"] = outcome
    job.status, job.error, job.finished_at = Status.FAILED, error, now
    return bool(_this_run(job).update(**values))


def job_release(job: Job) -> None:
    """Give a run back to the queue (its worker is being stopped): it runs again at once on
    another worker, or when one starts."""
    if _this_run(job).update(status=Status.QUEUED, task_id="", worker=""):
        job_dispatch(job.pk)


def job_retry_later(job: Job, *, error: str, delay: int) -> None:
    """Queue the job again, to run in `delay` seconds (what it got done stays recorded)."""
    if _this_run(job).update(status=Status.QUEUED, task_id="", worker="", error=error[:5000]):
        job_dispatch(job.pk, run_after=timezone.now() + dt.timedelta(seconds=delay))


def job_file_save(job: Job, *, name: str, content: bytes) -> None:
    """Keep the file a run produced (a PDF) with the job, for its owner to download."""
    old = job.result_file.name if job.result_file else ""
    job.result_file.save(name, ContentFile(content), save=False)
    Job.objects.filter(pk=job.pk).update(result_file=job.result_file.name)
    if old and old != job.result_file.name:
        job.result_file.storage.delete(old)


def job_rerun(*, job: Job) -> tuple[Job, bool]:
    """Queue a failed job again, with its runs counted anew and what it recorded kept (an
    e-mail job does not send again the messages it sent). Returns (job, queued); when the
    same work (lock) is already queued or running, that job and False."""
    try:
        with transaction.atomic():
            queued = Job.objects.filter(pk=job.pk, status=Status.FAILED).update(
                status=Status.QUEUED, attempts=0, error="", finished_at=None, task_id=""
            )
    except IntegrityError:
        return Job.objects.get(lock_key=job.lock_key, status__in=Job.ACTIVE), False
    if queued:
        if runs_inline():
            job_dispatch(job.pk)
        else:
            transaction.on_commit(lambda: job_dispatch(job.pk), robust=True)
    job.refresh_from_db()
    return job, bool(queued)


def _worker_gone(worker: str) -> bool:
    """Whether `worker` (host:pid, as `runner.worker_name` writes it) ran on this machine and
    its process no longer exists: its jobs need not wait for their lease to expire (a `make
    run` restarted after a crash resumes its import at once)."""
    host, _sep, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False


def job_lost(job: Job, *, now: dt.datetime | None = None) -> bool:
    """Whether a running job's run is lost: no sign of life for a lease, or its worker
    process, on this machine, is gone."""
    if job.status != Status.RUNNING:
        return False
    now = now or timezone.now()
    lease = dt.timedelta(seconds=settings.HBMM_JOBS_LEASE_SECONDS)
    beat = job.heartbeat_at
    return beat is None or beat < now - lease or _worker_gone(job.worker)


def job_abandon(job: Job, *, error: str) -> bool:
    """End a lost run as failed (`error` says why), freeing its lock for a run started by
    hand (`hbmm sync`); False when the run moved on since `job` was read."""
    same = Job.objects.filter(
        pk=job.pk, status=Status.RUNNING, attempts=job.attempts, heartbeat_at=job.heartbeat_at
    )
    if not same.update(status=Status.FAILED, error=error, finished_at=timezone.now()):
        return False
    _task_result_abandon(job)
    return True


def jobs_recover(*, now: dt.datetime | None = None) -> list[int]:
    """Queue again the runs whose worker stopped giving signs of life for a lease (killed,
    machine lost), or whose worker process, on this machine, is gone; a job that lost
    max_attempts runs fails. Hand over the jobs committed but never handed to the backend.
    Returns the ids of the jobs queued again."""
    now = now or timezone.now()
    lease = dt.timedelta(seconds=settings.HBMM_JOBS_LEASE_SECONDS)
    here = Q(worker__startswith=f"{socket.gethostname()}:")
    candidates = Job.objects.filter(status=Status.RUNNING).filter(
        Q(heartbeat_at__lt=now - lease) | here
    )
    again = []
    for job in candidates:
        if not job_lost(job, now=now):
            continue
        same = Job.objects.filter(
            pk=job.pk, status=Status.RUNNING, attempts=job.attempts, heartbeat_at=job.heartbeat_at
        )
        if job.attempts >= job.max_attempts:
            with translation.override(settings.HBMM_DATA_LANGUAGE):
                error = _(
                    "The worker running this job stopped %(n)s times (killed, or the machine "
                    "restarted); it is not tried again."
                ) % {"n": job.attempts}
            same.update(status=Status.FAILED, error=error, finished_at=now)
            _task_result_abandon(job)
            continue
        if same.update(status=Status.QUEUED, task_id="", worker=""):
            log.warning(
                "job %s: no sign of life from %s since %s: queued again",
                job.pk,
                job.worker,
                job.heartbeat_at,
            )
            _task_result_abandon(job)
            job_dispatch(job.pk)
            again.append(job.pk)
    for pk in Job.objects.filter(
        status=Status.QUEUED, task_id="", created_at__lt=now - HANDOVER_GRACE
    ).values_list("pk", flat=True):
        job_dispatch(pk)
    return again


def _task_result_abandon(job: Job) -> None:
    """The database backend never looks at a task whose worker died: it stays RUNNING. Mark
    it failed, so its table tells the truth. (RQ fails its own abandoned jobs.)"""

    if not job.task_id or not isinstance(_backend(), DatabaseBackend):
        return
    # (A task id of another backend, after a change of settings, is no UUID: nothing to mark.)
    with contextlib.suppress(ValidationError):
        DBTaskResult.objects.filter(id=job.task_id, status="RUNNING").update(
            status="FAILED",
            finished_at=timezone.now(),
            exception_class_path="hbmm.jobs.runner.WorkerLost",
            traceback=f"worker {job.worker} lost: no heartbeat since {job.heartbeat_at}",
        )


def job_files_prune(*, now: dt.datetime | None = None) -> int:
    """Delete the files jobs produced (PDF reports, made again on demand) more than
    HBMM_JOBS_FILES_KEEP_DAYS ago; the jobs stay, with their outcome. Returns how many."""
    now = now or timezone.now()
    old = Job.objects.exclude(result_file="").filter(
        finished_at__lt=now - dt.timedelta(days=settings.HBMM_JOBS_FILES_KEEP_DAYS)
    )
    removed = 0
    for job in old:
        job.result_file.storage.delete(job.result_file.name)
        removed += Job.objects.filter(pk=job.pk).update(result_file="")
    return removed


def jobs_routine_prune(*, now: dt.datetime | None = None, limit: int = 5000) -> int:
    """Delete the succeeded jobs of routine kinds (`JobKind.keep_succeeded_hours`) finished
    longer ago than their kind keeps them, with their task results on the database backend;
    failed ones stay for someone to read. At most `limit` a call (each tick takes its share).
    Returns how many."""
    now = now or timezone.now()
    removed = 0
    for kind in kinds():
        if kind.keep_succeeded_hours is None:
            continue
        old = Job.objects.filter(
            kind=kind.code,
            status=Status.SUCCEEDED,
            finished_at__lt=now - dt.timedelta(hours=kind.keep_succeeded_hours),
        ).order_by("pk")
        rows = list(old.values_list("pk", "task_id")[: limit - removed])
        if not rows:
            continue
        with transaction.atomic():
            DBTaskResult.objects.filter(id__in=_uuids(task_id for _pk, task_id in rows)).delete()
            removed += Job.objects.filter(pk__in=[pk for pk, _t in rows]).delete()[0]
        if removed >= limit:
            break
    return removed


def _uuids(task_ids) -> list[uuid.UUID]:
    """The database backend's result ids among `task_ids` (RQ's are no UUIDs)."""
    found = []
    for task_id in task_ids:
        with contextlib.suppress(ValueError):
            found.append(uuid.UUID(task_id))
    return found


def jobs_tick() -> None:
    """What each worker does every HBMM_JOBS_TICK_SECONDS: recover lost runs, then the
    periodic work the apps registered (pulls that are due), and old job files and routine
    jobs go."""
    steps: list[Callable[[], object]] = [
        jobs_recover,
        *periodic(),
        job_files_prune,
        jobs_routine_prune,
    ]
    for step in steps:
        try:
            step()
        except Exception:  # one failing step must not stop the others, nor the worker
            log.exception("periodic step %s failed", getattr(step, "__name__", step))
