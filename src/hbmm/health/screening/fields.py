"""Kept so that migrations written before the move still import: the encrypted field and the
pseudonym function now live in `hbmm.fields` and `hbmm.crypto`, shared by every app."""

from hbmm.crypto import decrypt, encrypt, pseudonym
from hbmm.fields import EncryptedTextField

__all__ = ["EncryptedTextField", "decrypt", "encrypt", "pseudonym"]
