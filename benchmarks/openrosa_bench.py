"""Sustained OpenRosa submissions per second: 8, then 32, clients posting flow_count instances
(as ODK Collect does: multipart, Basic credentials) to a gunicorn started here, on loopback,
with a worker beside it (`hbmm worker`, as `make run` starts one).

    .venv/bin/python benchmarks/openrosa_bench.py                       # SQLite under /tmp
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hbmm_intake_bench \\
        .venv/bin/python benchmarks/openrosa_bench.py
    .venv/bin/python benchmarks/openrosa_bench.py --clients 8 --no-worker   # mapped in the request

gunicorn runs as `make serve` does (2 workers x 4 threads) with the default settings; each
submission is authenticated, parsed, scope-checked and stored raw, answered 201, and mapped by
the worker's job (site lookup, scope, mobility's flow_count mapper). Reported for each number
of clients: submissions/s, latency p50 / p95 / p99, errors (the first bodies, and whether one
says "database is locked"), and the seconds from the last 201 until no submission is left
unmapped; and the CPU seconds the server's processes used (gunicorn, the worker, the
PostgreSQL backends), mapping included: submissions per CPU second do not depend on what else
runs on a shared machine, where the rate does (the load average is printed beside each run).
"""

import argparse
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import requests
from cryptography.fernet import Fernet

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def instance(n: int) -> bytes:
    return (
        '<?xml version="1.0"?><data id="flow_count" version="2020050101">'
        "<observation_date>2020-04-28</observation_date><site>BCP-GOGUI</site>"
        "<direction>incoming</direction><observation_hours>24</observation_hours>"
        f"<travellers><men>{n % 300}</men><women>4</women><boys>2</boys><girls>1</girls></travellers>"
        f"<meta><instanceID>uuid:{uuid.uuid4()}</instanceID></meta></data>"
    ).encode()


def client(url, latencies, failures, stop_at, last):
    session = requests.Session()
    session.auth = ("bench", "bench password 2020")
    session.headers["X-OpenRosa-Version"] = "1.0"
    n = 0
    while time.perf_counter() < stop_at:
        n += 1
        started = time.perf_counter()
        response = session.post(
            f"{url}/submission",
            files={"xml_submission_file": ("submission.xml", instance(n), "text/xml")},
        )
        if response.status_code == 201:
            latencies.append(time.perf_counter() - started)
            last[0] = max(last[0], time.perf_counter())
        else:
            failures.append((response.status_code, response.text[:300]))


def percentile(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, max(0, round(q * len(values)) - 1))]


def waiting() -> int:
    from hbmm.intake.models import Submission

    return Submission.objects.filter(status="received", channel="openrosa").count()


WORKERS: list[subprocess.Popen] = []
SERVERS: list[subprocess.Popen] = []
TICK = os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(c) for c in f.read().split()]
    except OSError:
        return []


def _cpu(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


def server_cpu() -> dict[int, tuple[str, float]]:
    """CPU seconds so far of each process serving: gunicorn and its workers, `hbmm worker`,
    and the PostgreSQL backends of the benchmark's database (this script's own left out). The
    machine may be shared: submissions per CPU second do not depend on what else runs."""
    from django.db import connection

    roles = {}
    for process in SERVERS:
        role = "worker" if process in WORKERS else "web"
        for pid in [process.pid, *_children(process.pid)]:
            roles[pid] = role
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid()"
            )
            roles.update({row[0]: "database" for row in cursor.fetchall()})
    return {pid: (role, _cpu(pid)) for pid, role in roles.items()}


def cpu_used(before: dict[int, tuple[str, float]]) -> dict[str, float]:
    """CPU seconds by role (web, worker, database) since `before`."""
    used: dict[str, float] = {}
    for pid, (role, seconds) in server_cpu().items():
        used[role] = used.get(role, 0.0) + seconds - before.get(pid, (role, 0.0))[1]
    return used


def mapped_after(last_201: float, timeout: float = 600) -> float | None:
    """Seconds from the last 201 until no submission waits to be mapped."""
    from django.db import connection

    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if any(worker.poll() is not None for worker in WORKERS):
            raise SystemExit("the worker stopped")
        left = waiting()
        connection.close()
        if not left:
            return time.perf_counter() - last_201
        time.sleep(0.1)
    return None


