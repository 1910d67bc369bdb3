"""An admin's upload runs on a real Celery worker (Redis broker, PostgreSQL) and its page follows it."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from imports.models import ImportJob, ImportStatus
from kpis.models import KpiDay
from reps.models import Opportunity
from tests.factories import PASSWORD, AdminFactory
from tests.imports.test_upload_views import _uploads
from tests.kpis.test_worker import _needs_redis_and_postgres


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_an_uploaded_import_runs_on_the_worker_and_the_status_endpoint_follows_it(client, example_dir, settings, tmp_path):
    _needs_redis_and_postgres()
    from celery.contrib.testing.worker import start_worker

    from salesperf.celery import app

    assert not app.conf.task_always_eager
    settings.MEDIA_ROOT = tmp_path / "media"
    admin = AdminFactory()
    client.login(username=admin.username, password=PASSWORD)
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        response = client.post(reverse("import_upload"), {"format": "salesperf", "files": _uploads(example_dir)})
        job = ImportJob.objects.get()
        assert response.status_code == 302 and response["Location"] == reverse("import_job", args=[job.pk])
        status: dict = {}
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            status = client.get(reverse("import_job_status", args=[job.pk])).json()
            if status["finished"]:
                break
            time.sleep(0.3)
    assert status["status"] == ImportStatus.SUCCEEDED and status["percent"] == 100
    assert Opportunity.objects.count() == 4
    assert KpiDay.objects.exists()  # the import recomputed the KPI rows on the worker too
    assert "The import is saved." in client.get(reverse("import_job", args=[job.pk])).content.decode()
