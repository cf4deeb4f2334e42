#!/usr/bin/env bash
# Dump the PostgreSQL database of docker-compose.yml in pg_dump's custom format, check that the dump
# reads back, keep it next to the previous ones and delete those older than BACKUP_KEEP_DAYS.
# Run from the repository (next to docker-compose.yml), by cron or a systemd timer: docs/operations.md.
#
#   scripts/backup_postgres.sh [directory]       # default: $BACKUP_DIR, else var/backups/postgres
#
# BACKUP_KEEP_DAYS (14)  dumps older than this are deleted (they hold personal data: keep it short,
#                        under RETENTION_DAYS; an erasure does not reach a dump already taken)
# PG_DUMP, PG_RESTORE    the commands, default through the compose container
#                        (`docker compose exec -T postgres pg_dump -U tzn -d tzn`); tests and
#                        managed databases give their own (`pg_dump -h HOST -U tzn -d tzn`)
# Prints the path of the new dump. No data and no password goes to the output.
set -euo pipefail
dir="${1:-${BACKUP_DIR:-var/backups/postgres}}"
keep_days="${BACKUP_KEEP_DAYS:-14}"
read -r -a dump <<< "${PG_DUMP:-docker compose exec -T postgres pg_dump -U tzn -d tzn}"
read -r -a restore <<< "${PG_RESTORE:-docker compose exec -T postgres pg_restore}"

umask 077
mkdir -p "$dir"
chmod 700 "$dir"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
final="$dir/tzn-$stamp.dump"
partial="$dir/.tzn-$stamp.dump.partial"
trap 'rm -f "$partial"' EXIT

# --no-owner / --no-privileges: restorable into a database owned by another role (a managed one).
"${dump[@]}" --format=custom --compress=6 --no-owner --no-privileges > "$partial"
# A dump that pg_restore cannot list is not a backup.
if ! "${restore[@]}" --list < "$partial" > /dev/null; then
  echo "!! the dump does not read back; nothing kept" >&2
  exit 1
fi
mv "$partial" "$final"
find "$dir" -maxdepth 1 -name 'tzn-*.dump' -type f -mtime +"$keep_days" -print -delete | sed 's/^/deleted /' >&2
echo "$final"
