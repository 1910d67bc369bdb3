"""Connection pooling from the environment: psycopg's pool (DATABASE_POOL) and PgBouncer's
transaction mode (DATABASE_PGBOUNCER); docs/scaling.md, "Connection pooling"."""

from __future__ import annotations

import os
import socket
import subprocess
import time

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from salesperf import envcheck
from tests.test_settings import run_manage

POSTGRES = {"ENGINE": "django.db.backends.postgresql", "NAME": "salesperf", "CONN_MAX_AGE": 0}


@pytest.fixture(autouse=True)
def _no_pooling_variables(monkeypatch):
    for name in ("DATABASE_POOL", "DATABASE_PGBOUNCER", "DATABASE_POOL_MIN_SIZE", "DATABASE_POOL_MAX_SIZE"):
        monkeypatch.delenv(name, raising=False)


def test_without_the_variables_nothing_changes():
    config = dict(POSTGRES)
    envcheck.apply_database_pooling(config)
    assert config == {**POSTGRES, "OPTIONS": {}}


def test_database_pool_turns_on_psycopgs_pool_with_its_sizes(monkeypatch):
    monkeypatch.setenv("DATABASE_POOL", "1")
    monkeypatch.setenv("DATABASE_POOL_MAX_SIZE", "4")
    config = dict(POSTGRES)
    envcheck.apply_database_pooling(config)
    assert config["OPTIONS"] == {"pool": {"min_size": 2, "max_size": 4, "timeout": 10}}


@pytest.mark.parametrize(
    ("variables", "config", "message"),
    [
        ({"DATABASE_POOL": "1"}, {"ENGINE": "django.db.backends.sqlite3"}, "DATABASE_POOL: needs a PostgreSQL DATABASE_URL"),
        ({"DATABASE_PGBOUNCER": "1"}, {"ENGINE": "django.db.backends.sqlite3"}, "DATABASE_PGBOUNCER: needs a PostgreSQL"),
        ({"DATABASE_POOL": "1"}, {**POSTGRES, "CONN_MAX_AGE": 60}, "CONN_MAX_AGE: must be 0 with DATABASE_POOL=1"),
        (
            {"DATABASE_POOL": "1", "DATABASE_POOL_MIN_SIZE": "5", "DATABASE_POOL_MAX_SIZE": "3"},
            POSTGRES,
            "DATABASE_POOL_MAX_SIZE: must be at least DATABASE_POOL_MIN_SIZE",
        ),
        ({"DATABASE_POOL": "maybe"}, POSTGRES, "DATABASE_POOL: "),
    ],
)
def test_a_pooling_setting_that_cannot_work_is_refused(monkeypatch, variables, config, message):
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=f"^{message}"):
        envcheck.apply_database_pooling(dict(config))


