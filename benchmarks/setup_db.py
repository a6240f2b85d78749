"""Prepare the benchmark database: create it when it is a PostgreSQL database that does not
exist yet, migrate, reference data, an enumerator for Kayes."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hbmm.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402


def _database_create() -> None:
    """CREATE DATABASE for a DATABASE_URL naming a PostgreSQL database not there yet (the
    benchmarks' docstrings name databases nobody has made on a new machine)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    import psycopg

    settings = connection.settings_dict
    name = settings["NAME"]
    try:
        connection.ensure_connection()
    except django.db.OperationalError:
        params = {
            "host": settings["HOST"] or None,
            "port": settings["PORT"] or None,
            "user": settings["USER"] or None,
            "password": settings["PASSWORD"] or None,
        }
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        print(f"created database {name}")


def main():
    _database_create()
    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as quiet:
        call_command("load_reference", stdout=quiet)
    from django.contrib.auth.models import Group

    from hbmm.accounts.models import User
    from hbmm.accounts.services import user_scope_set
    from hbmm.places.models import AdminArea

    user, created = User.objects.get_or_create(username="bench")
    user.set_password("bench password 2020")
    user.save()
    user.groups.add(Group.objects.get(name="enumerator"))
    user_scope_set(user=user, areas=[AdminArea.objects.get(pcode="ML01")])
    print("ready")


if __name__ == "__main__":
    main()
