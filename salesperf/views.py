"""Project-level views that belong to no app."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

# The worker records a heartbeat every minute; older than this, /healthz/ says "degraded".
WORKER_STALE_SECONDS = 300


def _database_up() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # any database failure means the app cannot serve
        logger.warning("health check: database unreachable", exc_info=True)
        return False
    return True


def _broker_state() -> str:
    """ "up", "down", or "eager" (no REDIS_URL: tasks run in the web process)."""
    if not settings.REDIS_URL:
        return "eager"
    import redis

    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
        try:
            client.ping()
        finally:
            client.close()
    except Exception:
        return "down"
    return "up"


def _worker_age() -> int | None:
    """Seconds since a worker's last heartbeat; None when none was ever recorded."""
    from kpis.models import WorkerHeartbeat

    try:
        beat = WorkerHeartbeat.objects.order_by("-beat_at").values_list("beat_at", flat=True).first()
    except Exception:  # e.g. not migrated yet: the database answers, the heartbeat is unknown
        logger.warning("health check: cannot read the worker heartbeat", exc_info=True)
        return None
    return None if beat is None else max(0, int((timezone.now() - beat).total_seconds()))


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and container probes: 503 only when the database is down.

    A broker that is down does not make the app unhealthy (every write is kept and its
    background work runs once the broker is back), so it answers 200 with ``"broker": "down"``
    and the status "degraded"; so does a worker whose heartbeat is older than five minutes.
    """
    if not _database_up():
        body: dict[str, Any] = {"status": "error", "database": "down", "broker": _broker_state(), "worker": None}
        return JsonResponse(body, status=503)
    broker = _broker_state()
    worker = None if broker == "eager" else _worker_age()
    degraded = broker == "down" or (broker == "up" and (worker is None or worker > WORKER_STALE_SECONDS))
    body = {"status": "degraded" if degraded else "ok", "database": "up", "broker": broker, "worker": worker}
    return JsonResponse(body)


class HealthCheckMiddleware:
    """Answers /healthz/ before the SSL redirect and the host check, so that probes from inside
    the container network (plain HTTP, any Host header) reach it behind TLS."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == "/healthz/":
            return healthz(request)
        return self.get_response(request)
