"""Multi-machine smoke test (issue 19), on this machine: the production settings (DEBUG off,
keys from the environment) with PostgreSQL and Redis, two gunicorn instances and two workers,
as `deploy/` runs them. Phones submit to both instances while a 20,000-row file is imported
in the background; the worker running the import is killed (SIGKILL, with its RQ work horse)
part-way and another is started. Then it checks that nothing was lost or doubled: every
submission answered 201 and stored once, mapped once; every row of the file stored once, each
accepted row written once to the domain, the file's counters matching the rows.

    .venv/bin/python benchmarks/multi_machine_smoke.py [--submissions 400] [--rows 20000]
        [--postgres postgres://postgres@127.0.0.1:5432]

It creates its own database (dropped at the end), starts its own redis-server on a free port
and its own gunicorns and workers, and stops them all. Exit status 1 when a check fails. Not
part of `make test` (a minute or two).
"""

import argparse
import datetime as dt
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import psycopg
import requests

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = Path(sys.executable).parent
SITES_KAYES = ["BCP-GOGUI", "BCP-DIBOLI"]
SITES = ["BCP-GOGUI", "BCP-DIBOLI", "BCP-KOUREMALE", "BCP-ZEGOUA", "FMP-BAMAKO"]
PASSWORD = "smoke password 2026"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def instance(n: int, instance_id: str) -> bytes:
    site = SITES_KAYES[n % 2]
    return (
        '<?xml version="1.0"?><data id="flow_count" version="2020050101">'
        f"<observation_date>2020-04-28</observation_date><site>{site}</site>"
        "<direction>incoming</direction><observation_hours>24</observation_hours>"
        f"<travellers><men>{n % 300}</men><women>4</women><boys>2</boys><girls>1</girls>"
        f"</travellers><meta><instanceID>{instance_id}</instanceID></meta></data>"
    ).encode()


def generate(path: Path, rows: int) -> None:
    start = dt.date(2020, 1, 1)
    with open(path, "w", encoding="utf-8") as out:
        out.write("Date;Site;Sens;Hommes;Femmes;Garçons;Filles;Nationalité;Motif;Heures\n")
        for n in range(rows):
            day = start + dt.timedelta(days=n % 120)
            site = SITES[n % len(SITES)]
            out.write(
                f"{day:%d/%m/%Y};{site};entrant;{n % 97};{n % 13};{n % 5};{n % 3};GIN;"
                "économique;8\n"
            )


class Checks:
    def __init__(self):
        self.failed = 0

    def equal(self, what: str, got, want) -> None:
        ok = got == want
        self.failed += not ok
        print(f"  {'ok  ' if ok else 'FAIL'} {what}: {got}" + ("" if ok else f" (want {want})"))


