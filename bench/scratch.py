"""What every benchmark needs: a scratch PostgreSQL database and the COPY floor for activity rows.

The server comes from PGHOST/PGPORT/PGUSER (default 127.0.0.1:5432, postgres, trust auth).
"""

from __future__ import annotations

import io
import os
import time

import psycopg


def _server() -> tuple[str, str, str]:
    return tuple(os.environ.get(k, d) for k, d in (("PGHOST", "127.0.0.1"), ("PGPORT", "5432"), ("PGUSER", "postgres")))  # type: ignore[return-value]


def dsn(name: str) -> str:
    """A libpq connection string for database ``name`` on the benchmark server."""
    host, port, user = _server()
    return f"host={host} port={port} user={user} dbname={name}"


def database_url(name: str) -> str:
    """The ``DATABASE_URL`` that points the app at database ``name``."""
    host, port, user = _server()
    return f"postgres://{user}@{host}:{port}/{name}"


def create_database(name: str) -> str:
    """Drop and create ``name``; return its ``DATABASE_URL``."""
    with psycopg.connect(dsn("postgres"), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    return database_url(name)


def drop_database(name: str) -> None:
    with psycopg.connect(dsn("postgres"), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def copy_activities_floor(name: str) -> tuple[int, float]:
    """COPY every row of ``reps_activity`` into a twin table: (rows, seconds), the floor for writing them."""
    with psycopg.connect(dsn(name), autocommit=True) as conn:
        buffer = io.BytesIO()
        with conn.cursor().copy("COPY reps_activity TO STDOUT") as copy:
            for data in copy:
                buffer.write(data)
        rows = conn.execute("SELECT count(*) FROM reps_activity").fetchone()[0]  # type: ignore[index]
        # The same columns, indexes and constraints (foreign keys are not copied by LIKE).
        conn.execute("DROP TABLE IF EXISTS bench_activity_copy")
        conn.execute("CREATE TABLE bench_activity_copy (LIKE reps_activity INCLUDING ALL)")
        started = time.perf_counter()
        with conn.cursor().copy("COPY bench_activity_copy FROM STDIN") as copy:
            copy.write(buffer.getvalue())
        return rows, time.perf_counter() - started
