"""How a job runs on a worker: `job_task` turns a function `func(run, **params) -> outcome`
into a task of Django's task framework whose only argument is the job's id.

A run (`job_execute`):
1. claims the job (queued -> running, run number + 1); a job that is not queued any more
   (already done, or handed over twice) is left alone;
2. keeps its lease while it works: a thread of the worker writes the job's heartbeat every
   HBMM_JOBS_HEARTBEAT_SECONDS, so a long step (counting a million rows, rendering a PDF)
   does not look like a dead worker; `run.progress(done, total)` records how far it got;
3. records the outcome (a dict of numbers the Jobs page puts into words), or the failure.

When the worker is killed (`kill -9`, out of memory, machine lost), nothing is recorded: the
heartbeat stops, and after HBMM_JOBS_LEASE_SECONDS any worker's tick queues the job again
(`services.jobs_recover`). A job is therefore run at least once, and possibly again after a
partial run: every job function must be idempotent (imports and pulls are: a row or a record
already stored is recognised and counted, not stored twice).
"""

import functools
import logging
import os
import socket
import threading
from contextlib import nullcontext

from django.conf import settings
from django.db import close_old_connections, connection
from django_tasks import task

from hbmm.jobs import services
from hbmm.jobs.models import Job

log = logging.getLogger(__name__)


class JobError(Exception):
    """An expected failure, said to the user as it is (a file that cannot be read, a server
    that refuses the credentials): the job fails with this message, no traceback."""


class JobRetry(Exception):
    """A failure that may pass (an SMTP server down): the job is queued again to run after
    `delay` seconds, as long as it has runs left; then it fails with this message."""

    def __init__(self, message: str, *, delay: int = 300):
        super().__init__(message)
        self.delay = delay


class JobLost(Exception):
    """This run lost its lease (another worker took the job over): stop working."""


class WorkerLost(Exception):
    """Recorded by `services.jobs_recover` on the task result of a run whose worker died."""


class JobRun:
    """What a job function gets: the job, and the means to say how far it got."""

    def __init__(self, job: Job):
        self.job = job
        self.lost = False

    @property
    def attempt(self) -> int:
        return self.job.attempts

    def progress(self, done: int, total: int | None = None) -> None:
        """Record progress (and prove the run alive); raises JobLost when the job was taken
        over by another run, so that this one stops at once."""
        if self.lost or not services.job_beat(self.job, done=done, total=total):
            self.lost = True
            raise JobLost(f"job {self.job.pk} run {self.job.attempts} lost its lease")

    def save_file(self, name: str, content: bytes) -> None:
        services.job_file_save(self.job, name=name, content=content)


class LeaseKeeper:
    """A thread that writes the run's heartbeat while the job function works."""

    def __init__(self, run: JobRun, interval: float):
        self.run, self.interval = run, interval
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._beat, name=f"lease-{run.job.pk}", daemon=True)

    def _beat(self):
        try:
            while not self.stop.wait(self.interval):
                if not services.job_beat(self.run.job):
                    self.run.lost = True
                    return
        except Exception:  # the database went away: the lease will tell
            log.exception("heartbeat of job %s failed", self.run.job.pk)
        finally:
            connection.close()  # this thread's own connection

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def job_execute(func, job_id: int):
    if not connection.in_atomic_block:
        # A worker's connection lives across jobs (RQ's worker does not renew it between
        # jobs, as a request would): drop it when the database closed or broke it.
        close_old_connections()
    job = services.job_claim(job_id, worker=worker_name())
    if job is None:
        return None
    run = JobRun(job)
    # A heartbeat from another connection must see the job committed: not when the job
    # runs inside the caller's transaction (ImmediateBackend, tests), where no worker can
    # lose it anyway.
    keeper = (
        nullcontext()
        if connection.in_atomic_block
        else LeaseKeeper(run, settings.HBMM_JOBS_HEARTBEAT_SECONDS)
    )
    try:
        with keeper:
            outcome = func(run, **job.params) or {}
    except JobLost:
        log.warning("job %s: run %s stopped, another run took over", job.pk, job.attempts)
        return None
    except JobError as exc:
        services.job_fail(job, error=str(exc))
        return None
    except JobRetry as exc:
        if job.attempts >= job.max_attempts or services.runs_inline():
            services.job_fail(job, error=str(exc))
        else:
            services.job_retry_later(job, error=str(exc), delay=exc.delay)
        return None
    except (KeyboardInterrupt, SystemExit):
        services.job_release(job)  # the worker is being stopped: the job runs again later
        raise
    except Exception as exc:
        services.job_fail(job, error=f"{type(exc).__name__}: {exc}")
        raise  # the task backend records the traceback
    if run.lost:
        return None
    services.job_succeed(job, outcome=outcome)
    return outcome


def job_task(func):
    """Make `func(run: JobRun, **params) -> dict` a task (queued with `services.job_enqueue`).
    The task keeps the function's module and name, so its path finds it again."""

    @functools.wraps(func)
    def execute(job_id: int):
        return job_execute(func, job_id)

    return task(queue_name=settings.HBMM_TASKS_QUEUE)(execute)
