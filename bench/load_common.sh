# Shared by bench/load.sh and bench/api_load.sh (sourced, not run): wrk, the production-like
# environment, the cleanup on exit and the seeded scratch database. The caller sets ROOT, PY,
# PGURL, DB and KEEP first.

# wrk from Debian when we can install it (root); without it the benchmark says so and exits 0.
require_wrk() {
  if ! command -v wrk >/dev/null 2>&1; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
      echo "installing wrk (Debian package)…"
      (apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }) || true
    fi
  fi
  if ! command -v wrk >/dev/null 2>&1; then
    echo "SKIP: wrk is not installed (apt-get install wrk)"
    exit 0
  fi
}

# The app as in production (DEBUG off, kept connections), on the scratch database; background
# KPI work goes to Redis (REDIS_URL, default db 2) and is purged at the end.
export_production_env() {
  export DATABASE_URL="$PGURL/$DB"
  export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/2}
  export DEBUG=0
  export SECRET_KEY=${SECRET_KEY:-$("$PY" -c 'import secrets; print(secrets.token_urlsafe(60))')}
  export ALLOWED_HOSTS=127.0.0.1
  export SECURE_SSL_REDIRECT=0
  export CONN_MAX_AGE=60
  export LOG_LEVEL=WARNING
}

# On exit: stop gunicorn, purge the queued tasks, drop the database (unless --keep).
cleanup() {
  if [ -n "$GUNICORN_PID" ]; then kill "$GUNICORN_PID" 2>/dev/null || true; wait "$GUNICORN_PID" 2>/dev/null || true; fi
  "$ROOT/.venv/bin/celery" -A salesperf purge -f >/dev/null 2>&1 || true
  if [ "$KEEP" = "0" ]; then psql "$PGURL/postgres" -q -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true; fi
  rm -rf "$WORK"
}
WORK=$(mktemp -d)
GUNICORN_PID=""
trap cleanup EXIT

# A fresh database seeded with seed_demo (SEED_ARGS, default 24 reps over 26 weeks).
seed_scratch_db() {
  echo "== scratch database $DB"
  psql "$PGURL/postgres" -q -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null
  psql "$PGURL/postgres" -q -c "CREATE DATABASE $DB" >/dev/null
  "$PY" manage.py migrate -v 0
  local seed_args=${SEED_ARGS:---reps 24 --weeks 26 --seed 1}
  # shellcheck disable=SC2086
  "$PY" manage.py seed_demo $seed_args --password bench-password >/dev/null
}

# Peak resident memory (VmHWM: the high-water mark so far) of the gunicorn master and its workers.
print_gunicorn_peak_rss() {
  local pid
  for pid in $GUNICORN_PID $(pgrep -P "$GUNICORN_PID" || true); do
    printf 'peak RSS of gunicorn process %s: %s\n' "$pid" "$(awk '/^VmHWM/ {print $2, $3}' "/proc/$pid/status" 2>/dev/null)"
  done
}
