"""Keys of personal data: separate from SECRET_KEY, required in production, generated once for
a `make run` installation, rotated by `hbmm rotate_keys` without making anything unreadable."""

import hashlib
import hmac
import io
import json
import os
import stat
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import override_settings

from hbmm.accounts.models import AuditEvent
from hbmm.checks import keys_check
from hbmm.crypto import decrypt, fernet_key, pseudonym
from hbmm.health.screening.models import Screening
from hbmm.health.screening.selectors import screening_identifiers_read
from hbmm.health.screening.services import person_key_for, screening_create
from hbmm.intake.models import PullSource
from hbmm.key_rotation import encrypted_fields
from hbmm.places.models import Site
from tests.health.screening_fixtures import T0, fever_cough

KEY_A = Fernet.generate_key().decode()
KEY_B = Fernet.generate_key().decode()
OLD_SECRET = "an old SECRET_KEY, that used to derive both keys (a comma is allowed)"


def screen(**identifiers) -> Screening:
    return screening_create(
        point=Site.objects.get(code="BCP-DIBOLI"), screened_at=T0, notify=False, **identifiers
    )


def stored(model, field: str) -> list[str]:
    """The values of an encrypted column as the database holds them (tokens)."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote(model._meta.get_field(field).column)} FROM "
            f"{quote(model._meta.db_table)} ORDER BY {quote(model._meta.pk.column)}"
        )
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db
def test_changing_secret_key_keeps_identifiers_readable_and_person_keys(
    settings, reference, make_user
):
    screening = screen(name="Awa Traoré", phone="+223 70 00 00 00", document_number="A 1234567")
    key = person_key_for(document_number="A 1234567")
    assert screening.person_key == key
    settings.SECRET_KEY = "a new secret key, e.g. after a leak of the old one"
    officer = make_user("surveillance_officer", areas=["MLI"])
    again = Screening.objects.get(pk=screening.pk)
    assert screening_identifiers_read(user=officer, screening=again)["name"] == "Awa Traoré"
    assert person_key_for(document_number="A1234567") == key


def test_pseudonym_depends_on_the_pseudonym_key_only(settings):
    settings.PSEUDONYM_KEY = "one key"
    first = pseudonym("doc", "A1234567")
    settings.SECRET_KEY = "another secret"
    assert pseudonym("doc", " a1234567 ") == first
    settings.PSEUDONYM_KEY = "another key"
    assert pseudonym("doc", "A1234567") != first


def test_pseudonym_key_set_to_the_old_secret_key_keeps_old_person_keys(settings):
    """Versions that derived person keys from SECRET_KEY: PSEUDONYM_KEY = that old SECRET_KEY
    gives the very keys they stored."""
    old_key = hashlib.sha256(("pseudonym:" + OLD_SECRET).encode()).digest()
    old = "T-" + hmac.new(old_key, b"doc|a1234567", "sha256").hexdigest()[:12].upper()
    settings.PSEUDONYM_KEY = OLD_SECRET
    assert pseudonym("doc", "A1234567") == old


def _ids(errors) -> list[str]:
    return sorted(e.id for e in errors)


POSTGRES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "hbmm"}}
SQLITE = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "/srv/hbmm/var/db"}}


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")  # read, never connected
@pytest.mark.parametrize(
    ("debug", "databases", "from_environment", "expected"),
    [
        # Production on a database server: keys from the environment, nothing else.
        (False, POSTGRES, {"FIELD_ENCRYPTION_KEY": True, "PSEUDONYM_KEY": True}, []),
        (False, POSTGRES, {"FIELD_ENCRYPTION_KEY": False, "PSEUDONYM_KEY": True}, ["hbmm.E001"]),
        (False, POSTGRES, {"FIELD_ENCRYPTION_KEY": True, "PSEUDONYM_KEY": False}, ["hbmm.E002"]),
        # `make run`: SQLite, keys generated in var/ beside it.
        (False, SQLITE, {"FIELD_ENCRYPTION_KEY": False, "PSEUDONYM_KEY": False}, []),
        # Development may use generated keys with any database.
        (True, POSTGRES, {"FIELD_ENCRYPTION_KEY": False, "PSEUDONYM_KEY": False}, []),
    ],
)
def test_keys_are_required_in_production(debug, databases, from_environment, expected):
    with override_settings(
        DEBUG=debug,
        DATABASES=databases,
        FIELD_ENCRYPTION_KEY=KEY_A,
        PSEUDONYM_KEY="p" * 40,
        HBMM_KEYS_FROM_ENVIRONMENT=from_environment,
    ):
        assert _ids(keys_check()) == expected


def test_an_empty_key_is_an_error_even_in_development(settings):
    settings.DEBUG = True
    settings.FIELD_ENCRYPTION_KEY = " , "
    settings.PSEUDONYM_KEY = ""
    assert _ids(keys_check()) == ["hbmm.E001", "hbmm.E002"]


def test_a_passphrase_as_the_encrypting_key_is_a_warning(settings):
    settings.HBMM_KEYS_FROM_ENVIRONMENT = {"FIELD_ENCRYPTION_KEY": True, "PSEUDONYM_KEY": True}
    settings.FIELD_ENCRYPTION_KEY = f"{OLD_SECRET},{KEY_A}"
    assert _ids(keys_check()) == ["hbmm.W001"]
    settings.FIELD_ENCRYPTION_KEY = f"{KEY_A},{OLD_SECRET}"  # as a decryption-only key: fine
    assert _ids(keys_check()) == []


def _settings_in(var_dir, **env) -> dict:
    """Import hbmm.settings in a fresh process with `var_dir` and no key in the environment."""
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "FIELD_ENCRYPTION_KEY", "PSEUDONYM_KEY", "DATABASE_URL"}
    }
    environment.update(HBMM_VAR_DIR=str(var_dir), **env)
    code = (
        "import json; from hbmm import settings as s; print(json.dumps({'secret': s.SECRET_KEY,"
        " 'field': s.FIELD_ENCRYPTION_KEY, 'pseudonym': s.PSEUDONYM_KEY}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_fresh_installation_generates_private_keys_once(tmp_path):
    var_dir = tmp_path / "var"
    first = _settings_in(var_dir)
    assert len(first["field"].split(",")) == 1
    Fernet(first["field"].encode())  # a real Fernet key, not a passphrase
    assert first["pseudonym"] not in (first["secret"], "")
    assert _mode(var_dir) == 0o700
    for name in ("secret_key", "field_encryption_key", "pseudonym_key", "hbmm.sqlite3"):
        assert _mode(var_dir / name) == 0o600, name
    assert _settings_in(var_dir) == first  # kept, not generated again


def test_an_older_installation_keeps_its_data_readable(tmp_path):
    """A var/ from a version that derived the keys from SECRET_KEY: its new field key file adds
    the key derived from that SECRET_KEY to decrypt, and its pseudonym key is that SECRET_KEY."""
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    (var_dir / "secret_key").write_text(OLD_SECRET + "\n")
    keys = _settings_in(var_dir)
    new, legacy = keys["field"].split(",")
    Fernet(new.encode())
    assert legacy == fernet_key(OLD_SECRET).decode() and keys["pseudonym"] == OLD_SECRET
    # What that version encrypted (with the key it derived from SECRET_KEY) is readable.
    token = Fernet(fernet_key(OLD_SECRET)).encrypt(b"Awa").decode()
    with override_settings(FIELD_ENCRYPTION_KEY=keys["field"]):
        assert decrypt(token) == "Awa"


def test_environment_keys_win_over_files(tmp_path):
    keys = _settings_in(tmp_path / "var", FIELD_ENCRYPTION_KEY=KEY_A, PSEUDONYM_KEY="p" * 40)
    assert keys["field"] == KEY_A and keys["pseudonym"] == "p" * 40
    assert not (tmp_path / "var" / "field_encryption_key").exists()
    assert not (tmp_path / "var" / "pseudonym_key").exists()


def test_every_encrypted_field_is_found_by_its_class():
    found = {
        f"{m._meta.label}.{f.name}" for m, fields in encrypted_fields().items() for f in fields
    }
    assert {
        "health.Screening.name",
        "health.Screening.phone",
        "health.Screening.document_number",
        "intake.PullSource.secret_encrypted",
    } <= found


def _pull_source(secret: str) -> PullSource:
    source = PullSource(
        name="Central",
        channel="odk_central",
        server_url="https://central.example.org",
        remote_form_id="flow_count",
        form_id="flow_count",
    )
    source.set_secret(secret)
    source.save()
    return source


@pytest.mark.django_db
def test_rotate_keys_moves_every_value_to_the_new_key(settings, reference):
    settings.FIELD_ENCRYPTION_KEY = KEY_A
    screenings = [
        screen(name=f"Traveller {n}", phone=f"+223 70 00 00 0{n}", **fever_cough())
        for n in range(5)
    ]
    screen()  # no identifiers: blank values stay blank
    _pull_source("central password")
    old_tokens = stored(Screening, "name")

    # The new key first, the old one still there: everything stays readable, old and new.
    settings.FIELD_ENCRYPTION_KEY = f"{KEY_B},{KEY_A}"
    screenings.append(screen(name="Traveller 5"))
    assert [s.name for s in Screening.objects.order_by("pk")][:6] == [
        *(f"Traveller {n}" for n in range(5)),
        "",
    ]
    out = io.StringIO()
    with pytest.raises(CommandError, match="11 values are still under an older key"):
        call_command("rotate_keys", "--check", stdout=out)
    assert "health.Screening.name: 5 under an older key, 1 already current" in out.getvalue()

    out = io.StringIO()
    call_command("rotate_keys", "--batch-size", "2", stdout=out)
    assert "health.Screening.phone: 5 re-encrypted, 0 already current" in out.getvalue()
    assert "intake.PullSource.secret_encrypted: 1 re-encrypted" in out.getvalue()
    call_command("rotate_keys", "--check", stdout=io.StringIO())  # nothing left under KEY_A
    new_tokens = stored(Screening, "name")
    assert new_tokens[5] == "" and (set(new_tokens) & set(old_tokens)) == {""}
    event = AuditEvent.objects.get(target="hbmm.keys")
    assert event.details["rotated"]["health.Screening.name"] == 5

    # The old key removed: every value still reads, under the new key alone.
    settings.FIELD_ENCRYPTION_KEY = KEY_B
    assert [s.name for s in Screening.objects.order_by("pk")] == [
        *(f"Traveller {n}" for n in range(5)),
        "",
        "Traveller 5",
    ]
    assert PullSource.objects.get().get_secret() == "central password"
    for token in stored(Screening, "phone"):
        if token:
            Fernet(KEY_B.encode()).decrypt(token.encode())


@pytest.mark.django_db
def test_rotate_keys_from_the_key_derived_from_secret_key(settings, reference):
    """The migration path of a deployment whose data was encrypted with the key that older
    versions derived from SECRET_KEY: that SECRET_KEY as a second key, rotate, remove it."""
    settings.FIELD_ENCRYPTION_KEY = ""
    settings.SECRET_KEY = OLD_SECRET
    with pytest.raises(ImproperlyConfigured):  # no silent fallback to SECRET_KEY any more
        screen(name="Awa")
    # What the old version stored: encrypted with the key it derived from SECRET_KEY.
    settings.FIELD_ENCRYPTION_KEY = fernet_key(OLD_SECRET).decode()
    screen(name="Awa Traoré", document_number="A1234567")
    out = io.StringIO()
    call_command("rotate_keys", "--print-legacy-key", stdout=out)
    legacy = out.getvalue().strip()
    settings.FIELD_ENCRYPTION_KEY = f"{KEY_A},{legacy}"
    assert Screening.objects.get().name == "Awa Traoré"
    call_command("rotate_keys", stdout=io.StringIO())
    settings.FIELD_ENCRYPTION_KEY = KEY_A
    assert Screening.objects.get().name == "Awa Traoré"


@pytest.mark.django_db
def test_rotate_keys_reports_values_no_key_can_read(settings, reference):
    settings.FIELD_ENCRYPTION_KEY = KEY_A
    screen(name="Awa Traoré")
    settings.FIELD_ENCRYPTION_KEY = KEY_B  # KEY_A lost
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 values cannot be decrypted"):
        call_command("rotate_keys", stdout=out)
    assert "1 unreadable" in out.getvalue()
