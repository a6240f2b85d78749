"""Fixtures for the jobs tests: the database backend (the default outside tests), and a real
worker process (`hbmm worker`) on the test database."""

import os
import shutil
import signal
import subprocess
import sys
import time

import pytest
from django.db import connection


@pytest.fixture
def database_backend(settings):
    """Jobs go to the database backend's table, as they do outside the tests."""
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": [settings.HBMM_TASKS_QUEUE],
        }
    }


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class WorkerProcess:
    """`hbmm worker` in its own process group, on the test database, with a short lease."""

    def __init__(self, settings, tmp_path, **env):
        self.env = {
            **{k: v for k, v in os.environ.items() if k != "REDIS_URL"},
            "DATABASE_URL": _database_url(),
            "SECRET_KEY": settings.SECRET_KEY,
            # The test process's keys: the worker reads what the tests wrote (and a key from a
            # generated file is refused when the database is a server, hbmm.E001/E002).
            "FIELD_ENCRYPTION_KEY": settings.FIELD_ENCRYPTION_KEY,
            "PSEUDONYM_KEY": settings.PSEUDONYM_KEY,
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "HBMM_VAR_DIR": str(tmp_path / "var"),
            "HBMM_JOBS_HEARTBEAT_SECONDS": "1",
            "HBMM_JOBS_LEASE_SECONDS": "3",
            "HBMM_JOBS_TICK_SECONDS": "1",
            "LOG_LEVEL": "ERROR",
            **env,
        }
        self.log = tmp_path / "worker.log"
        self.process = None

    def start(self, *args, host: str = ""):
        """Start it; with `host`, under that host name (its own UTS namespace), as a worker
        on another machine would run: its death is then known by its lease only."""
        command = [sys.executable, "-m", "hbmm.cli", "worker", "--interval", "0.2", *args]
        if host:
            if not shutil.which("unshare"):
                pytest.skip("unshare is needed to run a worker under another host name")
            launcher = 'hostname "$0" && exec "$@"'
            command = ["unshare", "--uts", "--", "sh", "-c", launcher, host, *command]
        self.process = subprocess.Popen(
            command,
            env=self.env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def kill(self, sig=signal.SIGKILL):
        os.killpg(self.process.pid, sig)
        self.process.wait(timeout=30)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.kill(signal.SIGTERM)

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture
def worker(settings, tmp_path):
    started = []

    def make(**env):
        process = WorkerProcess(settings, tmp_path, **env)
        started.append(process)
        return process

    yield make
    for process in started:
        process.stop()


def wait_for(predicate, *, timeout: float, what: str, worker=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    log = worker.output() if worker else ""
    raise AssertionError(f"{what}: not within {timeout} s\n{log}")


REDIS = "redis://127.0.0.1:6379/0"


@pytest.fixture
def rq_backend(settings):
    """Jobs go to RQ on the machine's Redis, in a queue of this test's own (its keys are
    deleted afterwards; nothing else in Redis is touched). Skipped without Redis."""
    import secrets

    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis server at {REDIS}: the RQ backend is not tested")
    queue = f"hbmm-test-{secrets.token_hex(6)}"
    settings.HBMM_TASKS_QUEUE = queue
    settings.RQ_QUEUES = {"default": {"URL": REDIS}, queue: {"URL": REDIS, "DEFAULT_TIMEOUT": 600}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": [queue]}}
    yield queue
    from hbmm.jobs.models import Job

    keys = set(client.scan_iter(match=f"*{queue}*"))
    for task_id in Job.objects.exclude(task_id="").values_list("task_id", flat=True):
        keys.update(client.scan_iter(match=f"rq:*{task_id}*"))
    for shared in ("rq:workers", "rq:queues"):  # sets every RQ user shares: our members only
        for member in client.smembers(shared):
            if queue.encode() in member:
                client.srem(shared, member)
    if keys:
        client.delete(*keys)
