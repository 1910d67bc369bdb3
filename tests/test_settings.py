"""Settings read from the environment: defaults, bad values named, production checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from salesperf import envcheck

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=60
    )


def test_without_database_url_it_uses_a_sqlite_file(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    config = envcheck.read_database("DATABASE_URL", default_sqlite=ROOT / "db.sqlite3")
    assert config == {"ENGINE": "django.db.backends.sqlite3", "NAME": str(ROOT / "db.sqlite3")}


def test_a_postgres_url_is_parsed(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://app:pw@db:5432/salesperf")
    config = envcheck.read_database("DATABASE_URL", default_sqlite=ROOT / "x")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["NAME"], config["HOST"], config["PORT"], config["USER"]) == ("salesperf", "db", 5432, "app")


@pytest.mark.parametrize(
    ("name", "value", "reader"),
    [
        ("DATABASE_URL", "mysql://x/y", lambda: envcheck.read_database("DATABASE_URL", default_sqlite=ROOT)),
        ("DATABASE_URL", "postgres://host:5432", lambda: envcheck.read_database("DATABASE_URL", default_sqlite=ROOT)),
        ("REDIS_URL", "http://localhost", lambda: envcheck.read_redis_url("REDIS_URL")),
        ("DEBUG", "maybe", lambda: envcheck.read_bool("DEBUG", default=True)),
        ("SALESPERF_TIME_ZONE", "Mars/Olympus", lambda: envcheck.read_time_zone("SALESPERF_TIME_ZONE", default="UTC")),
        ("SALESPERF_CURRENCY", "euro", lambda: envcheck.read_currency("SALESPERF_CURRENCY", default="EUR")),
    ],
)
def test_a_bad_value_names_the_variable(monkeypatch, name, value, reader):
    monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=f"^{name}: "):
        reader()


def test_production_needs_a_long_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ImproperlyConfigured, match=r"^SECRET_KEY: must be set"):
        envcheck.read_secret_key("SECRET_KEY", debug=False)
    monkeypatch.setenv("SECRET_KEY", "short")
    with pytest.raises(ImproperlyConfigured, match=r"^SECRET_KEY: must be at least 50"):
        envcheck.read_secret_key("SECRET_KEY", debug=False)


def test_a_bad_setting_stops_the_start_with_the_variable_name():
    result = run_manage("check", DATABASE_URL="mysql://nowhere/db")
    assert result.returncode != 0
    assert "DATABASE_URL: unsupported scheme 'mysql'" in result.stderr


PRODUCTION_SECRET = "s" * 20 + "-production-secret-key-" + "k" * 20


@pytest.mark.parametrize(
    "production",
    [
        {},  # the defaults of DEBUG=0: HTTPS redirect, HSTS, secure cookies
        {  # behind Caddy as docker-compose.tls.yml starts it (README, "Running behind TLS")
            "DATABASE_URL": "postgres://salesperf:secret@postgres:5432/salesperf",
            "REDIS_URL": "redis://redis:6379/0",
            "CACHE_URL": "redis://redis:6379/1",
            "CSRF_TRUSTED_ORIGINS": "https://sales.example.com",
            "SECURE_SSL_REDIRECT": "1",
            "NUM_PROXIES": "1",
        },
    ],
    ids=["defaults", "tls-compose"],
)
def test_production_settings_pass_the_deploy_check(production):
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY=PRODUCTION_SECRET,
        ALLOWED_HOSTS="sales.example.com",
        **production,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues (0 silenced)." in result.stdout, result.stdout


def test_without_redis_celery_runs_eagerly_and_with_it_uses_the_broker():
    eager = run_manage("shell", "-c", "from django.conf import settings; print(settings.CELERY_TASK_ALWAYS_EAGER)")
    assert eager.stdout.strip().endswith("True"), eager.stderr
    broker = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.CELERY_TASK_ALWAYS_EAGER, settings.CELERY_BROKER_URL)",
        REDIS_URL="redis://127.0.0.1:6379/3",
    )
    assert broker.stdout.strip().endswith("False redis://127.0.0.1:6379/3"), broker.stderr


def test_a_lost_task_comes_back_within_minutes():
    # acks_late + the visibility timeout: a message a dead worker took is delivered again.
    shown = run_manage(
        "shell",
        "-c",
        "from django.conf import settings as s; o = s.CELERY_BROKER_TRANSPORT_OPTIONS;"
        " print(s.CELERY_TASK_ACKS_LATE, s.CELERY_TASK_REJECT_ON_WORKER_LOST,"
        " o['visibility_timeout'], o['unacked_restore_interval'])",
    )
    assert shown.stdout.strip().endswith("True True 600 10"), shown.stderr
    bad = run_manage("check", TASK_VISIBILITY_TIMEOUT="ten minutes")
    assert bad.returncode != 0 and "TASK_VISIBILITY_TIMEOUT: expected a whole number" in bad.stderr
