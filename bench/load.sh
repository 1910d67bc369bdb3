#!/usr/bin/env bash
# Load test of the two busiest reads: the team dashboard page and the activity list API,
# at 32 connections, with zero errors required. gunicorn (4 workers) on PostgreSQL, wrk on loopback.
#
#   bash bench/load.sh [--keep]
#
# Creates the scratch database salesperf_bench_load (dropped afterwards unless --keep), seeds it
# with seed_demo, serves it with gunicorn as in production (DEBUG=0, CONN_MAX_AGE=60) and runs wrk
# for DURATION seconds (default 10) with CONNECTIONS connections (default 32) against
#   1. GET /dashboard/           as manager1 (session cookie): the team dashboard page
#   2. GET /api/v1/activities/   as rep1 (token): the first page of 50 of the rep's list
# Prints requests/s, p99 latency and errors of each, the peak RSS of the gunicorn processes, and exits 1 if any request failed (a socket
# error, a timeout or an answer other than 2xx/3xx). docs/benchmarks.md records the runs.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
PY="$ROOT/.venv/bin/python"
PGURL=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432}
DB=salesperf_bench_load
PORT=${BENCH_PORT:-$("$PY" -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-32}
KEEP=0
[ "${1:-}" = "--keep" ] && KEEP=1

# shellcheck source=bench/load_common.sh
source "$ROOT/bench/load_common.sh"
require_wrk
export_production_env

if [ "${REUSE:-0}" = "1" ] && psql "$PGURL/$DB" -q -c "select 1" >/dev/null 2>&1; then
  echo "== reusing $DB"
else
  seed_scratch_db
fi
TOKEN=$("$PY" manage.py shell -v 0 -c "from rest_framework.authtoken.models import Token; from django.contrib.auth import get_user_model; Token.objects.filter(user__username='rep1').delete(); print(Token.objects.create(user=get_user_model().objects.get(username='rep1')).key)")
SESSION=$("$PY" manage.py shell -v 0 -c "from django.conf import settings; from django.contrib.auth import get_user_model; from django.test import Client; c = Client(); c.force_login(get_user_model().objects.get(username='manager1')); print(c.cookies[settings.SESSION_COOKIE_NAME].value)")
COOKIE="sessionid=$SESSION"
# DEBUG=0 serves the hashed static files, as in production: collect them first.
"$PY" manage.py collectstatic --noinput -v 0

echo "== gunicorn, 4 workers, 127.0.0.1:$PORT"
"$ROOT/.venv/bin/gunicorn" salesperf.wsgi -w 4 -b "127.0.0.1:$PORT" --log-level warning &
GUNICORN_PID=$!
for _ in $(seq 1 100); do
  curl -fsS -o /dev/null -H "Authorization: Token $TOKEN" "http://127.0.0.1:$PORT/api/v1/activities/" 2>/dev/null && break
  sleep 0.2
done
# Both targets must answer 200 (not a redirect to the login page) before they are timed.
for target in "dashboard/|Cookie: $COOKIE" "api/v1/activities/|Authorization: Token $TOKEN"; do
  code=$(curl -sS -o /dev/null -w '%{http_code}' -H "${target#*|}" "http://127.0.0.1:$PORT/${target%%|*}")
  if [ "$code" != "200" ]; then echo "FAILED: /${target%%|*} answers $code before the run" >&2; exit 1; fi
done

report() {  # name, wrk output file; prints one line, returns 1 if any request failed
  local rps p99 non2xx socket
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$2")
  p99=$(awk '$1 == "99%" {print $2}' "$2")
  non2xx=$(awk -F': ' '/Non-2xx or 3xx responses/ {print $2}' "$2")
  socket=$(awk '/Socket errors:/ {sub(/^ *Socket errors: */, ""); print}' "$2")
  printf '%-24s requests/s %8s   p99 %8s   non-2xx %s   socket errors %s\n' "$1" "$rps" "$p99" "${non2xx:-0}" "${socket:-none}"
  [ -z "$non2xx" ] && [ -z "$socket" ]
}

echo "== wrk: ${DURATION}s, 2 threads, $CONNECTIONS connections each run (load average before: $(cut -d' ' -f1-3 /proc/loadavg))"
wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s --latency -H "Cookie: $COOKIE" \
  "http://127.0.0.1:$PORT/dashboard/" >"$WORK/dashboard.txt"
wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s --latency -H "Authorization: Token $TOKEN" \
  "http://127.0.0.1:$PORT/api/v1/activities/" >"$WORK/list.txt"

echo "== results (load average after: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores; $(date -u +%FT%TZ))"
ok=0
report "GET /dashboard/" "$WORK/dashboard.txt" || ok=1
report "GET /api/v1/activities/" "$WORK/list.txt" || ok=1
print_gunicorn_peak_rss
if [ "$ok" = 0 ]; then echo "errors: none"; else echo "FAILED: some requests failed" >&2; fi
exit "$ok"
