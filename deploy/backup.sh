#!/usr/bin/env bash
# Nightly backup of the database and the media (docs/operations.md, "Backups and restore").
# Run by deploy/systemd/carsi-backup.timer on ONE machine, with /etc/carsi/env loaded.
#
#   DATABASE_URL          the database to dump (postgres://...); a password is better kept in
#                         ~/.pgpass than in the URL (a URL shows in the process list)
#   BACKUP_DIR            where the dumps go (default /var/backups/carsi); copy it off the machine
#   BACKUP_KEEP_DAYS      dumps older than this are deleted (default 14)
#   MEDIA_BACKUP_SOURCE   rclone path of the media: "media:carsi-media" (a remote set up with
#                         `rclone config`) or MEDIA_ROOT on a single machine; unset: no media copy
#   MEDIA_BACKUP_TARGET   rclone path of the copy, in another bucket or place ("backup:carsi-media")
set -euo pipefail

: "${DATABASE_URL:?DATABASE_URL must name the database to dump}"
backup_dir=${BACKUP_DIR:-/var/backups/carsi}
keep_days=${BACKUP_KEEP_DAYS:-14}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$backup_dir"

# Custom format: compressed, and pg_restore can restore it in parallel or pick single tables.
# Written under a temporary name and renamed once complete and readable, so a failed night never
# leaves a truncated file that looks like a backup.
dump="$backup_dir/carsi-$stamp.dump"
pg_dump --format=custom --no-owner --no-privileges --file="$dump.partial" "$DATABASE_URL"
pg_restore --list "$dump.partial" >/dev/null
mv "$dump.partial" "$dump"
echo "database: $dump ($(du -h "$dump" | cut -f1))"
find "$backup_dir" -maxdepth 1 -name 'carsi-*.dump' -mtime +"$keep_days" -delete

# Media: the copy mirrors the source under current/; what the source deleted or replaced since the
# last run is moved to deleted/<date>/ instead of being lost (certificate PDFs are never replaced,
# so this is only ever deleted images and documents).
if [ -n "${MEDIA_BACKUP_SOURCE:-}" ]; then
  : "${MEDIA_BACKUP_TARGET:?MEDIA_BACKUP_TARGET must name where the media copy goes}"
  rclone sync "$MEDIA_BACKUP_SOURCE" "$MEDIA_BACKUP_TARGET/current" \
    --backup-dir "$MEDIA_BACKUP_TARGET/deleted/$stamp" --checksum --fast-list --stats-one-line -v
  echo "media: $MEDIA_BACKUP_SOURCE -> $MEDIA_BACKUP_TARGET/current"
fi
