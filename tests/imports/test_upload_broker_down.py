"""An upload made while the broker is down is kept, waits, and runs once the broker is back."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from imports import services, tasks
from imports.models import ImportJob, ImportStatus
from reps.models import Opportunity
from tests.imports.test_upload_views import _login, _uploads

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_an_upload_is_kept_while_the_broker_is_down_and_runs_once_it_is_back(
    client, admin_user, example_dir, recompute_calls, monkeypatch, django_capture_on_commit_callbacks
):
    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:1. Connection refused.")

    _login(client, admin_user)
    with monkeypatch.context() as down:
        down.setattr(tasks.import_job_run, "delay", refuse)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("import_upload"), {"format": "salesperf", "files": _uploads(example_dir)})
        job = ImportJob.objects.get()
        assert response.status_code == 302 and response["Location"] == reverse("import_job", args=[job.pk])
        assert job.status == ImportStatus.PENDING and not Opportunity.objects.exists()
        assert services.import_jobs_requeue(now=timezone.now() + dt.timedelta(minutes=10)) == 0  # still down

    assert services.import_jobs_requeue() == 0  # a job just queued is left to its own message
    assert services.import_jobs_requeue(now=timezone.now() + dt.timedelta(minutes=10)) == 1
    job.refresh_from_db()
    assert job.status == ImportStatus.SUCCEEDED
    assert Opportunity.objects.count() == 4


def test_a_job_queued_twice_runs_once(admin_user, recompute_calls):
    job = ImportJob.objects.create(format="salesperf", directory="", status=ImportStatus.RUNNING)
    assert services.import_job_run(job_id=job.pk).status == ImportStatus.RUNNING  # another run holds it
    assert recompute_calls == []
    assert services.import_job_run(job_id=job.pk, redelivered=True).status == ImportStatus.FAILED  # its worker died


def test_a_message_back_while_its_import_still_runs_does_not_run_it_twice(admin_user, recompute_calls):
    # An import longer than the visibility timeout: its message comes back while the run is alive.
    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("the run's lock is a PostgreSQL advisory lock; SQLite has one writer and no second worker")
    job = ImportJob.objects.create(format="salesperf", directory="", status=ImportStatus.RUNNING)
    alive = connections.create_connection("default")  # the first run, still importing
    try:
        with alive.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [services._JOB_LOCK_SPACE, job.pk])
        with pytest.raises(services.ImportJobBusy):
            services.import_job_run(job_id=job.pk, redelivered=True)
        assert services.import_job_run(job_id=job.pk).status == ImportStatus.RUNNING
        job.refresh_from_db()
        assert job.status == ImportStatus.RUNNING and recompute_calls == []
    finally:
        alive.close()  # the first run's worker died: its lock goes with its connection
    _wait_until_the_server_released(services._JOB_LOCK_SPACE, job.pk)
    # The task looks again later (resume): the run died, so this one runs the job.
    assert services.import_job_run(job_id=job.pk, redelivered=True).status == ImportStatus.FAILED


def test_the_task_looks_again_later_while_the_import_still_runs(monkeypatch):
    def busy(*, job_id, redelivered):
        assert redelivered
        raise services.ImportJobBusy(job_id)

    retried = {}

    def retry(**kwargs):
        retried.update(kwargs)
        return RuntimeError("retry")

    monkeypatch.setattr(services, "import_job_run", busy)
    monkeypatch.setattr(tasks.import_job_run, "retry", retry)
    with pytest.raises(RuntimeError):
        tasks.import_job_run.run(job_id=5, resume=True)
    assert retried["kwargs"] == {"job_id": 5, "resume": True} and retried["countdown"] == tasks.BUSY_RETRY_SECONDS


@pytest.mark.django_db(transaction=True)
def test_an_import_whose_database_connection_drops_ends_failed_not_running(tmp_path, monkeypatch):
    # The import's transaction drops the dead connection on rollback; the job's end is saved on a new one.
    from django.db import connection

    from imports.formats import FORMATS

    if connection.vendor != "postgresql":
        pytest.skip("drops the connection with PostgreSQL's pg_terminate_backend")

    def dropped(directory, *, report, progress):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")

    job = ImportJob.objects.create(format="salesperf", directory=str(tmp_path), status=ImportStatus.PENDING)
    monkeypatch.setattr(FORMATS["salesperf"], "run", dropped)
    services.import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and job.finished_at is not None
    assert "nothing was saved" in job.summary["errors"][0]["reason"]


def _wait_until_the_server_released(space: int, key: int) -> None:
    """The server ends a closed connection's backend, and frees its locks, a moment after the
    client has gone: wait for that instead of racing it."""
    from django.db import connection

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = %s AND objid = %s",
                [space, key],
            )
            if cursor.fetchone()[0] == 0:
                return
        time.sleep(0.05)
    raise AssertionError("the closed connection's advisory lock was never released")