def run(url: str, clients: int, seconds: int) -> None:
    latencies, failures, last = [], [], [0.0]
    stop_at = time.perf_counter() + seconds
    started = time.perf_counter()
    threads = [
        threading.Thread(target=client, args=(url, latencies, failures, stop_at, last))
        for _ in range(clients)
    ]
    load = os.getloadavg()
    cpu_before = server_cpu()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    lag = mapped_after(last[0]) if latencies and WORKERS else None
    cpu = cpu_used(cpu_before)
    latencies.sort()
    print(
        f"{clients} clients, {elapsed:.1f} s: {len(latencies)} accepted (201), "
        f"{len(failures)} errors; load average {load[0]:.2f} before, "
        f"{os.getloadavg()[0]:.2f} after"
    )
    if latencies:
        print(
            f"  {len(latencies) / elapsed:.1f} submissions/s; latency p50 "
            f"{statistics.median(latencies) * 1000:.0f} ms, p95 "
            f"{percentile(latencies, 0.95) * 1000:.0f} ms, p99 "
            f"{percentile(latencies, 0.99) * 1000:.0f} ms"
        )
        roles = ", ".join(f"{role} {seconds:.1f} s" for role, seconds in sorted(cpu.items()))
        total = sum(cpu.values())
        print(
            f"  server CPU {total:.1f} s ({roles}): "
            f"{len(latencies) / total:.1f} submissions per CPU second (mapping included)"
        )
        if WORKERS:
            print(
                "  every submission mapped "
                + (f"{lag:.1f} s after the last 201" if lag is not None else "NOT within 600 s")
            )
    if failures:
        codes = sorted({code for code, _body in failures})
        locked = sum("database is locked" in body for _code, body in failures)
        print(f"  error codes {codes}; 'database is locked' in {locked} bodies; first bodies:")
        for code, body in failures[:3]:
            print(f"    {code}: {body!r}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", default="8,32", help="numbers of clients, one run each")
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--port", type=int, default=8102)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument(
        "--no-worker",
        action="store_true",
        help="no `hbmm worker`: each request maps its submission (HBMM_OPENROSA_MAP_IN_REQUEST)",
    )
    args = parser.parse_args()
    env = dict(os.environ)
    env.setdefault("HBMM_VAR_DIR", "/tmp/hbmm-intake-orbench")
    env.setdefault("LOG_LEVEL", "ERROR")
    env.setdefault("HBMM_OPENROSA_ALLOW_HTTP", "true")  # loopback: no TLS in front
    # Keys of this run (a worker refuses keys from generated files on a database server).
    env.setdefault("FIELD_ENCRYPTION_KEY", Fernet.generate_key().decode())
    env.setdefault("PSEUDONYM_KEY", uuid.uuid4().hex * 2)
    env["DJANGO_SETTINGS_MODULE"] = "hbmm.settings"
    if args.no_worker:
        env["HBMM_OPENROSA_MAP_IN_REQUEST"] = "true"
    python = sys.executable
    subprocess.run([python, str(HERE / "setup_db.py")], check=True, env=env)
    os.environ.update(env)
    import django

    django.setup()
    bin_dir = Path(python).parent
    processes = []
    if not args.no_worker:
        WORKERS.append(subprocess.Popen([str(bin_dir / "hbmm"), "worker"], env=env, cwd=ROOT))
        processes.extend(WORKERS)
        SERVERS.extend(WORKERS)
    processes.append(
        subprocess.Popen(
            [
                str(bin_dir / "gunicorn"),
                "hbmm.wsgi:application",
                "--bind",
                f"127.0.0.1:{args.port}",
                "--workers",
                str(args.workers),
                "--threads",
                str(args.threads),
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=ROOT,
        )
    )
    SERVERS.append(processes[-1])
    url = f"http://127.0.0.1:{args.port}"
    database = env.get("DATABASE_URL", "SQLite " + env["HBMM_VAR_DIR"])
    print(
        f"database: {database}; gunicorn {args.workers} workers x {args.threads} threads; "
        + ("no worker (mapped in the request)" if args.no_worker else "one `hbmm worker`")
    )
    try:
        for _ in range(100):
            try:
                requests.head(f"{url}/submission", timeout=10)
                break
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.5)
        # Warm-up: every worker authenticates once and loads its caches.
        warm = requests.Session()
        warm.auth = ("bench", "bench password 2020")
        for n in range(20):
            warm.post(f"{url}/submission", files={"xml_submission_file": ("s.xml", instance(n))})
        if WORKERS:
            mapped_after(time.perf_counter())
        for clients in [int(c) for c in args.clients.split(",")]:
            run(url, clients, args.seconds)
    finally:
        for process in reversed(processes):
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)


if __name__ == "__main__":
    main()
