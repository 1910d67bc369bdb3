#!/usr/bin/env bash
# Proves that a backup restores: seeds a fresh PostgreSQL database with demo data, backs it up
# with pg_dump, restores the dump into another fresh database, and checks that the restored one
# needs no migration and gives the same KPIs and row counts (manage.py kpi_snapshot).
#
#   PGHOST=127.0.0.1 PGUSER=postgres scripts/backup_restore_check.sh
#
# Needs the PostgreSQL client tools (createdb, dropdb, pg_dump, pg_restore) and a role that may
# create databases. Both databases are dropped at the end. Exit status 0 means "restores".
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-.venv/bin/python}
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
SOURCE=${BACKUP_CHECK_DB:-salesperf_backup_check_$$}
RESTORED=${SOURCE}_restored
WORK=$(mktemp -d)
PERIOD=(--start 2025-04-01 --end 2025-06-30 --today 2025-06-30)

cleanup() {
  dropdb --if-exists "$SOURCE" >/dev/null 2>&1 || true
  dropdb --if-exists "$RESTORED" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

url() { echo "postgres://${PGUSER}${PGPASSWORD:+:${PGPASSWORD}}@${PGHOST}:${PGPORT}/$1"; }
# The embedded task runner (no REDIS_URL): seed_demo's KPI work runs in this process.
manage() { local db=$1; shift; env -u REDIS_URL DATABASE_URL="$(url "$db")" "$PYTHON" manage.py "$@"; }

echo "1/4 seeding $SOURCE"
createdb "$SOURCE"
manage "$SOURCE" migrate --noinput -v 0
manage "$SOURCE" seed_demo --reps 6 --weeks 13 --seed 7 --today 2025-06-30 --password backup-check-only -v 0 >/dev/null
manage "$SOURCE" kpi_snapshot "${PERIOD[@]}" >"$WORK/before.json"

echo "2/4 backing up with pg_dump"
pg_dump --format=custom --no-owner --no-privileges --file "$WORK/salesperf.dump" "$SOURCE"

echo "3/4 restoring into $RESTORED"
createdb "$RESTORED"
pg_restore --no-owner --no-privileges --exit-on-error --dbname "$RESTORED" "$WORK/salesperf.dump"
manage "$RESTORED" migrate --check -v 0   # the restored schema is complete: nothing left to apply

echo "4/4 comparing KPIs and row counts"
manage "$RESTORED" kpi_snapshot "${PERIOD[@]}" >"$WORK/after.json"
if ! cmp -s "$WORK/before.json" "$WORK/after.json"; then
  diff -u "$WORK/before.json" "$WORK/after.json" | head -40 >&2
  echo "FAILED: the restored database differs" >&2
  exit 1
fi
reps=$(grep -c '"rep": {' "$WORK/after.json" || true)
echo "OK: the restore gives the same KPIs ($reps rep rows) and the same row count in every table"
