"""Keys for personal data: field encryption (Fernet / MultiFernet) and pseudonyms (HMAC).

Two keys, both separate from SECRET_KEY (which signs sessions and can be changed without
touching stored data):

- `settings.FIELD_ENCRYPTION_KEY`: one or more comma-separated keys. The first encrypts, every
  one decrypts (MultiFernet), so a new key is put first, `hbmm rotate_keys` re-encrypts what
  the older keys encrypted, then the older keys are removed. A key is a Fernet key
  (`Fernet.generate_key()`: urlsafe base64 of 32 bytes) or, for the data of versions that
  derived the key from SECRET_KEY, that old SECRET_KEY itself (any other text is stretched to
  a key with PBKDF2, exactly as those versions did).
- `settings.PSEUDONYM_KEY`: the HMAC key of pseudonymous person keys. Changing it changes the
  person key of every traveller screened from then on (the stored ones stay): set it once.
  Versions before it used SECRET_KEY: to keep their person keys, set PSEUDONYM_KEY to that
  SECRET_KEY once (and then SECRET_KEY may change).

    from hbmm.crypto import encrypt, decrypt, pseudonym
    token = encrypt("s3cret")      # str, safe to store in a TextField
    decrypt(token) == "s3cret"
    pseudonym("doc", "A1234567")   # "T-3F0C..." (same input, same key: same output)
"""

import base64
import binascii
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class DecryptionError(ValueError):
    """The value was not encrypted with any of the configured keys (or was tampered with)."""


def new_field_key() -> str:
    """A new random Fernet key, as FIELD_ENCRYPTION_KEY takes it."""
    return Fernet.generate_key().decode("ascii")


def is_fernet_key(material: str) -> bool:
    try:
        return len(base64.urlsafe_b64decode(material.strip().encode())) == 32
    except (ValueError, binascii.Error):
        return False


def fernet_key(material: str) -> bytes:
    """The Fernet key given (a generated key) or stretched from a passphrase (an old
    SECRET_KEY) with the fixed salt the versions that derived it from SECRET_KEY used."""
    raw = material.strip().encode()
    if is_fernet_key(material):
        return raw
    digest = hashlib.pbkdf2_hmac("sha256", raw, b"hbmm.crypto.field-encryption", 100_000)
    return base64.urlsafe_b64encode(digest)


def field_keys(configured: str) -> list[str]:
    """The entries of a FIELD_ENCRYPTION_KEY value, first (the encrypting key) first."""
    return [m.strip() for m in (configured or "").split(",") if m.strip()]


@lru_cache(maxsize=8)
def _fernets(configured: str) -> tuple[MultiFernet, Fernet]:
    keys = [Fernet(fernet_key(m)) for m in field_keys(configured)]
    if not keys:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEY is not set: personal data cannot be encrypted or read."
        )
    return MultiFernet(keys), keys[0]


def fernet() -> MultiFernet:
    """Every configured key: encrypts with the first, decrypts with any."""
    return _fernets(settings.FIELD_ENCRYPTION_KEY)[0]


def encrypt(value: str) -> str:
    return fernet().encrypt(value.encode("utf-8")).decode("ascii")


def _with_any_key(operation, token: str) -> bytes:
    """`operation` (a MultiFernet method that decrypts) applied to `token`, or
    DecryptionError when no configured key can read it."""
    try:
        return operation(token.encode("ascii"))
    except (InvalidToken, ValueError) as exc:
        raise DecryptionError(
            "cannot decrypt: wrong FIELD_ENCRYPTION_KEY or damaged value"
        ) from exc


def decrypt(token: str) -> str:
    return _with_any_key(fernet().decrypt, token).decode("utf-8")


def is_current(token: str) -> bool:
    """True when `token` was encrypted with the first (current) key."""
    try:
        _fernets(settings.FIELD_ENCRYPTION_KEY)[1].decrypt(token.encode("ascii"))
    except (InvalidToken, ValueError):
        return False
    return True


def reencrypt(token: str) -> str:
    """`token`'s value encrypted with the first key (decrypted with whichever key can)."""
    return _with_any_key(fernet().rotate, token).decode("ascii")


@lru_cache(maxsize=4)
def _pseudonym_key(configured: str) -> bytes:
    if not configured:
        raise ImproperlyConfigured(
            "PSEUDONYM_KEY is not set: pseudonymous person keys cannot be computed."
        )
    # The same derivation as the versions that used SECRET_KEY, so that PSEUDONYM_KEY set to
    # that old SECRET_KEY gives the same person keys.
    return hashlib.sha256(("pseudonym:" + configured).encode("utf-8")).digest()


def pseudonym(*parts: str, prefix: str = "T") -> str:
    """A stable pseudonymous key from identifiers (keyed HMAC: not reversible without the key).
    Spacing and case do not matter: " Awa  TRAORE" and "awa traore" give the same key."""
    material = "|".join(" ".join(p.split()).casefold() for p in parts)
    mac = hmac.new(_pseudonym_key(settings.PSEUDONYM_KEY), material.encode("utf-8"), "sha256")
    return prefix + "-" + mac.hexdigest()[:12].upper()
