"""Small typed readers for environment settings.

Each reader names the variable in the error it raises, so a bad value stops the start with a
message an operator can act on (``ImproperlyConfigured: DATABASE_URL: ...``).
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import environ
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
_DATABASE_SCHEMES = {"sqlite", "postgres", "postgresql", "pgsql"}
_REDIS_SCHEMES = {"redis", "rediss"}


def fail(name: str, problem: str) -> None:
    raise ImproperlyConfigured(f"{name}: {problem}")


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    return None if value is None else value.strip()


def read_bool(name: str, *, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    fail(name, f"expected 1/0, true/false, yes/no or on/off, got {value!r}")
    raise AssertionError  # unreachable, for type checkers


def read_int(name: str, *, default: int, low: int, high: int) -> int:
    value = _raw(name)
    if not value:
        return default
    if not value.isdigit() or not low <= int(value) <= high:
        fail(name, f"expected a whole number from {low} to {high}, got {value!r}")
    return int(value)


def read_choice(name: str, *, default: str, choices: tuple[str, ...]) -> str:
    value = (_raw(name) or default).lower()
    if value not in choices:
        fail(name, f"expected one of {', '.join(choices)}, got {value!r}")
    return value


def read_list(name: str, *, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def read_secret_key(name: str, *, debug: bool) -> str:
    value = _raw(name)
    if value:
        if not debug and len(value) < 50:
            fail(name, "must be at least 50 characters long when DEBUG=0")
        return value
    if not debug:
        fail(name, "must be set when DEBUG=0 (50+ random characters)")
    # A development key, stable for the life of the process only.
    return "django-insecure-dev-" + secrets.token_urlsafe(40)


def read_database(name: str, *, default_sqlite: Path) -> dict[str, Any]:
    value = _raw(name)
    if not value:
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(default_sqlite)}
    scheme = urlparse(value).scheme
    if scheme not in _DATABASE_SCHEMES:
        fail(name, f"unsupported scheme {scheme!r}; use postgres://user@host:port/db or sqlite:///path")
    try:
        config = environ.Env.db_url_config(value)
    except Exception as exc:  # environ raises several types for malformed URLs
        fail(name, f"cannot parse {value!r}: {exc}")
        raise AssertionError from exc
    if scheme != "sqlite" and not config.get("NAME"):
        fail(name, "names no database; add /dbname at the end of the URL")
    return config


def _is_postgres(config: dict[str, Any]) -> bool:
    return config.get("ENGINE") == "django.db.backends.postgresql"


def apply_database_pooling(config: dict[str, Any]) -> None:
    """Set the pooling options of a PostgreSQL database ``config`` from the environment.

    - ``DATABASE_POOL=1``: psycopg's connection pool in each process (Django 5.1+), sized by
      ``DATABASE_POOL_MIN_SIZE`` (2), ``DATABASE_POOL_MAX_SIZE`` (10) and ``DATABASE_POOL_TIMEOUT``
      (10 s to wait for a free connection); needs ``CONN_MAX_AGE=0`` (the pool keeps them).
    - ``DATABASE_PGBOUNCER=1``: the server is PgBouncer in transaction mode: no server-side
      cursors (they live in a session, which a transaction-mode pooler does not keep), and no
      prepared statements even if ``server_side_binding`` were turned on (Django's default
      client-side binding prepares none).
    """
    pool = read_bool("DATABASE_POOL", default=False)
    pgbouncer = read_bool("DATABASE_PGBOUNCER", default=False)
    for name, wanted in (("DATABASE_POOL", pool), ("DATABASE_PGBOUNCER", pgbouncer)):
        if wanted and not _is_postgres(config):
            fail(name, "needs a PostgreSQL DATABASE_URL")
    options = config.setdefault("OPTIONS", {})
    if pool:
        if config.get("CONN_MAX_AGE"):
            fail("CONN_MAX_AGE", "must be 0 with DATABASE_POOL=1: the pool keeps the connections open")
        try:
            import psycopg_pool  # noqa: F401  (Django imports it only at the first connection)
        except ImportError:
            fail("DATABASE_POOL", "needs the psycopg-pool package (pip install -r requirements.txt)")
        low = read_int("DATABASE_POOL_MIN_SIZE", default=2, low=0, high=1000)
        high = read_int("DATABASE_POOL_MAX_SIZE", default=10, low=1, high=1000)
        if high < low:
            fail("DATABASE_POOL_MAX_SIZE", f"must be at least DATABASE_POOL_MIN_SIZE ({low}), got {high}")
        timeout = read_int("DATABASE_POOL_TIMEOUT", default=10, low=1, high=600)
        options["pool"] = {"min_size": low, "max_size": high, "timeout": timeout}
    if pgbouncer:
        config["DISABLE_SERVER_SIDE_CURSORS"] = True
        options["prepare_threshold"] = None


def read_replica_url(name: str, *, primary: dict[str, Any]) -> str | None:
    """The URL of a PostgreSQL read replica of ``primary``, or None."""
    value = _raw(name)
    if not value:
        return None
    if not _is_postgres(primary):
        fail(name, "needs a PostgreSQL DATABASE_URL (the replica copies that primary)")
    if urlparse(value).scheme not in _DATABASE_SCHEMES - {"sqlite"}:
        fail(name, f"unsupported scheme {urlparse(value).scheme!r}; use postgres://user@host:port/db")
    return value


def read_redis_url(name: str) -> str | None:
    value = _raw(name)
    if not value:
        return None
    scheme = urlparse(value).scheme
    if scheme not in _REDIS_SCHEMES:
        fail(name, f"unsupported scheme {scheme!r}; use redis://host:port/db")
    return value


def read_time_zone(name: str, *, default: str) -> str:
    value = _raw(name) or default
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        fail(name, f"unknown time zone {value!r}; use an IANA name such as Europe/Budapest")
    return value


def read_currency(name: str, *, default: str) -> str:
    value = (_raw(name) or default).upper()
    if not re.fullmatch(r"[A-Z]{3}", value):
        fail(name, f"expected a three-letter ISO 4217 code such as EUR, got {value!r}")
    return value


def read_email_url(name: str, *, default: str) -> dict[str, Any]:
    """Email settings (EMAIL_BACKEND, EMAIL_HOST, ...) from a URL: consolemail://, smtp+tls://user:pw@host:587."""
    value = _raw(name) or default
    try:
        return environ.Env.email_url_config(value)
    except Exception as exc:  # environ raises KeyError for an unknown scheme
        fail(name, f"cannot parse {value!r}: use consolemail://, smtp://host:25 or smtp+tls://user:password@host:587 ({exc})")
        raise AssertionError from exc
