"""recompute_kpis --parallel 2 on a real Celery worker with two worker processes (prefork, -c 2)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django.utils import timezone

from kpis.models import KpiRun
from tests.kpis.test_parallel_recompute import FIXED_NOW, clear_rows, make_history, run, stored_rows

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _test_database_url() -> str:
    """The URL of the test database, for the worker process (it must read what the test wrote)."""
    s = connection.settings_dict
    password = f":{quote(s['PASSWORD'], safe='')}" if s.get("PASSWORD") else ""
    return f"postgres://{quote(s['USER'] or '', safe='')}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def worker_processes():
    """``celery worker -c 2`` in a process of its own, on the test database; stopped afterwards."""
    if not os.environ.get("REDIS_URL"):
        pytest.skip("needs REDIS_URL (a Redis broker the worker processes share); CI sets it")
    if connection.vendor != "postgresql":
        pytest.skip("needs a PostgreSQL DATABASE_URL: the worker processes read the data the test committed")
    from salesperf.celery import app

    app.control.purge()  # nothing left over from another run in this Redis database
    name = f"parallel-test-{os.getpid()}@%h"
    env = {**os.environ, "DATABASE_URL": _test_database_url()}
    command = [sys.executable, "-m", "celery", "-A", "salesperf", "worker", "-c", "2", "--pool", "prefork", "-n", name]
    command += ["--without-gossip", "--without-mingle", "--loglevel", "WARNING"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        hostname = name.replace("%h", os.uname().nodename)
        while not app.control.ping(destination=[hostname], timeout=1):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the worker did not start: {process.stderr.read() if process.poll() is not None else 'timeout'}")
        yield process
    finally:
        process.terminate()  # warm shutdown: the processes finish their task and exit
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_two_worker_processes_write_the_serial_runs_rows(monkeypatch, worker_processes):
    from salesperf.celery import app

    assert not app.conf.task_always_eager
    # The history's own recomputes run here (eagerly), so that no task of theirs races the runs below.
    app.conf.task_always_eager = True
    try:
        make_history()
    finally:
        app.conf.task_always_eager = False
    monkeypatch.setattr(timezone, "now", lambda: FIXED_NOW)  # the run's start: every row's stamp

    clear_rows()
    run()
    serial = stored_rows()
    clear_rows()
    output = run("--parallel", "2", "--timeout", "120")

    assert "in 2 shards" in output
    assert serial["days"] and stored_rows() == serial
    run_row = KpiRun.objects.get()
    assert run_row.finished_at is not None and run_row.rows_written == len(serial["days"])
