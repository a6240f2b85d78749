"""The `hbmm` command run where there is no HBMM data says what to do, and creates nothing."""

import os
import subprocess
import sys


def run_hbmm(*args, cwd):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "HBMM_HOME")}
    env.pop("HBMM_VAR_DIR", None)
    return subprocess.run(
        [sys.executable, "-m", "hbmm.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_command_outside_the_data_directory_explains_and_creates_nothing(tmp_path):
    result = run_hbmm("sitrep", "--format", "md", cwd=tmp_path)
    assert result.returncode == 2
    assert f"no HBMM database at {tmp_path / 'var' / 'hbmm.sqlite3'}" in result.stderr
    assert "hbmm setup" in result.stderr and "HBMM_HOME" in result.stderr
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []  # no empty var/ left behind


def test_help_runs_anywhere(tmp_path):
    result = run_hbmm("help", cwd=tmp_path)
    assert result.returncode == 0 and "sitrep" in result.stdout
