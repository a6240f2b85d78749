"""An encrypted text field for direct identifiers (Fernet).

Key rule and token format are those of the shared `hbmm.crypto` helper being added by the
intake work (not on main when this was written): settings.FIELD_ENCRYPTION_KEY (a Fernet key,
or a passphrase stretched with PBKDF2; several comma-separated keys rotate: the first
encrypts, all decrypt), else a key derived from SECRET_KEY. Once `hbmm.crypto` is on main,
`encrypt`/`decrypt` here can be replaced by imports from it without touching stored data.

The database holds only the token; the model attribute holds the clear text after loading.
Never show these attributes directly: read them through the selector that checks the
permission and writes the audit log (`screening_identifiers_read`).
"""

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


def _fernet_key(material: str) -> bytes:
    raw = material.strip().encode()
    try:
        if len(base64.urlsafe_b64decode(raw)) == 32:
            return raw
    except (ValueError, TypeError):
        pass
    digest = hashlib.pbkdf2_hmac("sha256", raw, b"hbmm.crypto.field-encryption", 100_000)
    return base64.urlsafe_b64encode(digest)


@lru_cache(maxsize=4)
def _fernet(configured: str, secret_key: str) -> MultiFernet:
    materials = [m for m in (configured or "").split(",") if m.strip()] or [secret_key]
    return MultiFernet([Fernet(_fernet_key(m)) for m in materials])


def fernet() -> MultiFernet:
    return _fernet(getattr(settings, "FIELD_ENCRYPTION_KEY", "") or "", settings.SECRET_KEY)


def encrypt(text: str) -> str:
    return fernet().encrypt(text.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError) as exc:
        raise ValueError("cannot decrypt: wrong FIELD_ENCRYPTION_KEY or damaged value") from exc


def pseudonym(*parts: str, prefix: str = "T") -> str:
    """A stable pseudonymous key from identifiers (keyed HMAC: not reversible without the key)."""
    material = "|".join(" ".join(p.split()).casefold() for p in parts)
    key = hashlib.sha256(("pseudonym:" + settings.SECRET_KEY).encode("utf-8")).digest()
    return prefix + "-" + hmac.new(key, material.encode("utf-8"), "sha256").hexdigest()[:12].upper()


class EncryptedTextField(models.TextField):
    """Text stored encrypted; blank stays blank. Not searchable, not orderable."""

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt(value)
