#!/usr/bin/env bash
# Restore an HBMM backup made by deploy/backup.sh into the database at DATABASE_URL and the
# media folder MEDIA_ROOT. Stop the web instances and the workers first; afterwards run
# `hbmm migrate` (a backup of an older version is brought up to this code) and start them.
#
#   DATABASE_URL=postgres://... MEDIA_ROOT=/var/lib/hbmm/media deploy/restore.sh <backup dir>
#
# The database's tables are replaced (pg_restore --clean, in one transaction: a failed
# restore leaves the database as it was); the media folder is replaced, its previous content
# kept beside it as <MEDIA_ROOT>.before-restore-<time> until you remove it.
set -euo pipefail
umask 077
backup="${1:?usage: restore.sh <backup directory>}"
: "${DATABASE_URL:?DATABASE_URL is not set (PostgreSQL URL)}"
: "${MEDIA_ROOT:?MEDIA_ROOT is not set}"
for f in database.dump media.tar.gz MANIFEST; do
  [ -f "$backup/$f" ] || { echo "restore.sh: $backup/$f is missing" >&2; exit 2; }
done
(cd "$backup" && grep -E '^[0-9a-f]{64}  ' MANIFEST | sha256sum --check --quiet) \
  || { echo "restore.sh: the backup's checksums do not match its MANIFEST" >&2; exit 2; }

pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction \
  --exit-on-error --dbname="$DATABASE_URL" "$backup/database.dump"

stamp="$(date -u +%Y%m%dT%H%M%SZ)"
incoming="$MEDIA_ROOT.restoring-$stamp"
mkdir -p "$incoming"
tar -C "$incoming" -xzf "$backup/media.tar.gz"
if [ -e "$MEDIA_ROOT" ]; then mv "$MEDIA_ROOT" "$MEDIA_ROOT.before-restore-$stamp"; fi
mv "$incoming" "$MEDIA_ROOT"
echo "restored $backup into the database and $MEDIA_ROOT"
