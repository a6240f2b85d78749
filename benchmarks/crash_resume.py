"""Crash and resume: `kill -9` an import of a 100,000-row file, and a pull from ODK Central, at
several points; resume; check that the result is as if each had run once (no gap, no
duplicate, the same totals). Not part of `make test`; .ci/run runs it once on SQLite.

    .venv/bin/python benchmarks/crash_resume.py                       # SQLite under /tmp
    .venv/bin/python benchmarks/crash_resume.py --rows 20000 --pull-rows 1000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hbmm_crash .venv/bin/python \\
        benchmarks/crash_resume.py

Import: `hbmm import flow_count <file>` runs in a child process; the parent watches the rows
stored and sends SIGKILL when the first crash point is reached (before its first batch is
stored, then at fractions of the file). Each following crash point is reached by the resume
itself (`hbmm import --resume`), killed in turn; the last resume runs to the end. A run killed
leaves the file "running" with a heartbeat: `--resume` takes it once the heartbeat is older
than ImportFile.INTERRUPTED_AFTER (10 minutes); here the heartbeat is moved back by that much
instead of waiting (the only thing simulated).

Pull: a local fake ODK Central (tests/intake/fakes.py: real HTTP, Central's OData shapes, at
most 100 rows a page) holds the rows; `hbmm sync` runs in a child process and is killed at
fractions of the rows, then run again; the last run goes to the end.

Checks, for each: every row stored once (instance ids distinct, file row numbers 2..N+1 with
no gap), every row accepted once into mobility's flow counts, the sums of the counts equal to
those of the generated rows, the file's counters (read, accepted, quarantined, duplicate) those
of a single run, the pull's watermark at its last row. Exit status 1 when a check fails.
"""

import argparse
import datetime as dt
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))  # tests.intake.fakes: the fake ODK Central
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hbmm.settings")

SITES = ["BCP-GOGUI", "BCP-DIBOLI", "BCP-KOUREMALE", "BCP-ZEGOUA", "FMP-BAMAKO"]
HEADER = "Date;Site;Sens;Hommes;Femmes;Garçons;Filles;Nationalité;Motif;Heures\n"
HBMM = [sys.executable, "-m", "hbmm.cli"]


def counts_of(n: int) -> tuple[int, int, int, int]:
    return n % 97, n % 13, n % 5, n % 3


def generate(path: Path, rows: int) -> dict:
    """A flow-monitoring registry of `rows` rows; returns the sums a single import gives."""
    sums = {"men": 0, "women": 0, "boys": 0, "girls": 0}
    start = dt.date(2020, 1, 1)
    with open(path, "w", encoding="utf-8") as out:
        out.write(HEADER)
        for n in range(rows):
            day = start + dt.timedelta(days=n % 120)
            men, women, boys, girls = counts_of(n)
            for key, value in zip(sums, (men, women, boys, girls), strict=True):
                sums[key] += value
            site = SITES[n % len(SITES)]
            out.write(
                f"{day:%d/%m/%Y};{site};entrant;{men};{women};{boys};{girls};GIN;économique;8\n"
            )
    return sums


