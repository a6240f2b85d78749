"""Prepare the benchmark database: migrate, reference data, an enumerator for Kayes."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hbmm.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402


def main():
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