def test_pgbouncer_mode_turns_off_what_needs_a_session_of_its_own(monkeypatch):
    monkeypatch.setenv("DATABASE_PGBOUNCER", "1")
    config = dict(POSTGRES)
    envcheck.apply_database_pooling(config)
    assert config["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert config["OPTIONS"] == {"prepare_threshold": None}


CHECK = (
    "from django.db import connection as c; from reps.models import Rep;"
    " c.ensure_connection(); print(type(c.pool).__name__ if c.pool else None, c.pool and c.pool.max_size,"
    " c.connection.prepare_threshold, c.settings_dict.get('DISABLE_SERVER_SIDE_CURSORS'),"
    " sum(1 for _ in Rep.objects.iterator(chunk_size=2)) >= 0)"
)


@pytest.mark.django_db
def test_the_app_runs_queries_through_the_pool_and_in_pgbouncer_mode():
    if connection.vendor != "postgresql":
        pytest.skip("needs a PostgreSQL DATABASE_URL: the pool and PgBouncer are PostgreSQL's")
    s = connection.settings_dict
    url = f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    pooled = run_manage("shell", "-c", CHECK, DATABASE_URL=url, DATABASE_POOL="1", DATABASE_POOL_MAX_SIZE="3")
    assert pooled.stdout.strip().splitlines()[-1] == "ConnectionPool 3 None None True", pooled.stderr
    bouncer = run_manage("shell", "-c", CHECK, DATABASE_URL=url, DATABASE_PGBOUNCER="1")
    assert bouncer.stdout.strip().splitlines()[-1] == "None None None True True", bouncer.stderr


SESSIONS = "from django.conf import settings as s; print(s.SESSION_ENGINE)"


def test_sessions_stay_in_the_database_unless_a_shared_cache_is_asked_for():
    assert run_manage("shell", "-c", SESSIONS).stdout.strip().splitlines()[-1] == "django.contrib.sessions.backends.db"
    cached = run_manage("shell", "-c", SESSIONS, SESSION_STORE="cached_db", CACHE_URL="redis://127.0.0.1:6379/9")
    assert cached.stdout.strip().splitlines()[-1] == "django.contrib.sessions.backends.cached_db", cached.stderr
    refused = run_manage("check", SESSION_STORE="cache")
    assert "SESSION_STORE: 'cache' needs CACHE_URL" in refused.stderr
    assert "SESSION_STORE: expected one of db, cached_db, cache, got 'files'" in run_manage("check", SESSION_STORE="files").stderr


PGBOUNCER = "/usr/sbin/pgbouncer"
THROUGH_PGBOUNCER = (
    "from django.core.management import call_command; from django.db import transaction;"
    " from kpis.services import kpi_recompute; from kpis.models import KpiDay, KpiRun; from reps.models import Activity;"
    " n = sum(1 for _ in Activity.objects.iterator(chunk_size=1));"
    " exec('with transaction.atomic():\\n m = sum(1 for _ in Activity.objects.iterator(chunk_size=1))');"
    " kpi_recompute(); kpi_recompute();"
    " call_command('recompute_kpis', '--parallel', '2', '--no-progress');"
    " print(n, m, KpiDay.objects.count(), KpiRun.objects.get().shards)"
)


@pytest.fixture
def pgbouncer(tmp_path):
    """PgBouncer in transaction mode in front of the test server, on a port of its own; stopped afterwards."""
    if connection.vendor != "postgresql":
        pytest.skip("needs a PostgreSQL DATABASE_URL")
    if not os.path.exists(PGBOUNCER):
        pytest.skip("needs PgBouncer (apt-get install pgbouncer); .ci/run installs it")
    s = connection.settings_dict
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    (tmp_path / "users.txt").write_text(f'"{s["USER"]}" ""\n')
    (tmp_path / "pgbouncer.ini").write_text(
        f"[databases]\n* = host={s['HOST'] or '127.0.0.1'} port={s['PORT'] or 5432}\n"
        f"[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {tmp_path / 'users.txt'}\npool_mode = transaction\n"
        "default_pool_size = 2\nmax_client_conn = 50\n"
    )
    tmp_path.chmod(0o755)
    user = ["-u", "postgres"] if os.geteuid() == 0 else []  # PgBouncer refuses to run as root
    process = subprocess.Popen([PGBOUNCER, *user, str(tmp_path / "pgbouncer.ini")], stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"PgBouncer did not start: {process.stderr.read() if process.poll() is not None else ''}")
                time.sleep(0.1)
        yield f"postgres://{s['USER']}@127.0.0.1:{port}/{s['NAME']}"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.django_db(transaction=True)
def test_the_app_works_through_pgbouncer_in_transaction_mode(pgbouncer, rep, other_rep):
    from tests.kpis.kpi_helpers import done

    done(rep, "call", "2025-03-04")
    done(other_rep, "email", "2025-03-05")
    # Iterators (no server-side cursor), the recompute's transaction-scoped advisory locks and a
    # sharded run, each statement possibly on another server connection of a pool of two.
    result = run_manage("shell", "-c", THROUGH_PGBOUNCER, DATABASE_URL=pgbouncer, DATABASE_PGBOUNCER="1")
    assert result.stdout.strip().splitlines()[-1] == "2 2 2 2", result.stderr
