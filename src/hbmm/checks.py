"""HBMM's system checks (run by `hbmm check`, `migrate`, `setup`; `hbmm check --deploy` adds
Django's deployment checks): keys of personal data, the data directory, HTTPS switches.

The keys (hbmm/crypto.py) must be given explicitly in production: without DEBUG, each comes
from the environment, or from its file in var/ when the database is an SQLite file (the
`make run` installation: one machine holds the database and the keys, backed up together).
A key generated on one server's disk for a database served to several (PostgreSQL) is the
way to lose the data: a second server, a rebuilt container, and nothing can be read.
"""

from pathlib import Path

import openpyxl
from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.utils.translation import gettext as _

from hbmm.crypto import field_keys, is_fernet_key
from hbmm.var import is_private

KEY_SETTINGS = ("FIELD_ENCRYPTION_KEY", "PSEUDONYM_KEY")


def _embedded_database() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"


@register(Tags.security)
def keys_check(app_configs=None, **kwargs) -> list:
    errors: list[CheckMessage] = []
    from_environment = getattr(settings, "HBMM_KEYS_FROM_ENVIRONMENT", {})
    for code, name in enumerate(KEY_SETTINGS, start=1):
        value = getattr(settings, name, "")
        if not field_keys(value):
            errors.append(
                Error(
                    _("%(name)s is not set.") % {"name": name},
                    hint=_("Set it in the environment (see README, Configuration)."),
                    id=f"hbmm.E00{code}",
                )
            )
        elif not settings.DEBUG and not from_environment.get(name) and not _embedded_database():
            errors.append(
                Error(
                    _(
                        "%(name)s comes from a file generated in %(var)s, but the database is "
                        "a server that other machines may use."
                    )
                    % {"name": name, "var": settings.VAR_DIR},
                    hint=_(
                        "Set %(name)s in the environment and keep it with the database backups "
                        "(without it the personal data cannot be read)."
                    )
                    % {"name": name},
                    id=f"hbmm.E00{code}",
                )
            )
    first = (field_keys(getattr(settings, "FIELD_ENCRYPTION_KEY", "")) or [""])[0]
    if first and not is_fernet_key(first):
        errors.append(
            Warning(
                _("The first FIELD_ENCRYPTION_KEY (the one that encrypts) is not a Fernet key."),
                hint=_(
                    'Put a generated key first: python -c "from cryptography.fernet import '
                    'Fernet; print(Fernet.generate_key().decode())", then run hbmm rotate_keys.'
                ),
                id="hbmm.W001",
            )
        )
    return errors


@register(Tags.security)
def var_dir_check(app_configs=None, **kwargs) -> list:
    var_dir = Path(settings.VAR_DIR)
    if var_dir.is_dir() and not is_private(var_dir):
        return [
            Warning(
                _("%(var)s (database, uploads, keys) can be read by other users of this machine.")
                % {"var": var_dir},
                hint=f"chmod 700 {var_dir}",
                id="hbmm.W002",
            )
        ]
    return []


@register(Tags.security)
def xml_parsing_check(app_configs=None, **kwargs) -> list:
    """openpyxl parses XLSX parts with defusedxml only when it is installed and
    OPENPYXL_DEFUSEDXML is not "False": otherwise an uploaded workbook may expand entities."""
    if openpyxl.DEFUSEDXML:
        return []
    return [
        Error(
            _("openpyxl does not parse XLSX files with defusedxml."),
            hint=_("Install defusedxml and leave OPENPYXL_DEFUSEDXML unset."),
            id="hbmm.E003",
        )
    ]
