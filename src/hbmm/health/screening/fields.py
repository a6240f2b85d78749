"""An encrypted text field for direct identifiers (Fernet).

The key is settings.FIELD_ENCRYPTION_KEY when set (a Fernet key), else derived from SECRET_KEY
(SHA-256, URL-safe base64), the rule the shared `hbmm.crypto` helper is to follow. Until that
helper lands on main this field lives here; swapping it for the shared one changes no stored
data as long as the key rule is the same.

The database holds only the token; the model attribute holds the clear text after loading.
Never show these attributes directly: read them through the selector that checks the
permission and writes the audit log (`screening_identifiers_read`).
"""

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import models

TOKEN_PREFIX = "fernet:"


@lru_cache(maxsize=4)
def _fernet(key_material: str, secret_key: str) -> Fernet:
    if key_material:
        return Fernet(key_material.encode("ascii"))
    digest = hashlib.sha256(secret_key.encode("utf-8")).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def fernet() -> Fernet:
    return _fernet(getattr(settings, "FIELD_ENCRYPTION_KEY", "") or "", settings.SECRET_KEY)


def encrypt(text: str) -> str:
    if not text:
        return ""
    return TOKEN_PREFIX + fernet().encrypt(text.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    if not token:
        return ""
    if not token.startswith(TOKEN_PREFIX):
        raise ValueError("not an encrypted value")
    try:
        return fernet().decrypt(token[len(TOKEN_PREFIX) :].encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise ValueError("cannot decrypt: wrong FIELD_ENCRYPTION_KEY or SECRET_KEY") from exc


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