def wait_healthy(url: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            response = requests.get(f"{url}/healthz", timeout=5)
            if response.status_code == 200 and response.json()["checks"]["redis"] == "ok":
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise SystemExit(f"{url}/healthz did not answer ok")


def submitter(urls, ids, answers, lock):
    session = requests.Session()
    session.auth = ("smoke", PASSWORD)
    session.headers["X-OpenRosa-Version"] = "1.0"
    for n, instance_id in ids:
        url = urls[n % len(urls)]
        body = {"xml_submission_file": ("submission.xml", instance(n, instance_id), "text/xml")}
        for attempt in range(5):  # as ODK Collect: a failed send is sent again later
            try:
                status = session.post(f"{url}/submission", files=body, timeout=60).status_code
            except requests.RequestException as exc:
                status = type(exc).__name__
            if status in (201, 202):
                break
            time.sleep(0.5 * (attempt + 1))
        with lock:
            answers[instance_id] = status


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--submissions", type=int, default=400)
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    args = parser.parse_args()
    if shutil.which("redis-server") is None:
        print("no redis-server on this machine")
        return 2

    database = f"hbmm_smoke_{os.getpid()}"
    with psycopg.connect(f"{args.postgres}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{database}"')
    workdir = Path(tempfile.mkdtemp(prefix="hbmm-smoke-"))
    processes: dict[str, subprocess.Popen] = {}
    logs = open(workdir / "processes.log", "wb")  # noqa: SIM115  (closed in finally)
    checks = Checks()
    try:
        redis_port = free_port()
        processes["redis"] = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(workdir),
            ],
            stdout=logs,
            stderr=logs,
        )
        from cryptography.fernet import Fernet

        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "hbmm.settings",
            "DEBUG": "0",
            "DATABASE_URL": f"{args.postgres}/{database}",
            "DB_CONN_MAX_AGE": "60",
            "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
            "HBMM_VAR_DIR": str(workdir / "var"),
            "SECRET_KEY": uuid.uuid4().hex * 2,
            "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
            "PSEUDONYM_KEY": uuid.uuid4().hex * 2,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "HBMM_OPENROSA_ALLOW_HTTP": "1",  # no TLS on loopback (nginx terminates it)
            "LOG_LEVEL": "ERROR",
            # A killed worker's job is taken back after 8 s of silence (120 s in production).
            "HBMM_JOBS_HEARTBEAT_SECONDS": "1",
            "HBMM_JOBS_LEASE_SECONDS": "8",
            "HBMM_JOBS_TICK_SECONDS": "2",
        }
        os.environ.update(env)
        import django

        django.setup()
        from django.contrib.auth.models import Group
        from django.core.management import call_command
        from django.db.models import Count

        from hbmm.accounts.models import User
        from hbmm.accounts.services import user_scope_set
        from hbmm.intake.channels.files import import_file_store
        from hbmm.intake.models import Submission
        from hbmm.intake.tasks import import_file_enqueue
        from hbmm.jobs.models import Job
        from hbmm.mobility.models import FlowCount
        from hbmm.places.models import AdminArea

        t0 = time.monotonic()
        call_command("migrate", verbosity=0)
        with open(os.devnull, "w") as quiet:
            call_command("load_reference", stdout=quiet)
        phone = User.objects.create_user(username="smoke", password=PASSWORD)
        phone.groups.add(Group.objects.get(name="enumerator"))
        user_scope_set(user=phone, areas=[AdminArea.objects.get(pcode="ML01")])
        officer = User.objects.create_user(username="officer", password=PASSWORD)
        officer.groups.add(Group.objects.get(name="im_officer"))
        user_scope_set(user=officer, areas=[AdminArea.objects.get(pcode="MLI")])
        print(f"database {database} ready in {time.monotonic() - t0:.0f} s")

        urls = []
        for index in range(2):
            port = free_port()
            processes[f"web{index}"] = subprocess.Popen(
                [
                    str(BIN / "gunicorn"),
                    "hbmm.wsgi:application",
                    "-c",
                    str(ROOT / "deploy" / "gunicorn.conf.py"),
                ],
                env={**env, "HBMM_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "2"},
                cwd=ROOT,
                stdout=logs,
                stderr=logs,
            )
            urls.append(f"http://127.0.0.1:{port}")

        def start_worker(name: str) -> None:
            processes[name] = subprocess.Popen(
                [str(BIN / "hbmm"), "worker"],
                env=env,
                cwd=ROOT,
                stdout=logs,
                stderr=logs,
                start_new_session=True,  # its own group: the worker and its RQ work horse
            )

        start_worker("worker0")
        start_worker("worker1")
        for url in urls:
            wait_healthy(url)
        print(f"2 gunicorn instances ({', '.join(urls)}) and 2 workers on Redis :{redis_port}")

        path = workdir / "registre.csv"
        generate(path, args.rows)
        with open(path, "rb") as source:
            record = import_file_store(
                kind="flow_count", source=source, original_name=path.name, uploaded_by=officer
            )
        job, _ = import_file_enqueue(import_file=record, by=officer)

        ids = [(n, f"uuid:{uuid.uuid4()}") for n in range(args.submissions)]
        answers: dict[str, object] = {}
        lock = threading.Lock()
        clients = [
            threading.Thread(target=submitter, args=(urls, ids[k::4], answers, lock))
            for k in range(4)
        ]
        started = time.monotonic()
        for thread in clients:
            thread.start()

        # Kill the worker running the import once part of the file is in.
        killed = None
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and killed is None:
            job.refresh_from_db()
            record.refresh_from_db()
            if job.status == Job.Status.RUNNING and record.rows_read >= args.rows // 4:
                pid = int(job.worker.rsplit(":", 1)[-1])
                group = os.getpgid(pid)
                for name, process in processes.items():
                    if name.startswith("worker") and process.pid == group:
                        os.killpg(group, signal.SIGKILL)
                        process.wait()
                        killed = name
                        print(
                            f"killed {name} (SIGKILL, pid {process.pid}) at {record.rows_read}"
                            f" of {args.rows} rows, {time.monotonic() - started:.1f} s in"
                        )
                        break
            time.sleep(0.2)
        checks.equal("a worker killed during the import", killed is not None, True)
        time.sleep(1)
        start_worker("worker2")
        for thread in clients:
            thread.join()
        print(f"{len(ids)} submissions sent in {time.monotonic() - started:.1f} s")

        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            job.refresh_from_db()
            pending = Submission.objects.filter(status="received").count()
            if job.status in (Job.Status.SUCCEEDED, Job.Status.FAILED) and not pending:
                break
            time.sleep(1)
        print(f"everything processed {time.monotonic() - started:.1f} s after the start")

        record.refresh_from_db()
        statuses = sorted({str(s) for s in answers.values()})
        checks.equal("phones answered 201 (or 202)", set(statuses) <= {"201", "202"}, True)
        checks.equal("submissions answered", len(answers), args.submissions)
        phoned = Submission.objects.filter(channel="openrosa")
        checks.equal("phone submissions stored", phoned.count(), args.submissions)
        checks.equal(
            "phone submissions stored once, every one of them",
            set(phoned.values_list("instance_id", flat=True)) == {i for _n, i in ids},
            True,
        )
        checks.equal(
            "phone flow counts (each submission mapped once)",
            FlowCount.objects.filter(submission__channel="openrosa").count(),
            args.submissions,
        )
        checks.equal("import job", (job.status, job.attempts >= 2), ("succeeded", True))
        filed = Submission.objects.filter(source_file=record)
        checks.equal("file rows read", record.rows_read, args.rows)
        checks.equal("file rows stored as submissions", filed.count(), args.rows)
        checks.equal(
            "file rows stored twice",
            filed.values("instance_id").annotate(n=Count("pk")).filter(n__gt=1).count(),
            0,
        )
        checks.equal(
            "accepted + quarantined = rows",
            record.rows_accepted + record.rows_quarantined,
            args.rows,
        )
        checks.equal(
            "file flow counts = rows accepted",
            FlowCount.objects.filter(submission__source_file=record).count(),
            record.rows_accepted,
        )
        checks.equal(
            "flow counts written twice for one submission",
            FlowCount.objects.values("submission").annotate(n=Count("pk")).filter(n__gt=1).count(),
            0,
        )
        checks.equal(
            "submissions left unprocessed", Submission.objects.filter(status="received").count(), 0
        )
    finally:
        for name, process in processes.items():
            if process.poll() is None:
                if name.startswith("worker"):
                    os.killpg(process.pid, signal.SIGTERM)
                else:
                    process.terminate()
        for process in processes.values():
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
        logs.close()
        from django.db import connections

        connections.close_all()
        with psycopg.connect(f"{args.postgres}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        if checks.failed:
            print(f"process logs kept in {workdir / 'processes.log'}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    print("smoke: ok" if not checks.failed else f"smoke: {checks.failed} checks failed")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
