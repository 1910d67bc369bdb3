"""Drill: the broker is unreachable while people keep working, then it comes back.

Down: every write answers success at once, the uploads wait, the pages say the figures may
be stale, and /healthz/ says ``"broker": "down"`` with a 200. Back: the worker runs what the
outbox kept (a back-dated day far outside the nightly window included), the upload runs,
and the figures are exactly what a full recompute gives.
"""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from imports.models import ImportJob, ImportStatus
from kpis import services as kpi_services
from kpis.models import KpiDay, PendingRecompute
from reps.models import Activity, CustomerFeedback
from tests.factories import PASSWORD, AccountFactory, AdminFactory, RepFactory, make_pipeline
from tests.faults.conftest import CLOSED_PORT_BROKER, broker_at, needs_postgres, needs_redis
from tests.imports.conftest import EXAMPLE_DIR
from tests.imports.test_upload_views import _uploads

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _wait_for(condition, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.3)
    return condition()


def test_writes_survive_a_broker_outage_and_every_recompute_runs_once_it_is_back(client, settings, tmp_path):
    redis_url = needs_redis()
    needs_postgres()
    from celery.contrib.testing.worker import start_worker

    from salesperf.celery import app

    settings.MEDIA_ROOT = tmp_path / "media"
    make_pipeline()
    rep = RepFactory()
    account = AccountFactory(owner=rep)
    admin = AdminFactory()
    today = timezone.localdate()
    back_dated = today - dt.timedelta(days=3 * 365)  # the nightly run covers a few weeks only
    days = [back_dated, today - dt.timedelta(days=1), today]

    with broker_at(CLOSED_PORT_BROKER):
        client.login(username=rep.user.username, password=PASSWORD)
        for day in days:
            started = time.monotonic()
            response = client.post(
                "/api/v1/activities/",
                {"kind": "call", "status": "done", "done_at": f"{day.isoformat()}T09:00:00Z"},
                content_type="application/json",
            )
            assert response.status_code == 201, response.content
            assert time.monotonic() - started < 10  # the broker is given up quickly
        response = client.post(reverse("feedback_create", args=[account.pk]), {"date": today.isoformat(), "score": "5"})
        assert response.status_code == 302
        response = client.post(reverse("activity_quick_add"), {"kind": "email", "status": "done", "date": today.isoformat()})
        assert response.status_code == 302
        assert "Figures may be stale since" in client.get(reverse("my_week")).content.decode()

        health = client.get("/healthz/")
        assert health.status_code == 200
        assert health.json()["broker"] == "down" and health.json()["database"] == "up"

        client.login(username=admin.username, password=PASSWORD)
        response = client.post(reverse("import_upload"), {"format": "salesperf", "files": _uploads(EXAMPLE_DIR)})
        assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.PENDING
    assert Activity.objects.filter(owner=rep).count() == 4 and CustomerFeedback.objects.filter(rep=rep).count() == 1
    assert PendingRecompute.objects.count() == 5 and not KpiDay.objects.filter(rep=rep).exists()

    # Minutes later the broker is back and a worker runs; beat sends the periodic tasks.
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(minutes=10))
    with broker_at(redis_url), start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        app.send_task("kpis.tasks.flush_pending_recomputes")
        app.send_task("imports.tasks.requeue_waiting_jobs")
        assert _wait_for(lambda: not PendingRecompute.objects.exists()), list(PendingRecompute.objects.values())
        assert _wait_for(lambda: ImportJob.objects.get(pk=job.pk).is_finished, seconds=120)
        health = client.get("/healthz/").json()
        assert health["broker"] == "up" and health["worker"] is not None and health["worker"] < 60

    assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.SUCCEEDED
    counted = dict(KpiDay.objects.filter(rep=rep).values_list("day", "contacts"))
    assert counted == {back_dated: 1, days[1]: 1, today: 2}
    assert KpiDay.objects.get(rep=rep, day=today).csat_count == 1
    # Exactly what a full recompute gives.
    before = sorted(KpiDay.objects.filter(rep=rep).values_list("day", "contacts", "csat_sum", "csat_count"))
    kpi_services.kpi_recompute(rep_ids=[rep.pk])
    assert sorted(KpiDay.objects.filter(rep=rep).values_list("day", "contacts", "csat_sum", "csat_count")) == before
    client.login(username=rep.user.username, password=PASSWORD)
    assert "Figures may be stale" not in client.get(reverse("my_week")).content.decode()
