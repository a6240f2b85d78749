"""Symmetric encryption of small secrets and personal-data fields (Fernet, from cryptography).

The key is settings.FIELD_ENCRYPTION_KEY (a urlsafe base64 32-byte Fernet key, or any passphrase,
which is stretched to one), else one derived from SECRET_KEY. Changing the key makes what was
encrypted with the old one unreadable: set FIELD_ENCRYPTION_KEY explicitly in production and keep
it with the database backups. Several keys may be given, comma-separated: the first encrypts, all
decrypt (key rotation, MultiFernet).

    from hbmm.crypto import encrypt, decrypt
    token = encrypt("s3cret")      # str, safe to store in a TextField
    decrypt(token) == "s3cret"
"""

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class DecryptionError(ValueError):
    """The value was not encrypted with any of the configured keys (or was tampered with)."""


def _fernet_key(material: str) -> bytes:
    raw = material.strip().encode()
    try:
        if len(base64.urlsafe_b64decode(raw)) == 32:
            return raw
    except (ValueError, TypeError):
        pass
    # A passphrase (or SECRET_KEY): derive a key with a fixed, purpose-specific salt.
    digest = hashlib.pbkdf2_hmac("sha256", raw, b"hbmm.crypto.field-encryption", 100_000)
    return base64.urlsafe_b64encode(digest)


@lru_cache(maxsize=4)
def _fernet(configured: str, secret_key: str) -> MultiFernet:
    materials = [m for m in (configured or "").split(",") if m.strip()] or [secret_key]
    return MultiFernet([Fernet(_fernet_key(m)) for m in materials])


def fernet() -> MultiFernet:
    return _fernet(getattr(settings, "FIELD_ENCRYPTION_KEY", "") or "", settings.SECRET_KEY)


def encrypt(value: str) -> str:
    return fernet().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError) as exc:
        raise DecryptionError(
            "cannot decrypt: wrong FIELD_ENCRYPTION_KEY or damaged value"
        ) from exc
