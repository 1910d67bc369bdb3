"""Time ``seed_demo`` at 200 reps × 52 weeks on PostgreSQL (target: under a minute).

Usage: python bench/seed_demo.py [--reps 200] [--weeks 52]
Needs a PostgreSQL server (PGHOST/PGPORT/PGUSER, default 127.0.0.1:5432 postgres). It creates
and drops its own database. The baseline, measured in the same run, is a PostgreSQL COPY of
the same activity rows: the floor for putting that many rows into the table.
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
DB = "salesperf_bench_seed"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--weeks", type=int, default=52)
    args = parser.parse_args()

    host, port, user = (os.environ.get(k, d) for k, d in (("PGHOST", "127.0.0.1"), ("PGPORT", "5432"), ("PGUSER", "postgres")))
    admin_dsn = f"host={host} port={port} user={user} dbname=postgres"
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB}")
        conn.execute(f"CREATE DATABASE {DB}")
    env = {**os.environ, "DATABASE_URL": f"postgres://{user}@{host}:{port}/{DB}"}
    env.pop("REDIS_URL", None)
    try:
        manage = [sys.executable, str(ROOT / "manage.py")]
        subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
        started = time.perf_counter()
        subprocess.run(
            [*manage, "seed_demo", "--reps", str(args.reps), "--weeks", str(args.weeks), "--password", "bench", "--seed", "1"],
            env=env,
            check=True,
            cwd=ROOT,
        )
        seed_seconds = time.perf_counter() - started

        with psycopg.connect(f"host={host} port={port} user={user} dbname={DB}", autocommit=True) as conn:
            rows = conn.execute("SELECT count(*) FROM reps_activity").fetchone()[0]
            buffer = io.BytesIO()
            with conn.cursor().copy("COPY reps_activity TO STDOUT") as copy:
                for data in copy:
                    buffer.write(data)
            conn.execute("CREATE TABLE bench_activity_copy (LIKE reps_activity INCLUDING ALL)")
            started = time.perf_counter()
            with conn.cursor().copy("COPY bench_activity_copy FROM STDIN") as copy:
                copy.write(buffer.getvalue())
            copy_seconds = time.perf_counter() - started
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {DB}")

    print(f"seed_demo --reps {args.reps} --weeks {args.weeks}: {seed_seconds:.1f} s (target < 60 s)")
    print(f"baseline, COPY of the same {rows} activity rows: {copy_seconds:.2f} s")
    print(f"ratio seed_demo / COPY baseline: {seed_seconds / copy_seconds:.1f}x")


if __name__ == "__main__":
    main()
