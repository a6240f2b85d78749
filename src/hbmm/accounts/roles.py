"""Roles are Django groups. Which roles exist is in accounts/data/roles.json; which
permissions each role holds in a module is in that module's `roles.json`
(`{"role": ["app_label.codename", ...]}`), so each app states its own grants. An app may ship
further grant files beside it, named `roles_<part>.json` (e.g. `health/roles_screening.json`
for a sub-module); their grants are added to the role's.
"""

import json
from fnmatch import fnmatch
from importlib import resources

from django.apps import apps
from django.utils.translation import get_language

ROLES_FILE = resources.files("hbmm.accounts") / "data" / "roles.json"


def role_definitions() -> dict[str, dict]:
    return json.loads(ROLES_FILE.read_text(encoding="utf-8"))


def role_label(code: str) -> str:
    definition = role_definitions().get(code)
    if definition is None:
        return code
    return definition["en"] if (get_language() or "fr").startswith("en") else definition["fr"]


def role_grants() -> dict[str, set[str]]:
    """Permission names ("app_label.codename") per role, gathered from every HBMM app."""
    grants: dict[str, set[str]] = {code: set() for code in role_definitions()}
    for config in apps.get_app_configs():
        if not config.name.startswith("hbmm."):
            continue
        for grants_file in grant_files(config.name):
            for role, permissions in json.loads(grants_file.read_text(encoding="utf-8")).items():
                if role not in grants:
                    raise ValueError(
                        f"{config.name}/{grants_file.name} grants to unknown role '{role}'"
                    )
                grants[role].update(permissions)
    return grants


def grant_files(package: str) -> list:
    """The package's `roles.json` and `roles_*.json` files, in name order."""
    root = resources.files(package)
    return sorted(
        (
            entry
            for entry in root.iterdir()
            if entry.is_file()
            and (entry.name == "roles.json" or fnmatch(entry.name, "roles_*.json"))
        ),
        key=lambda entry: entry.name,
    )
