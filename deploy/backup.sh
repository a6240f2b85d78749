#!/usr/bin/env bash
# Back up HBMM: the database (pg_dump, custom format) and the media folder (uploaded files,
# submission attachments), into $BACKUP_DIR/hbmm-<UTC time>/ with a SHA-256 manifest; backups
# older than $BACKUP_KEEP_DAYS days are removed. The keys (FIELD_ENCRYPTION_KEY,
# PSEUDONYM_KEY, SECRET_KEY in /etc/hbmm/hbmm.env) are NOT in the backup: keep them apart.
#
#   DATABASE_URL=postgres://... MEDIA_ROOT=/var/lib/hbmm/media BACKUP_DIR=/var/backups/hbmm \
#     deploy/backup.sh            # prints the backup's directory
#
# The database is dumped first, then the media folder: every file the dump names was
# written before it (files are only added), so the pair restores consistently.
set -euo pipefail
umask 077
: "${DATABASE_URL:?DATABASE_URL is not set (PostgreSQL URL)}"
: "${MEDIA_ROOT:?MEDIA_ROOT is not set}"
: "${BACKUP_DIR:?BACKUP_DIR is not set}"
KEEP_DAYS="${BACKUP_KEEP_DAYS:-14}"
case "$DATABASE_URL" in
  postgres://*|postgresql://*) ;;
  *) echo "backup.sh: DATABASE_URL is not PostgreSQL (for SQLite see docs/deploy.md)" >&2; exit 2 ;;
esac

mkdir -p "$BACKUP_DIR"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
final="$BACKUP_DIR/hbmm-$stamp"
work="$BACKUP_DIR/.hbmm-$stamp.partial"
trap 'rm -rf "$work"' EXIT
mkdir "$work"

pg_dump --format=custom --compress=6 --no-owner --no-privileges \
  --file="$work/database.dump" "$DATABASE_URL"
if [ -d "$MEDIA_ROOT" ]; then
  tar -C "$MEDIA_ROOT" -czf "$work/media.tar.gz" .
else
  tar -czf "$work/media.tar.gz" -T /dev/null
fi
{
  echo "created $stamp"
  echo "database $(pg_dump --version | head -1)"
  (cd "$work" && sha256sum database.dump media.tar.gz)
} > "$work/MANIFEST"
mv "$work" "$final"   # complete or absent: a partial backup never has the final name
trap - EXIT

find "$BACKUP_DIR" -maxdepth 1 -name 'hbmm-*' -type d -mtime +"$KEEP_DAYS" -exec rm -rf {} +
echo "$final"
