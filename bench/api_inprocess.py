"""CPU time per request of the API floor, the activity list and the activity POST, in process.

    DATABASE_URL=postgres://…/salesperf_bench_api python bench/api_inprocess.py [--requests 300] [--rounds 5]

The companion of bench/api_load.sh for a shared machine: wrk's requests/s move with whatever
else runs, while the CPU time one process spends on a request (``time.process_time``, Django's
whole handler with its middleware, through the test client, DEBUG off) hardly does. Runs the
three endpoints in turn for ``--rounds`` rounds of ``--requests`` requests each, as rep1 with a
token (the database seeded by ``seed_demo``, e.g. by ``bench/api_load.sh --keep``), and prints
the median per request of each, the list's cost as a multiple of the floor's (target ≤ 1.6×),
and the SQL queries each request makes. The POSTs add activities to rep1, as the load test does.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.api_floor_settings"
for name, value in {
    "DEBUG": "0",
    "ALLOWED_HOSTS": "testserver",
    "SECURE_SSL_REDIRECT": "0",
    "CONN_MAX_AGE": "60",
    "LOG_LEVEL": "WARNING",
}.items():
    os.environ.setdefault(name, value)
os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

POST_BODY = {"kind": "call", "status": "done", "subject": "Load test call"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--user", default="rep1")
    args = parser.parse_args()

    token = Token.objects.get_or_create(user=get_user_model().objects.get(username=args.user))[0].key
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    calls = {
        "floor": lambda: client.get("/bench/floor/activities/"),
        "list": lambda: client.get("/api/v1/activities/"),
        "post": lambda: client.post("/api/v1/activities/", POST_BODY, format="json"),
    }
    expected = {"floor": 200, "list": 200, "post": 201}
    queries = {}
    for name, call in calls.items():  # warm up, check, count queries
        for _ in range(20):
            assert call().status_code == expected[name], name
        with CaptureQueriesContext(connection) as captured:
            call()
        queries[name] = len(captured)
    per_request: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(args.rounds):
        for name, call in calls.items():
            start = time.process_time()
            for _ in range(args.requests):
                call()
            per_request[name].append((time.process_time() - start) / args.requests * 1000)
    medians = {name: statistics.median(times) for name, times in per_request.items()}
    print(f"load average: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
    for name in calls:
        rounds = " ".join(f"{t:.2f}" for t in per_request[name])
        print(f"{name:6s} CPU {medians[name]:6.2f} ms/request (rounds: {rounds})  queries {queries[name]}")
    print(f"list / floor: {medians['list'] / medians['floor']:.2f}x (target <= 1.6x)")


if __name__ == "__main__":
    main()
