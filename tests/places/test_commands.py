"""`hbmm import_sites FILE`: the same import from the command line."""

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import Workbook

from hbmm.places.models import Site

HEADER = "code;name_fr;name_en;kinds;pcode;latitude;longitude\n"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.mark.django_db
def test_import_sites_command_reports_each_row_and_fails(reference, tmp_path, capsys):
    path = tmp_path / "registry.csv"
    path.write_bytes(
        (
            "\ufeff" + HEADER + "FMP-A;Point A;;fmp;ML0106;15,2;-9,5\nFMP-B;Point B;;fmp;ML0199;;\n"
        ).encode()
    )
    with pytest.raises(CommandError, match="1 error\\(s\\) in registry.csv: nothing was imported"):
        call_command("import_sites", str(path))
    assert "registry.csv: row 3, pcode: unknown P-code 'ML0199'" in capsys.readouterr().err
    assert not Site.objects.filter(code__in=["FMP-A", "FMP-B"]).exists()


@pytest.mark.django_db
def test_import_sites_command_imports_xlsx(reference, tmp_path, capsys):
    workbook = Workbook()
    workbook.active.append(["code", "name_fr", "kinds", "pcode", "latitude", "longitude"])
    workbook.active.append(["FMP-A", "Point A", "fmp", "ML0106", 15.2, -9.5])
    path = tmp_path / "registry.xlsx"
    workbook.save(path)
    call_command("import_sites", str(path))
    assert capsys.readouterr().out.strip() == "registry.xlsx: 1 created, 0 updated, 0 unchanged"
    call_command("import_sites", str(path))
    assert capsys.readouterr().out.strip() == "registry.xlsx: 0 created, 0 updated, 1 unchanged"


@pytest.mark.django_db
def test_import_sites_command_missing_file(reference, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_sites", str(tmp_path / "nope.csv"))


def test_hbmm_command_exits_non_zero_on_failure(tmp_path):
    """The real console command turns a failure into a message on stderr and exit status 1
    (the row-by-row messages are checked in-process above)."""
    import os
    import subprocess
    import sys

    # A throw-away SQLite database: never the DATABASE_URL the suite may be running with.
    env = {
        **os.environ,
        "HBMM_VAR_DIR": str(tmp_path / "var"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
    }
    done = subprocess.run(
        [sys.executable, "-m", "hbmm.cli", "import_sites", str(tmp_path / "missing.csv")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1
    assert "missing.csv: no such file" in done.stderr
