"""Time ``seed_demo`` at 200 reps × 52 weeks on PostgreSQL (target: under a minute).

Usage: python bench/seed_demo.py [--reps 200] [--weeks 52]
Needs a PostgreSQL server (PGHOST/PGPORT/PGUSER, default 127.0.0.1:5432 postgres). It creates
and drops its own database. The baseline, measured in the same run, is a PostgreSQL COPY of
the same activity rows: the floor for putting that many rows into the table.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import scratch  # bench/scratch.py, beside this script

ROOT = Path(__file__).resolve().parent.parent
DB = "salesperf_bench_seed"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--weeks", type=int, default=52)
    args = parser.parse_args()

    env = {**os.environ, "DATABASE_URL": scratch.create_database(DB)}
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
        rows, copy_seconds = scratch.copy_activities_floor(DB)
    finally:
        scratch.drop_database(DB)

    print(f"seed_demo --reps {args.reps} --weeks {args.weeks}: {seed_seconds:.1f} s (target < 60 s)")
    print(f"baseline, COPY of the same {rows} activity rows: {copy_seconds:.2f} s")
    print(f"ratio seed_demo / COPY baseline: {seed_seconds / copy_seconds:.1f}x")
    print(scratch.peak_rss(), "(the child: seed_demo)")


if __name__ == "__main__":
    main()
