"""/healthz/: JSON for container probes; 503 only when the database is down."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.utils import OperationalError
from django.utils import timezone

from kpis import outbox

pytestmark = pytest.mark.django_db


def test_it_works_in_the_embedded_default(client, settings):
    settings.REDIS_URL = None  # no broker: tasks run in the web process
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up", "broker": "eager", "worker": None}


def test_a_broker_that_is_down_is_reported_but_the_app_still_serves(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "up", "broker": "down", "worker": None}


def test_it_gives_the_age_of_the_last_worker_heartbeat(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:6379/10"
    outbox.worker_heartbeat(at=timezone.now() - dt.timedelta(seconds=42))
    body = client.get("/healthz/").json()
    assert 42 <= body["worker"] < 60
    if body["broker"] == "up":  # Redis runs beside the tests in CI
        assert body["status"] == "ok"


def test_a_database_that_is_down_answers_503(client, monkeypatch):
    from salesperf import views

    def down():
        raise OperationalError("connection refused")

    monkeypatch.setattr(views.connection, "cursor", down)
    response = client.get("/healthz/")
    assert response.status_code == 503
    assert response.json()["status"] == "error" and response.json()["database"] == "down"


def test_it_is_exempt_from_the_ssl_redirect_and_the_host_check(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["sales.example.com"]
    # A probe from inside the container network: plain HTTP, the container's address as host.
    response = client.get("/healthz/", HTTP_HOST="10.0.0.7:8000")
    assert response.status_code == 200
    assert response.json()["database"] == "up"
    # Every other page still redirects to HTTPS and checks the host.
    assert client.get("/login/", HTTP_HOST="sales.example.com").status_code == 301
    assert client.get("/login/", HTTP_HOST="10.0.0.7:8000").status_code == 400
