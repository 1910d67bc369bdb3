"""The KPI tasks on a real Celery worker (Redis broker, PostgreSQL), and their delivery settings."""

from __future__ import annotations

import os
import time

import pytest
from django.db import transaction

from kpis import tasks
from kpis.models import KpiDay
from reps import services
from reps.models import ActivityKind, ActivityStatus
from tests.factories import RepFactory
from tests.kpis.kpi_helpers import at, d


def test_the_tasks_are_acknowledged_late():
    # A worker that dies mid-task leaves the message in the queue: it runs again, with the same result.
    for task in (tasks.recompute_rep_days, tasks.recompute_recent_weeks, tasks.recompute_previous_week):
        assert task.acks_late, task.name


@pytest.mark.django_db
def test_a_task_run_twice_gives_the_same_rows(rep, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.activity_create(owner=rep, kind=ActivityKind.CALL, status=ActivityStatus.DONE, done_at=at("2025-03-04"))
    first = list(KpiDay.objects.values("rep", "day", "contacts"))
    tasks.recompute_rep_days.delay(rep_ids=[rep.pk], days=["2025-03-04"])
    tasks.recompute_rep_days.delay(rep_ids=[rep.pk], days=["2025-03-04"])
    assert first == [{"rep": rep.pk, "day": d("2025-03-04"), "contacts": 1}]
    assert list(KpiDay.objects.values("rep", "day", "contacts")) == first


def _needs_redis_and_postgres() -> None:
    if not os.environ.get("REDIS_URL"):
        pytest.skip("needs REDIS_URL (a Redis broker for the worker); CI sets it")
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        pytest.skip("needs a PostgreSQL DATABASE_URL (the worker thread shares the committed data); CI sets it")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_logging_an_activity_updates_the_kpi_rows_through_a_real_worker():
    _needs_redis_and_postgres()
    from celery.contrib.testing.worker import start_worker

    from salesperf.celery import app

    assert not app.conf.task_always_eager
    rep = RepFactory()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        with transaction.atomic():
            services.activity_create(owner=rep, kind=ActivityKind.CALL, status=ActivityStatus.DONE, done_at=at("2025-03-04"))
        # The service enqueued the recompute on commit; the worker picks it up from Redis.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not KpiDay.objects.filter(rep=rep).exists():
            time.sleep(0.2)
        assert list(KpiDay.objects.filter(rep=rep).values_list("day", "contacts")) == [(d("2025-03-04"), 1)]

        with transaction.atomic():
            services.activity_create(owner=rep, kind=ActivityKind.EMAIL, status=ActivityStatus.DONE, done_at=at("2025-03-04", 15))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not KpiDay.objects.filter(rep=rep, contacts=2).exists():
            time.sleep(0.2)
        assert list(KpiDay.objects.filter(rep=rep).values_list("day", "contacts")) == [(d("2025-03-04"), 2)]
