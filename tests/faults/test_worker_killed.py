"""Drill: a worker is SIGKILLed in the middle of a KPI recompute; the task comes back.

Killed whole, the worker leaves the message in Redis unacknowledged (acks_late); after the
visibility timeout (TASK_VISIBILITY_TIMEOUT, shortened to a few seconds here) another worker
gets it again. If only the pool process running the task is killed, the worker puts the
message back at once (reject_on_worker_lost) and a new pool process runs it. Either way the
KPI rows are exactly what a serial recompute gives. The worker is a real ``celery worker``
process, so the kill is the kill an operator or the kernel's OOM killer does.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connections
from django.utils import timezone

from kpis import services as kpi_services
from kpis import sql
from kpis.models import KpiDay, PendingRecompute
from reps import services
from reps.models import StageKind
from tests.factories import RepFactory, TeamFactory, make_pipeline
from tests.faults.conftest import needs_postgres, needs_redis, process_database_url

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
VISIBILITY_TIMEOUT = 3  # seconds; 600 in production (docs/operations.md)
ROW = [f.name for f in KpiDay._meta.concrete_fields if f.name not in ("id", "computed_at")]


def _wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def _start_worker(
    redis_url: str, log: Path, pool: str = "solo", visibility_timeout: int = VISIBILITY_TIMEOUT
) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": process_database_url(),  # the test database, with the rows committed above
        "REDIS_URL": redis_url,
        "TASK_VISIBILITY_TIMEOUT": str(visibility_timeout),
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "salesperf",
        "worker",
        "--pool",
        pool,
        "--concurrency",
        "1",
        "--loglevel",
        "INFO",
    ]
    command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    with log.open("ab") as out:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def _rows() -> list[tuple]:
    return sorted(KpiDay.objects.values_list(*ROW))


def _children(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


@pytest.mark.parametrize(
    "killed",
    [
        "worker",  # the whole worker (solo pool): the message comes back after the visibility timeout
        "pool-process",  # the process running the task (prefork pool): its worker rejects the message at once
    ],
)
def test_a_recompute_killed_with_its_worker_runs_again_and_gives_the_serial_rows(tmp_path, killed):
    redis_url = needs_redis()
    needs_postgres()
    import redis

    from salesperf.celery import app

    broker = redis.Redis.from_url(redis_url)
    try:
        broker.ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis at REDIS_URL does not answer: {exc}")
    # Records over a few days for three reps, and the KPI rows a serial recompute gives.
    won = make_pipeline().stages.get(kind=StageKind.WON)
    team = TeamFactory()
    reps = [RepFactory(team=team) for _ in range(3)]
    today = timezone.localdate()
    days = [today - dt.timedelta(days=n) for n in (1, 2, 9)]
    for n, rep in enumerate(reps):
        for day in days:
            at = timezone.make_aware(dt.datetime.combine(day, dt.time(10 + n)))
            services.activity_create(owner=rep, kind="call", status="done", done_at=at)
        deal = services.opportunity_create(owner=rep, name=f"Deal {n}", amount=Decimal("250.00"), created_date=days[-1])
        services.opportunity_move(opportunity=deal, stage=won, close_date=days[n])
    kpi_services.kpi_recompute()
    serial = _rows()
    assert len(serial) >= 9
    # Start from rows that are missing, with nothing else queued or waiting.
    KpiDay.objects.all().delete()
    PendingRecompute.objects.all().delete()
    broker.delete("celery", "unacked", "unacked_index")

    log = tmp_path / "workers.log"
    blocker = connections.create_connection("default")
    first = second = None
    try:
        # Hold the recompute lock so that the first worker stops in the middle of its task.
        with blocker.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [sql._LOCK_KEY])
        app.send_task(
            "kpis.tasks.recompute_rep_days",
            kwargs={"rep_ids": [rep.pk for rep in reps], "days": [day.isoformat() for day in days]},
        )
        if killed == "worker":
            first = _start_worker(redis_url, log)
        else:  # the production timeout: only the rejection can bring the message back in time
            first = _start_worker(redis_url, log, pool="prefork", visibility_timeout=600)

        def recompute_waits() -> bool:
            with blocker.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND wait_event_type = 'Lock' AND wait_event = 'advisory'"
                )
                return cursor.fetchone()[0] > 0

        assert _wait_for(recompute_waits, 20), log.read_text()
        if killed == "worker":
            os.killpg(first.pid, signal.SIGKILL)  # mid-task: no ack, no cleanup
            first.wait(timeout=10)
            assert broker.zcard("unacked_index") == 1  # the message is still in Redis, taken and unacknowledged
        else:
            for child in _children(first.pid):  # the pool process; the worker itself lives on
                os.kill(child, signal.SIGKILL)
        with blocker.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [sql._LOCK_KEY])
        if killed == "worker":
            assert not KpiDay.objects.exists()  # the killed run saved nothing (no worker runs now)
            # Another worker gets the message again once the visibility timeout has passed.
            second = _start_worker(redis_url, log)
        # else: the worker saw its pool process die and put the message back (reject_on_worker_lost)
        assert _wait_for(lambda: _rows() == serial, 25), log.read_text()[-3000:]
        # Nothing left behind: every message (the start-up flushes too) ran and was acknowledged.
        assert _wait_for(lambda: broker.zcard("unacked_index") == 0 and broker.llen("celery") == 0, 15)
    finally:
        blocker.close()
        for worker in (first, second):
            if worker is not None and worker.poll() is None:
                os.killpg(worker.pid, signal.SIGTERM)
                try:
                    worker.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(worker.pid, signal.SIGKILL)
                    worker.wait()
        broker.delete("celery", "unacked", "unacked_index")
