"""An encrypted text field for direct identifiers, on the shared Fernet helper `hbmm.crypto`
(key: settings.FIELD_ENCRYPTION_KEY, else derived from SECRET_KEY).

The database holds only the token; the model attribute holds the clear text after loading.
Never show these attributes directly: read them through the selector that checks the
permission and writes the audit log (`screening_identifiers_read`).
"""

import hashlib
import hmac

from django.conf import settings
from django.db import models

from hbmm.crypto import decrypt, encrypt

__all__ = ["EncryptedTextField", "decrypt", "encrypt", "pseudonym"]


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
