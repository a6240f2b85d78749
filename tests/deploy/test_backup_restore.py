"""deploy/backup.sh and deploy/restore.sh, performed: a backup of the database and the media
folder, the data then damaged (records deleted, a file removed, a record added), the restore,
and the data checked back as it was. On PostgreSQL (pg_dump); skipped on SQLite."""

import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.files.base import ContentFile
from django.db import connection, connections

from hbmm.intake.models import Submission, SubmissionAttachment
from hbmm.intake.receive import submission_receive

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="backups are of PostgreSQL (pg_dump)"
    ),
    pytest.mark.skipif(shutil.which("pg_dump") is None, reason="no pg_dump on this machine"),
]


def database_url() -> str:
    s = connection.settings_dict
    auth = quote(s["USER"] or "", safe="")
    if s["PASSWORD"]:
        auth += ":" + quote(s["PASSWORD"], safe="")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def receive(n: int) -> Submission:
    return submission_receive(
        channel="api",
        form_id="flow_count",
        instance_id=f"uuid:backup-{n}",
        payload=f'{{"n": {n}}}',
        payload_format=Submission.Format.JSON,
        data={"n": str(n)},
    ).submission


def run(script: str, *args, env: dict) -> str:
    done = subprocess.run(
        [str(DEPLOY / script), *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_the_database_and_the_media_folder(settings, tmp_path):
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    kept = [receive(n) for n in range(1, 4)]
    photo = SubmissionAttachment(submission=kept[0], name="photo.jpg", size=5, checksum="x")
    photo.file.save("photo.jpg", ContentFile(b"\xff\xd8bytes"), save=False)
    photo.save()
    photo_path = Path(photo.file.path)
    env = {
        "DATABASE_URL": database_url(),
        "MEDIA_ROOT": str(media),
        "BACKUP_DIR": str(tmp_path / "backups"),
    }
    backup = Path(run("backup.sh", env=env).strip())
    assert backup.is_dir() and backup.name.startswith("hbmm-")
    assert {p.name for p in backup.iterdir()} == {"database.dump", "media.tar.gz", "MANIFEST"}
    assert not list((tmp_path / "backups").glob(".hbmm-*"))  # no partial backup left

    # Damage: records deleted, a file lost, a record added after the backup.
    Submission.objects.filter(pk__in=[s.pk for s in kept[1:]]).delete()
    photo_path.unlink()
    receive(99)

    connections.close_all()  # the restore replaces the tables: hold no connection to them
    run("restore.sh", str(backup), env=env)

    assert set(Submission.objects.values_list("instance_id", flat=True)) == {
        "uuid:backup-1",
        "uuid:backup-2",
        "uuid:backup-3",
    }
    restored = SubmissionAttachment.objects.get()
    assert Path(restored.file.path).read_bytes() == b"\xff\xd8bytes"
    # The media folder before the restore is kept beside it, not deleted.
    assert list(tmp_path.glob("media.before-restore-*"))


def test_restore_refuses_a_backup_whose_checksums_do_not_match(tmp_path):
    backup = tmp_path / "hbmm-x"
    backup.mkdir()
    (backup / "database.dump").write_bytes(b"dump")
    (backup / "media.tar.gz").write_bytes(b"tar")
    (backup / "MANIFEST").write_text("0" * 64 + "  database.dump\n")
    done = subprocess.run(
        [str(DEPLOY / "restore.sh"), str(backup)],
        env={
            **os.environ,
            "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
            "MEDIA_ROOT": str(tmp_path / "m"),
        },
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2 and "checksums do not match" in done.stderr
