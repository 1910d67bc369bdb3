"""Time ``import_crm`` on PostgreSQL: the public data set, and 1 M generated activities.

Usage: python bench/import.py [--activities 1000000] [--reps 100] [--db NAME]

Targets: the public "CRM + Sales Opportunities" data set imports in 5 s or less on a fresh
database; 1 M activities in the ``salesperf`` format import in at most 10 times the time a
PostgreSQL COPY of the same rows into a twin table takes, measured in the same run.

Needs a PostgreSQL server (PGHOST/PGPORT/PGUSER, default 127.0.0.1:5432 postgres) and the data
set under SALESPERF_DATASETS_DIR (skipped with a message when absent). It creates and drops its
own database, salesperf_bench_imp. Both import times include everything the command does:
checking the files, parsing, writing, and the KPI recompute of the affected reps.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import sys
import tempfile
import time
from pathlib import Path

import scratch  # bench/scratch.py, beside this script

ROOT = Path(__file__).resolve().parent.parent
DB = "salesperf_bench_imp"
KINDS = ["call", "call", "call", "email", "email", "discovery_meeting", "proposal_meeting", "other_meeting", "task"]


def write_people(folder: Path, reps: int) -> None:
    """A region, a team, ``reps`` reps and 500 accounts in the salesperf format."""
    with (folder / "teams.csv").open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["external_id", "name", "parent_external_id", "manager_username"])
        out.writerow(["bench:region", "Bench region", "", ""])
        out.writerow(["bench:team", "Bench team", "bench:region", "bench.manager"])
    with (folder / "reps.csv").open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["external_id", "username", "first_name", "last_name", "team_external_id", "start_date"])
        for n in range(reps):
            out.writerow([f"bench:rep:{n}", f"bench.rep{n}", "Rep", str(n), "bench:team", "2024-01-01"])
    with (folder / "accounts.csv").open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["external_id", "name", "owner_external_id"])
        for n in range(500):
            out.writerow([f"bench:account:{n}", f"Account {n}", f"bench:rep:{n % reps}"])


def write_activities(path: Path, count: int, reps: int) -> None:
    """``count`` activities over 2024, 70 % done, 20 % planned, 10 % cancelled."""
    rng = random.Random(1)
    first = dt.date(2024, 1, 1)
    with path.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(
            ["external_id", "owner_external_id", "kind", "status", "planned_date", "done_at", "subject", "account_external_id"]
        )
        for n in range(count):
            day = first + dt.timedelta(days=rng.randrange(366))
            roll = rng.random()
            status = "done" if roll < 0.7 else "planned" if roll < 0.9 else "cancelled"
            done_at = f"{day.isoformat()}T{9 + n % 8:02d}:{n % 60:02d}:00+00:00" if status == "done" else ""
            out.writerow(
                [
                    f"bench:act:{n}",
                    f"bench:rep:{n % reps}",
                    KINDS[n % len(KINDS)],
                    status,
                    day.isoformat(),
                    done_at,
                    f"Activity {n}",
                    f"bench:account:{n % 500}" if n % 3 else "",
                ]
            )


KPI_SECONDS: list[float] = []


def timed_import(format: str, folder: Path) -> tuple[float, object]:
    from imports import services

    started = time.perf_counter()
    report = services.import_run(format=format, directory=folder)
    return time.perf_counter() - started, report


def time_kpi_recompute() -> None:
    """Record how long the import's KPI recompute takes (it stays part of the import time)."""
    from imports import services

    recompute = services.kpi_recompute

    def timed(**kwargs):
        started = time.perf_counter()
        try:
            return recompute(**kwargs)
        finally:
            KPI_SECONDS.append(time.perf_counter() - started)

    services.kpi_recompute = timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--activities", type=int, default=1_000_000)
    parser.add_argument("--reps", type=int, default=100)
    parser.add_argument("--db", default=DB, help=f"scratch database name (default {DB})")
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = scratch.create_database(args.db)
    os.environ.pop("REDIS_URL", None)  # Celery eager: nothing is queued
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesperf.settings")
    sys.path.insert(0, str(ROOT))
    try:
        import django
        from django.conf import settings
        from django.core.management import call_command

        django.setup()
        settings.DEBUG = False  # as in production: no query log kept in memory
        call_command("migrate", verbosity=0)
        time_kpi_recompute()

        # 1. The public data set on the fresh database, then again (idempotent: nothing changes).
        dataset = Path(settings.SALESPERF_DATASETS_DIR) / "crm-sales-opportunities"
        if (dataset / "sales_pipeline.csv").exists():
            crm_seconds, report = timed_import("crm-sales-opportunities", dataset)
            again_seconds, _again = timed_import("crm-sales-opportunities", dataset)
            print(f"public data set, fresh database: {crm_seconds:.2f} s (target <= 5 s); {report.summary_line()}")
            print(f"  including the KPI recompute: {KPI_SECONDS[-1]:.2f} s, {report.kpi_rows} rows")
            print(f"public data set, second import (changes nothing): {again_seconds:.2f} s")
        else:
            print(f"public data set not found at {dataset}: skipped (set SALESPERF_DATASETS_DIR)")

        # 2. 1 M generated activities in the salesperf format, against COPY of the same rows.
        with tempfile.TemporaryDirectory(prefix="salesperf-bench-") as tmp:
            people, acts = Path(tmp, "people"), Path(tmp, "activities")
            people.mkdir()
            acts.mkdir()
            write_people(people, args.reps)
            write_activities(acts / "activities.csv", args.activities, args.reps)
            timed_import("salesperf", people)
            act_seconds, report = timed_import("salesperf", acts)
            print(f"{args.activities} activities: {act_seconds:.2f} s; {report.summary_line()}")
            print(
                f"  including the KPI recompute: {KPI_SECONDS[-1]:.2f} s, "
                f"{report.kpi_rows} rows for {len(report.kpi_rep_ids)} reps"
            )

        rows, copy_seconds = scratch.copy_activities_floor(args.db)
        print(f"baseline, COPY of the same {rows} activity rows: {copy_seconds:.2f} s")
        print(f"ratio import / COPY baseline: {act_seconds / copy_seconds:.1f}x (target <= 10x)")
        # The import streams the file in chunks (imports/formats/salesperf.py): its peak must
        # not grow with the number of rows (compare --activities 100000 with the default).
        print(scratch.peak_rss(), f"(this process ran the imports of {args.activities} activities)")
    finally:
        from django.db import connections

        connections.close_all()
        scratch.drop_database(args.db)


if __name__ == "__main__":
    main()
