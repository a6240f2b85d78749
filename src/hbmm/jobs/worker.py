"""The worker process (`hbmm worker`): runs the tasks of the configured backend, and beside
them, in a thread, the tick (`services.jobs_tick`: lost runs queued again, pulls that are due).

- Database backend (default): django_tasks_db's worker loop, polling the task table.
- RQ (REDIS_URL): an RQ SimpleWorker, which runs each job in this process (no fork: a forked
  child would share this process's database connections, and the job's heartbeat thread
  lives here), with RQ's scheduler for deferred tasks.

Several workers may run at once, on one machine or several: the tick's steps are safe to run
concurrently (conditional updates, unique job locks).
"""

import logging
import threading

from django.conf import settings
from django.db import close_old_connections, connection
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Worker

from hbmm.jobs import services
from hbmm.jobs.runner import worker_name

log = logging.getLogger(__name__)


class Ticker:
    """Calls `services.jobs_tick` every `interval` seconds in a daemon thread."""

    def __init__(self, interval: float):
        self.interval = interval
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="jobs-tick", daemon=True)

    def _loop(self):
        try:
            while True:
                close_old_connections()
                services.jobs_tick()
                if self.stop.wait(self.interval):
                    return
        finally:
            connection.close()

    def start(self):
        self.thread.start()

    def close(self):
        self.stop.set()
        self.thread.join(timeout=30)


def backend_kind() -> str:
    """'database', 'rq' or 'inline' (a backend that needs no worker)."""
    backend = services._backend()
    if isinstance(backend, DatabaseBackend):
        return "database"
    if type(backend).__module__.startswith("django_tasks_rq"):
        return "rq"
    return "inline"


def run_worker(
    *, burst: bool = False, interval: float = 1.0, tick: bool = True, name: str | None = None
) -> None:
    """Run tasks until stopped (Ctrl-C, SIGTERM: the current task finishes first), or with
    `burst` until none is ready."""
    kind = backend_kind()
    if kind == "inline":
        raise RuntimeError("the task backend runs tasks inline: there is nothing for a worker")
    ticker = Ticker(settings.HBMM_JOBS_TICK_SECONDS) if tick else None
    if ticker:
        ticker.start()
    try:
        if kind == "database":
            _run_database_worker(burst=burst, interval=interval, name=name)
        else:
            _run_rq_worker(burst=burst, name=name)
    finally:
        if ticker:
            ticker.close()


def _run_database_worker(*, burst: bool, interval: float, name: str | None) -> None:
    worker = Worker(
        queue_names=[settings.HBMM_TASKS_QUEUE],
        interval=interval,
        batch=burst,
        backend_name="default",
        startup_delay=not burst,
        max_tasks=None,
        worker_id=(name or worker_name())[:64],
        excluded_queue_names=[],
    )
    worker.configure_signals()
    try:
        worker.run()
    except SystemExit as exc:  # its signal handler exits the process when idle
        if exc.code:
            raise


def _run_rq_worker(*, burst: bool, name: str | None) -> None:
    # Only with REDIS_URL: django_rq is an installed app (and configured) only then.
    import django_rq  # noqa: PLC0415
    from django_tasks_rq.backend import Job  # noqa: PLC0415
    from rq import SimpleWorker  # noqa: PLC0415

    worker = django_rq.get_worker(
        settings.HBMM_TASKS_QUEUE, job_class=Job, worker_class=SimpleWorker, name=name
    )
    # RQ's scheduler moves deferred tasks (run_after: e-mails tried again later) to the queue.
    worker.work(burst=burst, with_scheduler=not burst, logging_level="WARNING")
