"""What the fault drills need: a real broker (REDIS_URL) and PostgreSQL, else they skip and say why."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

# Nothing listens on port 1: connecting is refused at once, as when Redis is down.
CLOSED_PORT_BROKER = "redis://127.0.0.1:1/0"


def needs_postgres() -> None:
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        pytest.skip(
            "needs a PostgreSQL DATABASE_URL: SQLite allows one writer at a time, and the worker thread needs committed data"
        )


def process_database_url() -> str:
    """The URL of the test database, for an app or worker started as a process of its own."""
    from django.db import connection

    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def needs_redis() -> str:
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("needs REDIS_URL (a Redis broker); CI sets it")
    return url


@contextmanager
def broker_at(url: str) -> Iterator[None]:
    """Point the Celery app (and the health check) at ``url`` for a while, queueing for real."""
    from django.conf import settings

    from salesperf.celery import app

    saved = (app.conf.broker_url, app.conf.task_always_eager, settings.REDIS_URL)

    def switch(broker: str, eager: bool, redis_url: str | None) -> None:
        app.conf.broker_url, app.conf.task_always_eager, settings.REDIS_URL = broker, eager, redis_url
        app._pool = None  # the connection pools are keyed by URL: take new ones
        app.amqp._producer_pool = None

    switch(url, False, url)
    try:
        yield
    finally:
        switch(*saved)
