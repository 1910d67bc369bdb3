"""What every benchmark needs: a scratch PostgreSQL database and the COPY floor for activity rows.

The server comes from PGHOST/PGPORT/PGUSER (default 127.0.0.1:5432, postgres, trust auth).
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
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
    # The rows go through a temporary file, not memory: a million of them are about 150 MB.
    with psycopg.connect(dsn(name), autocommit=True) as conn, tempfile.TemporaryFile() as dump:
        with conn.cursor().copy("COPY reps_activity TO STDOUT") as copy:
            for data in copy:
                dump.write(data)
        rows = conn.execute("SELECT count(*) FROM reps_activity").fetchone()[0]  # type: ignore[index]
        # The same columns, indexes and constraints (foreign keys are not copied by LIKE).
        conn.execute("DROP TABLE IF EXISTS bench_activity_copy")
        conn.execute("CREATE TABLE bench_activity_copy (LIKE reps_activity INCLUDING ALL)")
        dump.seek(0)
        started = time.perf_counter()
        with conn.cursor().copy("COPY bench_activity_copy FROM STDIN") as copy:
            while chunk := dump.read(1 << 20):
                copy.write(chunk)
        return rows, time.perf_counter() - started


def add_scale_arguments(parser: argparse.ArgumentParser) -> None:
    """``--scale`` and the sizes it sets: 1 is 200 reps in 20 teams, 1 M activities, 100 k opportunities."""
    parser.add_argument(
        "--scale", type=float, default=1.0, help="size of the organisation: 10 is 2,000 reps in 200 teams, 10 M activities"
    )
    parser.add_argument("--reps", type=int, help="reps (default 200 × scale)")
    parser.add_argument("--teams", type=int, help="teams (default 20 × scale)")
    parser.add_argument("--activities", type=int, help="activities (default 1,000,000 × scale)")
    parser.add_argument("--opportunities", type=int, help="opportunities (default 100,000 × scale)")


def resolve_scale(args: argparse.Namespace) -> None:
    """Fill the sizes ``--scale`` implies where they were not given."""
    if args.scale <= 0:
        raise SystemExit("--scale must be positive")
    for name, unit in (("reps", 200), ("teams", 20), ("activities", 1_000_000), ("opportunities", 100_000)):
        if getattr(args, name) is None:
            setattr(args, name, max(1, round(unit * args.scale)))


def peak_rss() -> str:
    """Peak resident memory of this process and of its finished children (Linux: ru_maxrss is in KiB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return f"peak RSS: this process {own:.0f} MiB, largest child process {children:.0f} MiB"


def database_size(name: str) -> tuple[int, int]:
    """(bytes of database ``name``, bytes of the activity table with its indexes and TOAST)."""
    with psycopg.connect(dsn(name), autocommit=True) as conn:
        row = conn.execute("SELECT pg_database_size(current_database()), pg_total_relation_size('reps_activity')").fetchone()
        assert row is not None
        return int(row[0]), int(row[1])


def print_database_size(name: str, activities: int) -> None:
    total, table = database_size(name)
    millions = max(activities, 1) / 1_000_000
    print(
        f"database size: {total / 2**20:.0f} MiB ({total / 2**20 / millions:.0f} MiB per million activities);"
        f" the activity table with its indexes {table / 2**20:.0f} MiB ({table / 2**20 / millions:.0f} MiB per million)",
        flush=True,
    )
