"""Drill: PostgreSQL drops the app's connections (pg_terminate_backend) while requests are in
flight; the app recovers on its own, without a restart, and no acknowledged write is lost.

The app runs as in production: gunicorn (2 workers x 4 threads) with kept connections
(CONN_MAX_AGE=60). Six clients log activities and read the list while every connection of
the app is terminated three times. A request caught mid-flight may fail; every request that
starts afterwards succeeds (a dropped kept connection is replaced at the start of the next
request, CONN_HEALTH_CHECKS), every write answered 201 is in the database, and no write
that answered an error was saved (so a user who retries makes no duplicate).
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token

from reps.models import Activity
from tests.factories import RepFactory
from tests.faults.conftest import needs_postgres, process_database_url

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
CLIENTS = 6


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _terminate_app_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )
        return cursor.fetchone()[0]


def test_the_app_recovers_from_dropped_connections_and_keeps_every_acknowledged_write(tmp_path):
    needs_postgres()
    rep = RepFactory()
    token = Token.objects.create(user=rep.user).key
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k != "REDIS_URL"},  # KPI work runs in the web process
        "DATABASE_URL": process_database_url(),
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "CONN_MAX_AGE": "60",
        "LOG_LEVEL": "WARNING",
    }
    log = tmp_path / "gunicorn.log"
    command = [sys.executable, "-m", "gunicorn", "salesperf.wsgi", "-w", "2", "--threads", "4", "-b", f"127.0.0.1:{port}"]
    with log.open("wb") as out:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    path = "/api/v1/activities/"
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    results: list[tuple[float, str, int, str]] = []  # (started, method, status, subject)
    stop = threading.Event()

    def call(method: str, body: dict | None = None) -> int:
        """One request on a new connection; 0 if it got no answer at all."""
        http_connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            http_connection.request(method, path, body=json.dumps(body) if body else None, headers=headers)
            response = http_connection.getresponse()
            response.read()
            return response.status
        except (OSError, http.client.HTTPException):
            return 0
        finally:
            http_connection.close()

    def client(n: int) -> None:
        i = 0
        while not stop.is_set():
            i += 1
            started = time.monotonic()
            if i % 3:
                subject = f"drill {n}-{i}"
                status = call("POST", {"kind": "call", "status": "done", "subject": subject})
                results.append((started, "POST", status, subject))
            else:
                results.append((started, "GET", call("GET"), ""))

    try:
        deadline = time.monotonic() + 30
        while call("GET") != 200:
            if time.monotonic() > deadline:
                pytest.fail("gunicorn did not start: " + log.read_text()[-2000:])
            time.sleep(0.3)

        threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
        for thread in threads:
            thread.start()
        time.sleep(1.5)
        terminated = 0
        for _ in range(3):
            time.sleep(0.7)
            terminated += _terminate_app_connections()
        last_kill = time.monotonic()  # every kept connection of the app is dead now
        time.sleep(4)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        stop.set()
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()

    assert terminated >= 3, "the drill dropped no connection"
    after = [r for r in results if r[0] > last_kill]
    assert len(after) >= 5 and all(status in (200, 201) for _, _, status, _ in after), (
        sorted({status for _, _, status, _ in after}),
        log.read_text()[-3000:],
    )
    acknowledged = {subject for _, method, status, subject in results if method == "POST" and status == 201}
    failed = {subject for _, method, status, subject in results if method == "POST" and status != 201}
    saved = set(Activity.objects.filter(owner=rep).values_list("subject", flat=True))
    assert acknowledged <= saved, f"acknowledged writes lost: {sorted(acknowledged - saved)[:5]}"
    assert not (failed & saved), f"saved writes that answered an error: {sorted(failed & saved)[:5]}"
    assert Activity.objects.filter(owner=rep).count() == len(saved)  # one row per write, no duplicate
