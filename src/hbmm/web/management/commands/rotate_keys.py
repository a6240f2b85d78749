from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from hbmm.accounts.models import AuditEvent
from hbmm.accounts.services import audit_log
from hbmm.crypto import fernet_key
from hbmm.key_rotation import encrypted_values_rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted value (identifiers, secrets) with the first key of "
        "FIELD_ENCRYPTION_KEY, in batches, while HBMM keeps serving. --check writes nothing and "
        "fails while a value is still under an older key. See docs/security.md."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="count the values not under the first key; exit 1 if there is any",
        )
        parser.add_argument("--batch-size", type=int, default=500, help="rows per transaction")
        parser.add_argument(
            "--print-legacy-key",
            action="store_true",
            help="print the field key that versions before FIELD_ENCRYPTION_KEY derived from "
            "SECRET_KEY (run it with the SECRET_KEY of then), to add it to FIELD_ENCRYPTION_KEY",
        )

    def handle(self, *args, check: bool, batch_size: int, print_legacy_key: bool, **options):
        if print_legacy_key:
            self.stdout.write(fernet_key(settings.SECRET_KEY).decode())
            return
        counts = encrypted_values_rotate(batch_size=batch_size, dry_run=check)
        verb = "under an older key" if check else "re-encrypted"
        for count in counts:
            line = f"{count.label}: {count.rotated} {verb}, {count.current} already current"
            if count.unreadable:
                line += f", {count.unreadable} unreadable (ids {count.unreadable_ids})"
            self.stdout.write(line)
        rotated = sum(c.rotated for c in counts)
        unreadable = sum(c.unreadable for c in counts)
        if not check and rotated:
            audit_log(
                action=AuditEvent.Action.DATA_CHANGE,
                target="hbmm.keys",
                details={
                    "operation": "rotate_keys",
                    "rotated": {c.label: c.rotated for c in counts if c.rotated},
                },
            )
        if unreadable:
            raise CommandError(
                f"{unreadable} values cannot be decrypted with any configured key: "
                "add the key they were encrypted with to FIELD_ENCRYPTION_KEY"
            )
        if check and rotated:
            raise CommandError(f"{rotated} values are still under an older key")
