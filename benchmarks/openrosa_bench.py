"""Sustained OpenRosa submissions per second: 8 clients posting flow_count instances (as ODK
Collect does: multipart, Basic credentials) to a gunicorn started here, on loopback.

    .venv/bin/python benchmarks/openrosa_bench.py                       # SQLite under /tmp
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hbmm_intake_bench \\
        .venv/bin/python benchmarks/openrosa_bench.py

gunicorn runs as `make serve` does (2 workers x 4 threads); each submission is authenticated,
stored raw, mapped (site lookup, scope) and written by mobility's flow_count mapper.
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


def client(url, seconds, latencies, failures, stop_at):
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
        else:
            failures.append(response.status_code)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--port", type=int, default=8102)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    env = dict(os.environ)
    env.setdefault("HBMM_VAR_DIR", "/tmp/hbmm-intake-orbench")
    env.setdefault("LOG_LEVEL", "ERROR")
    env["DJANGO_SETTINGS_MODULE"] = "hbmm.settings"
    python = sys.executable
    subprocess.run([python, str(HERE / "setup_db.py")], check=True, env=env)
    gunicorn = str(Path(python).parent / "gunicorn")
    server = subprocess.Popen(
        [
            gunicorn,
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
    url = f"http://127.0.0.1:{args.port}"
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
        latencies, failures = [], []
        stop_at = time.perf_counter() + args.seconds
        started = time.perf_counter()
        threads = [
            threading.Thread(target=client, args=(url, args.seconds, latencies, failures, stop_at))
            for _ in range(args.clients)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    database = env.get("DATABASE_URL", "SQLite " + env["HBMM_VAR_DIR"])
    latencies.sort()
    print(f"database: {database}; gunicorn {args.workers} workers x {args.threads} threads")
    print(
        f"{args.clients} clients, {elapsed:.1f} s: {len(latencies)} submissions accepted (201), "
        f"{len(failures)} failed {sorted(set(failures))}"
    )
    if latencies:
        p95 = latencies[int(len(latencies) * 0.95) - 1]
        print(
            f"{len(latencies) / elapsed:.1f} submissions/s; latency median "
            f"{statistics.median(latencies) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main()
