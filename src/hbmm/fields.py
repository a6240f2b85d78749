"""Model fields shared by every app: `EncryptedTextField` for direct identifiers and secrets.

The database holds only a Fernet token (`hbmm.crypto`, key FIELD_ENCRYPTION_KEY); the model
attribute holds the clear text after loading. Never show such an attribute directly: read it
through the selector that checks the permission and writes the audit log (for screenings,
`screening_identifiers_read`). `hbmm rotate_keys` finds every field of this class, in every
model, and re-encrypts it with the current key (`hbmm.key_rotation`).
"""

from django.db import models

from hbmm.crypto import decrypt, encrypt


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
