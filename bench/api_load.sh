#!/usr/bin/env bash
# Load test of the REST API: gunicorn (4 workers) on PostgreSQL, wrk on loopback.
#
#   bash bench/api_load.sh [--keep]
#
# Creates the scratch database salesperf_bench_api (dropped afterwards unless --keep), seeds it
# with seed_demo, serves it with gunicorn and runs wrk for DURATION seconds (default 20) against
#   1. GET  /bench/floor/activities/  (the floor: the same 50 rows, token auth, one SQL query,
#      orjson; bench/api_floor.py, served only under DJANGO_SETTINGS_MODULE=bench.api_floor_settings)
#   2. GET  /api/v1/activities/  (the list a rep sees, first page of 50)
#   3. POST /api/v1/activities/  (log a done call)
# all with token authentication as rep1. Prints requests/s and p99 latency of each run, the
# list's requests/s as a share of the floor's, and the peak RSS of the gunicorn processes.
# Targets (issues 7, 18): the list >= 200 requests/s and >= 60 % of the floor; POST >= 150/s.
# Background KPI work goes to Redis (REDIS_URL, default db 2) as in production; the queued
# tasks are purged at the end. The floor uses orjson (requirements.txt: the activity list's renderer).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
PY="$ROOT/.venv/bin/python"
PGURL=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432}
DB=${BENCH_DB:-salesperf_bench_api}
PORT=${BENCH_PORT:-8765}
DURATION=${DURATION:-20}
CONNECTIONS=${CONNECTIONS:-16}
KEEP=0
[ "${1:-}" = "--keep" ] && KEEP=1

# shellcheck source=bench/load_common.sh
source "$ROOT/bench/load_common.sh"
require_wrk
export_production_env

seed_scratch_db
TOKEN=$("$PY" manage.py shell -v 0 -c "from rest_framework.authtoken.models import Token; from django.contrib.auth import get_user_model; print(Token.objects.get_or_create(user=get_user_model().objects.get(username='rep1'))[0].key)")
export TOKEN
ROWS=$("$PY" manage.py shell -v 0 -c "from reps.models import Activity; print(Activity.objects.filter(owner__user__username='rep1').count(), Activity.objects.count())")
echo "   rep1's activities / all activities: $ROWS"

echo "== gunicorn, 4 workers, 127.0.0.1:$PORT (the app's settings plus the bench-only floor URL)"
DJANGO_SETTINGS_MODULE=bench.api_floor_settings \
  "$ROOT/.venv/bin/gunicorn" salesperf.wsgi -w 4 -b "127.0.0.1:$PORT" --log-level warning &
GUNICORN_PID=$!
for _ in $(seq 1 50); do
  curl -fsS -o /dev/null -H "Authorization: Token $TOKEN" "http://127.0.0.1:$PORT/api/v1/activities/" 2>/dev/null && break
  sleep 0.2
done
curl -fsS -o /dev/null -H "Authorization: Token $TOKEN" "http://127.0.0.1:$PORT/api/v1/activities/"
# the floor answers the same rows as the list's first page (ids, newest first)
"$PY" - "$PORT" "$TOKEN" <<'PY'
import json, sys, urllib.request
port, token = sys.argv[1:]
def ids(path):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"Token {token}"})
    return [row["id"] for row in json.load(urllib.request.urlopen(request))["results"]]
assert ids("/bench/floor/activities/") == ids("/api/v1/activities/"), "the floor must return the list's rows"
PY

cat >"$WORK/post.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Token " .. os.getenv("TOKEN")
wrk.body = '{"kind": "call", "status": "done", "subject": "Load test call"}'
LUA

report() {  # name, wrk output file
  local rps p99 errors
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$2")
  p99=$(awk '$1 == "99%" {print $2}' "$2")
  errors=$(awk -F': ' '/Non-2xx or 3xx responses/ {print $2}' "$2")
  printf '%-28s requests/s %8s   p99 %8s   non-2xx %s\n' "$1" "$rps" "$p99" "${errors:-0}"
}

echo "== wrk: ${DURATION}s, 2 threads, $CONNECTIONS connections each run"
wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -H "Authorization: Token $TOKEN" \
  "http://127.0.0.1:$PORT/bench/floor/activities/" >"$WORK/floor.txt"
wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -H "Authorization: Token $TOKEN" \
  "http://127.0.0.1:$PORT/api/v1/activities/" >"$WORK/list.txt"
wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$WORK/post.lua" \
  "http://127.0.0.1:$PORT/api/v1/activities/" >"$WORK/create.txt"

echo "== results (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
report "GET  floor (bench only)" "$WORK/floor.txt"
report "GET  /api/v1/activities/" "$WORK/list.txt"
report "POST /api/v1/activities/" "$WORK/create.txt"
print_gunicorn_peak_rss
FLOOR_RPS=$(awk '/^Requests\/sec:/ {print $2}' "$WORK/floor.txt")
LIST_RPS=$(awk '/^Requests\/sec:/ {print $2}' "$WORK/list.txt")
POST_RPS=$(awk '/^Requests\/sec:/ {print $2}' "$WORK/create.txt")
awk -v l="$LIST_RPS" -v f="$FLOOR_RPS" -v p="$POST_RPS" 'BEGIN {
  printf "list / floor: %.0f %% (target >= 60 %%): %s\n", 100 * l / f, (l >= 0.6 * f ? "met" : "NOT met")
  printf "list >= 200 requests/s: %s; POST >= 150 requests/s: %s\n", (l >= 200 ? "met" : "NOT met"), (p >= 150 ? "met" : "NOT met")
}'
