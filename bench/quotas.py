"""Time saving a quota grid on PostgreSQL: 200 reps × 12 months through kpis.quotas.save_quotas.

Usage: python bench/quotas.py [--reps 200] [--months 12] [--runs 3]

Needs a PostgreSQL server (PGHOST/PGPORT/PGUSER, default 127.0.0.1:5432 postgres). It creates
and drops its own database, salesperf_bench_quota, with 200 reps in 10 teams, then times, each
the median of ``--runs`` runs:

- the baseline: a plain ``Quota.objects.bulk_create`` of the same rows (no checks, no history),
- ``save_quotas`` of the whole grid into an empty table (every check, 2 400 quotas created, their
  history written),
- the same grid again (nothing changes), and the grid with every target changed (2 400 updates),
- the upload path: the same grid as an .xlsx file read (pandas + openpyxl), checked and saved.

Target (issue 11): saving the 200-rep × 12-month grid takes under 2 s; the ratio to the plain
bulk insert shows what the checks and the history cost.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import scratch  # bench/scratch.py, beside this script

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB = "salesperf_bench_quota"
TARGET_S = 2.0


def median_of(runs: int, prepare, action) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        prepare()
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = scratch.create_database(DB)
    os.environ.pop("REDIS_URL", None)
    try:
        subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"], check=True, cwd=ROOT)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesperf.settings")
        import django

        django.setup()
        from django.conf import settings

        settings.DEBUG = False  # as in production: no query log kept in memory
        from django.contrib.auth.models import User
        from django.db import connection

        from kpis import quota_files, quotas
        from kpis.models import Quota
        from reps.models import Rep, Team

        admin = User.objects.create_superuser("bench.admin", "admin@example.com", "x")
        teams = Team.objects.bulk_create([Team(name=f"Bench team {n}") for n in range(10)])
        users = User.objects.bulk_create(
            [User(username=f"bench.rep{n}", first_name="Rep", last_name=str(n)) for n in range(args.reps)]
        )
        reps = Rep.objects.bulk_create(
            [Rep(user=u, team=teams[n % 10], start_date=dt.date(2025, 1, 1)) for n, u in enumerate(users)]
        )
        months = []
        for i in range(args.months):
            start = dt.date(2026 + i // 12, i % 12 + 1, 1)
            following = dt.date(start.year + (start.month == 12), start.month % 12 + 1, 1)
            months.append((start, following - dt.timedelta(days=1)))

        def grid(target: Decimal) -> list[quotas.QuotaInput]:
            return [
                quotas.QuotaInput(rep.pk, None, "won_revenue", "", start, end, target + rep.pk % 7 * 100)
                for rep in reps
                for start, end in months
            ]

        rows, changed = grid(Decimal("10000.00")), grid(Decimal("12000.00"))

        def empty() -> None:
            with connection.cursor() as cursor:
                cursor.execute("TRUNCATE kpis_quota, kpis_historicalquota")

        def fill() -> None:
            empty()
            quotas.save_quotas(rows, user=admin, source="bench")

        baseline = median_of(
            args.runs,
            empty,
            lambda: Quota.objects.bulk_create(
                [
                    Quota(rep_id=r.rep_id, metric=r.metric, start_date=r.start_date, end_date=r.end_date, target=r.target)
                    for r in rows
                ],
                batch_size=1000,
            ),
        )
        first = median_of(args.runs, empty, lambda: quotas.save_quotas(rows, user=admin, source="bench"))
        again = median_of(args.runs, fill, lambda: quotas.save_quotas(rows, user=admin, source="bench"))
        updates = median_of(args.runs, fill, lambda: quotas.save_quotas(changed, user=admin, source="bench"))

        fill()
        quota_rows, _targets = quota_files.quotas_for_download(admin)
        xlsx = quota_files.write_quotas_file(quota_rows, fmt="xlsx")
        empty()

        def upload() -> None:
            parsed = quota_files.read_quotas_file(xlsx, "grid.xlsx")
            quota_files.import_quotas_file(parsed, user=admin, source="upload: grid.xlsx")

        uploaded = median_of(args.runs, empty, upload)
        assert Quota.objects.count() == len(rows)

        print(f"grid: {args.reps} reps x {args.months} months = {len(rows)} quotas; median of {args.runs} runs")
        print(f"  plain bulk_create (baseline)        {baseline:7.3f} s")
        print(f"  save_quotas, all new                {first:7.3f} s  ({first / baseline:.1f}x the baseline)")
        print(f"  save_quotas, nothing changed        {again:7.3f} s")
        print(f"  save_quotas, every target changed   {updates:7.3f} s")
        print(f"  upload of the grid as .xlsx ({len(xlsx) // 1024} KiB)  {uploaded:7.3f} s  (read, check, save)")
        worst = max(first, again, updates)
        print(
            f"target: under {TARGET_S:.0f} s for the grid: {'met' if worst < TARGET_S else 'NOT met'}"
            f" (slowest save {worst:.3f} s)"
        )
        print(scratch.peak_rss())
    finally:
        from django.db import connections

        connections.close_all()
        scratch.drop_database(DB)


if __name__ == "__main__":
    main()