def child(args: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        HBMM + args,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def kill_when(process: subprocess.Popen, stored, target: int, timeout: float = 600) -> int:
    """SIGKILL `process` once `stored()` reaches `target` (returns the count seen then), or
    return -1 when it ended first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return -1
        seen = stored()
        if seen >= target:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
            return seen
        time.sleep(0.02)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    raise SystemExit(f"timeout: {target} rows not reached in {timeout} s")


def finish(process: subprocess.Popen, what: str) -> str:
    output, _ = process.communicate(timeout=1800)
    if process.returncode != 0:
        raise SystemExit(f"{what} failed ({process.returncode}):\n{output}")
    return output


class Checks:
    def __init__(self):
        self.failures: list[str] = []

    def equal(self, what: str, got, want) -> None:
        status = "ok" if got == want else "FAILED"
        print(f"  {status:6} {what}: {got}" + ("" if got == want else f" (expected {want})"))
        if got != want:
            self.failures.append(what)


def run_import(rows: int, points: list[float], workdir: Path, env: dict, checks: Checks):
    from django.db.models import Count, Sum
    from django.utils import timezone

    from hbmm.intake.models import ImportFile, Submission
    from hbmm.mobility.models import FlowCount

    path = workdir / f"registre-{rows}.csv"
    t0 = time.monotonic()
    sums = generate(path, rows)
    print(f"import: {rows} rows generated in {time.monotonic() - t0:.1f} s ({path})")

    def record():
        return ImportFile.objects.filter(original_name=path.name).order_by("-pk").first()

    def stored() -> int:
        current = record()
        return 0 if current is None else Submission.objects.filter(source_file=current).count()

    timings = []
    t_start = time.monotonic()
    process = child(
        ["import", "flow_count", str(path), "--no-progress", "--batch-size", "2000"], env
    )
    # The first point: the file is stored and its run has begun, no batch yet stored.
    targets = [0, *[int(rows * p) for p in points]]
    for index, target in enumerate(targets):
        t = time.monotonic()
        if target == 0:
            while record() is None or record().status != ImportFile.Status.RUNNING:
                if process.poll() is not None:
                    raise SystemExit(finish(process, "hbmm import"))
                time.sleep(0.01)
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
            seen = stored()
        else:
            seen = kill_when(process, stored, target)
        if seen < 0:
            print(f"  crash point {target}: the run ended first")
            break
        current = record()
        timings.append((target, seen, time.monotonic() - t))
        print(
            f"  killed (SIGKILL) at crash point {index + 1}/{len(targets)} "
            f"(aimed at {target} rows): {seen} rows stored, status '{current.status}', "
            f"{time.monotonic() - t:.1f} s after the run (re)started"
        )
        # Ten minutes without a heartbeat make a run "interrupted" for --resume.
        ImportFile.objects.filter(pk=current.pk).update(
            heartbeat_at=timezone.now() - ImportFile.INTERRUPTED_AFTER - dt.timedelta(seconds=1)
        )
        process = child(["import", "--resume", "--no-progress", "--batch-size", "2000"], env)
    t = time.monotonic()
    output = finish(process, "hbmm import --resume")
    print(f"  last resume ran to the end in {time.monotonic() - t:.1f} s: {output.strip()}")
    total_time = time.monotonic() - t_start

    current = record()
    submissions = Submission.objects.filter(source_file=current)
    checks.equal("import files made", ImportFile.objects.filter(original_name=path.name).count(), 1)
    checks.equal("file status", current.status, "done")
    checks.equal(
        "file counters (read, accepted, quarantined, duplicate)",
        (
            current.rows_read,
            current.rows_accepted,
            current.rows_quarantined,
            current.rows_duplicate,
        ),
        (rows, rows, 0, 0),
    )
    checks.equal("rows stored", submissions.count(), rows)
    checks.equal(
        "instance ids stored twice",
        submissions.values("instance_id").annotate(n=Count("pk")).filter(n__gt=1).count(),
        0,
    )
    numbers = list(submissions.order_by("row_number").values_list("row_number", flat=True))
    checks.equal(
        "row numbers 2..N+1 (no gap, no repeat)", numbers == list(range(2, rows + 2)), True
    )
    counts = FlowCount.objects.filter(submission__source_file=current)
    checks.equal("flow counts", counts.count(), rows)
    totals = counts.aggregate(**{k: Sum(k) for k in sums})
    checks.equal("sums of the counts", totals, sums)
    return {"rows": rows, "crash_points": timings, "total_s": total_time}


def run_pull(rows: int, points: list[float], env: dict, checks: Checks):
    from django.contrib.auth.models import Group
    from django.db.models import Count, Sum

    from hbmm.accounts.models import User
    from hbmm.accounts.services import user_scope_set
    from hbmm.intake.models import PullSource, Submission
    from hbmm.mobility.models import FlowCount
    from hbmm.places.models import AdminArea
    from tests.intake.fakes import FakeCentral

    owner, _created = User.objects.get_or_create(username="crash-pull-owner")
    owner.groups.add(Group.objects.get(name="im_officer"))
    user_scope_set(user=owner, areas=[AdminArea.objects.get(pcode="MLI")], sites=[])
    sums = {"men": 0, "women": 0, "boys": 0, "girls": 0}
    start = dt.datetime(2020, 4, 28, tzinfo=dt.UTC)
    timings = []
    with FakeCentral() as server:
        for n in range(1, rows + 1):
            men, women, boys, girls = counts_of(n)
            for key, value in zip(sums, (men, women, boys, girls), strict=True):
                sums[key] += value
            # Pairs of rows share a stamp: ties across page boundaries are met on the way.
            stamp = (start + dt.timedelta(seconds=n // 2)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
            server.add(
                f"uuid:crash-{n}",
                stamp,
                {
                    "observation_date": "2020-04-28",
                    "site": SITES[n % len(SITES)],
                    "direction": "incoming",
                    "travellers": {"men": men, "women": women, "boys": boys, "girls": girls},
                },
            )
        source = PullSource(
            name="Central crash",
            channel="odk_central",
            server_url=server.url,
            project_id="1",
            remote_form_id="flow_count",
            form_id="flow_count",
            username="sync@iom.int",
            page_size=100,
            owner=owner,
        )
        source.set_secret("central password")
        source.save()
        print(f"pull: {rows} rows on a fake ODK Central at {server.url} (100 rows a page)")

        def stored() -> int:
            return Submission.objects.filter(channel="odk_central").count()

        t_start = time.monotonic()
        for index, point in enumerate(points):
            target = int(rows * point)
            t = time.monotonic()
            process = child(["sync", source.name], env)
            seen = kill_when(process, stored, target)
            if seen < 0:
                print(f"  crash point {target}: the run ended first")
                continue
            source.refresh_from_db()
            timings.append((target, seen, time.monotonic() - t))
            print(
                f"  killed (SIGKILL) at crash point {index + 1}/{len(points)} (aimed at "
                f"{target} rows): {seen} rows stored, progress saved "
                f"{(source.pull_progress or {}).get('watermark', {}).get('seen', '-')}, "
                f"{time.monotonic() - t:.1f} s after the run started"
            )
        t = time.monotonic()
        output = finish(child(["sync", source.name], env), "hbmm sync")
        print(f"  last run went to the end in {time.monotonic() - t:.1f} s: {output.strip()}")
        total_time = time.monotonic() - t_start

    source.refresh_from_db()
    submissions = Submission.objects.filter(channel="odk_central")
    checks.equal("pulled rows stored", submissions.count(), rows)
    checks.equal(
        "instance ids stored twice",
        submissions.values("instance_id").annotate(n=Count("pk")).filter(n__gt=1).count(),
        0,
    )
    checks.equal(
        "every row present (uuid:crash-1..N)",
        set(submissions.values_list("instance_id", flat=True))
        == {f"uuid:crash-{n}" for n in range(1, rows + 1)},
        True,
    )
    checks.equal("submissions left unprocessed", submissions.filter(status="received").count(), 0)
    counts = FlowCount.objects.filter(submission__channel="odk_central")
    checks.equal("flow counts", counts.count(), rows)
    checks.equal("sums of the counts", counts.aggregate(**{k: Sum(k) for k in sums}), sums)
    last = (start + dt.timedelta(seconds=rows // 2)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    checks.equal("watermark at the last row", source.watermark, last)
    return {"rows": rows, "crash_points": timings, "total_s": total_time}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--points", default="0.1,0.45,0.8", help="import crash points")
    parser.add_argument("--pull-rows", type=int, default=3_000)
    parser.add_argument("--pull-points", default="0.2,0.6")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="hbmm-crash-"))
    env = dict(os.environ)
    if "DATABASE_URL" not in env:
        env["HBMM_VAR_DIR"] = str(workdir / "var")
    os.environ.update(env)
    Path(os.environ.get("HBMM_VAR_DIR", workdir / "var")).mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    subprocess.run([sys.executable, str(HERE / "setup_db.py")], check=True, env=env)
    print(f"database ready in {time.monotonic() - t0:.1f} s ({env.get('DATABASE_URL', 'SQLite')})")

    import django

    django.setup()

    checks = Checks()
    started = time.monotonic()
    imported = run_import(
        args.rows, [float(p) for p in args.points.split(",")], workdir, env, checks
    )
    pulled = run_pull(args.pull_rows, [float(p) for p in args.pull_points.split(",")], env, checks)
    print(
        f"crash points tried: import {len(imported['crash_points'])} "
        f"({', '.join(str(seen) for _t, seen, _s in imported['crash_points'])} rows stored when "
        f"killed), pull {len(pulled['crash_points'])} "
        f"({', '.join(str(seen) for _t, seen, _s in pulled['crash_points'])} rows); "
        f"import of {imported['rows']} rows with its crashes {imported['total_s']:.1f} s, "
        f"pull of {pulled['rows']} rows {pulled['total_s']:.1f} s; "
        f"total {time.monotonic() - started:.1f} s"
    )
    if checks.failures:
        print("FAILED: " + "; ".join(checks.failures))
        sys.exit(1)
    print("all checks passed")


if __name__ == "__main__":
    main()
