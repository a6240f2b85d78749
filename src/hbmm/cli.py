"""The `hbmm` console command: Django's management commands with HBMM's settings."""

import os
import sqlite3
import sys
from contextlib import closing
from pathlib import Path

from django.core.management import execute_from_command_line

from hbmm.var import default_database

# Commands that create the database, or need none: they run wherever they are started.
NO_DATABASE_NEEDED = {
    "api_schema",
    "setup",
    "migrate",
    "check",
    "collectstatic",
    "compilemessages",
    "makemessages",
    "makemigrations",
    "help",
    "version",
    "--help",
    "-h",
    "--version",
}


def _is_migrated(database: Path) -> bool:
    """Whether `database` is an SQLite file that `hbmm migrate` has run on (settings create
    the file empty, private, before SQLite first writes it)."""
    if not database.exists():
        return False
    try:
        with closing(sqlite3.connect(f"{database.as_uri()}?mode=ro", uri=True)) as db:
            found = db.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'django_migrations'"
            ).fetchone()
    except sqlite3.Error:
        return True  # not ours to judge: let Django say what is wrong
    return found is not None


def missing_database_message(command: str) -> str | None:
    """Why `command` cannot run here, or None: run with the embedded SQLite database (no
    DATABASE_URL) where none exists, any command but those that create one would otherwise
    create an empty `var/` and die with "no such table"."""
    if os.environ.get("DATABASE_URL") or command in NO_DATABASE_NEEDED:
        return None
    database = default_database()
    if _is_migrated(database):
        return None
    return (
        f"hbmm: no HBMM database at {database}.\n"
        "Run the command where HBMM's data is (the checkout, where `make run` keeps var/), or "
        "point to it with HBMM_HOME (its var/ is used), HBMM_VAR_DIR or DATABASE_URL; "
        "`hbmm setup` creates a new database here."
    )


def main(argv: list[str] | None = None) -> None:
    args = argv if argv is not None else sys.argv[1:]
    message = missing_database_message(args[0] if args else "help")
    if message:
        sys.stderr.write(message + "\n")
        raise SystemExit(2)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hbmm.settings")
    execute_from_command_line(["hbmm", *args])


if __name__ == "__main__":
    main()
