"""The data directory `var/` (SQLite database, uploads, generated keys), private to its owner.

Everything HBMM creates there is made private when it is created, never chmod'ed afterwards
(a file readable by others for a moment has already been readable): the directory 0700, the
key files and the SQLite database 0600 (SQLite gives its -wal and -shm files the mode of the
database file). Uploads get their modes from FILE_UPLOAD_PERMISSIONS and
FILE_UPLOAD_DIRECTORY_PERMISSIONS (settings.py).
"""

import os
import time
from collections.abc import Callable
from pathlib import Path

DIRECTORY_MODE = 0o700
FILE_MODE = 0o600


def var_dir() -> Path:
    """Where the data lives: HBMM_VAR_DIR, else `var/` under HBMM_HOME (default: the current
    directory; `make` sets it to the checkout)."""
    home = Path(os.environ.get("HBMM_HOME") or Path.cwd())
    return Path(os.environ.get("HBMM_VAR_DIR") or home / "var")


def default_database() -> Path:
    """The embedded SQLite database used when DATABASE_URL is not set."""
    return var_dir() / "hbmm.sqlite3"


def private_dir(path: Path) -> Path:
    """Create `path` (and missing parents) readable by its owner only; an existing directory is
    left as it is (the `hbmm.W003` check reports one that others can read)."""
    if not path.is_dir():
        old = os.umask(0o077)  # parents created here are private too
        try:
            path.mkdir(mode=DIRECTORY_MODE, parents=True, exist_ok=True)
        finally:
            os.umask(old)
    return path


def private_file(path: Path) -> bool:
    """Create an empty file at `path` with mode 0600 unless it exists; True when created."""
    private_dir(path.parent)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    except FileExistsError:
        return False
    return True


def key_file(path: Path, generate: Callable[[], str]) -> str:
    """The key kept in `path`, generated once (mode 0600 from its creation) when missing.

    Several processes may start at once (gunicorn workers): the first to create the file
    writes the key, the others read it (waiting a moment for the write when they find the
    file still empty)."""
    private_dir(path.parent)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        for _ in range(50):
            value = path.read_text().strip()
            if value:
                return value
            time.sleep(0.1)
        raise RuntimeError(f"{path} is empty: delete it to generate a new key") from None
    value = generate()
    with os.fdopen(descriptor, "w") as handle:
        handle.write(value + "\n")
    return value


def is_private(path: Path) -> bool:
    """True when neither the group nor others have any permission on `path`."""
    return not path.stat().st_mode & 0o077
