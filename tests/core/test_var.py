"""var/ (database, uploads, keys) is private to HBMM's user from the moment each thing is
created: the directory 0700, files 0600 (keys and the SQLite database are checked in
test_keys.py with a fresh installation)."""

import os
import sqlite3
import stat
import subprocess
import sys

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from hbmm.checks import var_dir_check
from hbmm.intake.models import ImportFile
from hbmm.var import key_file, private_dir, private_file

CSV = "date;site;direction;men;women;boys;girls\n28/04/2020;BCP-GOGUI;incoming;3;2;1;0\n"


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def open_umask():
    """The usual umask (022), whatever the test runner's: it is what made var/ readable."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_directory_and_files_are_created_private(tmp_path, open_umask):
    var_dir = private_dir(tmp_path / "a" / "var")
    assert mode(var_dir) == 0o700 and mode(tmp_path / "a") == 0o700
    assert private_file(var_dir / "db") and mode(var_dir / "db") == 0o600
    assert not private_file(var_dir / "db")  # an existing file is left alone
    assert key_file(var_dir / "key", lambda: "k1") == "k1"
    assert mode(var_dir / "key") == 0o600
    assert key_file(var_dir / "key", lambda: "k2") == "k1"


def test_sqlite_files_take_the_database_mode(tmp_path, open_umask):
    """SQLite creates its -wal and -shm files with the database file's mode: creating that
    file 0600 first (settings._database) keeps all three private."""
    path = tmp_path / "hbmm.sqlite3"
    private_file(path)
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE t (x)")
    db.execute("INSERT INTO t VALUES (1)")
    db.commit()
    assert {p.name: mode(p) for p in tmp_path.iterdir()} == {
        "hbmm.sqlite3": 0o600,
        "hbmm.sqlite3-wal": 0o600,
        "hbmm.sqlite3-shm": 0o600,
    }
    db.close()


def test_settings_create_the_database_file_private(tmp_path, open_umask):
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environment["HBMM_VAR_DIR"] = str(tmp_path / "var")
    subprocess.run([sys.executable, "-c", "import hbmm.settings"], env=environment, check=True)
    assert mode(tmp_path / "var") == 0o700
    assert mode(tmp_path / "var" / "hbmm.sqlite3") == 0o600


@pytest.mark.django_db
def test_uploaded_files_are_private(settings, tmp_path, make_user, client, open_umask):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.HBMM_IMPORT_INLINE = True
    client.force_login(make_user("im_officer", areas=["MLI"]))
    upload = SimpleUploadedFile("fmr.csv", CSV.encode("utf-8"), "text/csv")
    assert (
        client.post("/intake/imports/", {"kind": "flow_count", "file": upload}).status_code == 302
    )
    stored = ImportFile.objects.get().file.path
    assert mode(stored) == 0o600
    directory = os.path.dirname(stored)
    while directory != str(tmp_path):
        assert mode(directory) == 0o700, directory
        directory = os.path.dirname(directory)


def test_a_var_dir_others_can_read_is_reported(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    (tmp_path / "var").mkdir(mode=0o755)
    os.chmod(tmp_path / "var", 0o755)
    assert [w.id for w in var_dir_check()] == ["hbmm.W002"]
    os.chmod(tmp_path / "var", 0o700)
    assert var_dir_check() == []
