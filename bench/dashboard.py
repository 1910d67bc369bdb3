"""Time the team dashboard on PostgreSQL: 200 reps, 1 M activities, 100 k opportunities (``--scale 1``).

Usage: python bench/dashboard.py [--scale 1] [--reps N] [--teams N] [--activities N] [--opportunities N]
                                 [--runs 30] [--keep] [--reuse] [--recompute] [--db NAME]

Needs a PostgreSQL server (PGHOST/PGPORT/PGUSER, default 127.0.0.1:5432 postgres). It creates
(and, unless --keep or --reuse, drops) its own database, salesperf_bench_dash (``--db`` another name), and fills
it with the generator of bench/kpi_recompute.py (INSERT ... SELECT over generate_series: 20 teams per
200 reps, a quarter of the reps moving team, owner history, feedback), then puts all the teams under
one region, gives every rep a quota for June 2025, and computes the KPI rows once. ``--scale 10`` is
2,000 reps in 200 teams, 10 M activities, 1 M opportunities. ``--reuse`` times a database a ``--keep``
run of this script or of bench/kpi_recompute.py left (migrating it, and adding the region and quotas if
missing); ``--recompute`` computes its KPI rows again first (as the current code writes them). The data and
the timing loop are those of bench/world.py (shared with bench/segments.py).

It then times, in one process and one run, the server side of GET requests through Django's
test client (middleware, session, view, template; no network):

- /healthz/ (a trivial page: the baseline),
- /dashboard/ for the largest team (20 reps at every scale) and for the region (all the reps, shown
  a page of reps at a time with the totals of every team), June 2025,
- /dashboard/ for the region in the current month (the open-pipeline queries run too),
- /api/v1/kpis/ for the second quarter of 2025, one row per team of the region,

and prints the median and 90th percentile of each, the medians of the CPU time of this process and of
the SQL time per request (measured in the same requests: on a loaded machine they move less than the
wall-clock time), the query count, the load average, the dashboard's median next to the trivial page's,
the database's size per million activities and the peak RSS of this process.
Targets (issues 6 and 18): the team dashboard's median ≤ 100 ms (and within 1.5× of its time at
scale 1), the region's page ≤ 100 ms with 200 reps and ≤ 300 ms with 2,000.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import psycopg
import scratch  # bench/scratch.py, beside this script

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import world  # (the data and timing loop shared with bench/segments.py)

DB = "salesperf_bench_dash"
TARGET_MS = 100.0
REGION_TARGET_MS = 300.0  # a region of more than 200 reps (issue 18: 2,000)

# A June 2025 won-revenue quota for every rep (the region itself: world.REGION_SQL).
QUOTA_SQL = [
    """INSERT INTO kpis_quota (metric, activity_kind, start_date, end_date, target, rep_id)
    SELECT 'won_revenue', '', DATE '2025-06-01', DATE '2025-06-30', 20000 + (id % 7) * 5000, id FROM reps_rep"""
]


def vacuum_analyze(db: str) -> None:
    """What autovacuum would have done by then: statistics of the new rows and the visibility map."""
    with psycopg.connect(scratch.dsn(db), autocommit=True) as raw:
        raw.execute("VACUUM ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    scratch.add_scale_arguments(parser)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--db", default=DB, help=f"scratch database name (default {DB})")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards (and reuse it with --reuse)")
    parser.add_argument("--reuse", action="store_true", help="reuse the database a --keep run left (migrated; kept)")
    parser.add_argument("--recompute", action="store_true", help="compute the KPI rows again before timing")
    args = parser.parse_args()
    scratch.resolve_scale(args)

    try:
        world.setup(args.db, args, extra_sql=QUOTA_SQL, teams=args.teams)
        from django.db import connection

        from kpis.models import KpiDay
        from kpis.services import kpi_recompute
        from reps.models import Activity, Opportunity, Rep, Team

        if not Team.objects.filter(name="Region").exists():  # a database of bench/kpi_recompute.py
            with psycopg.connect(scratch.dsn(args.db)) as raw:
                for sql in (*world.REGION_SQL, *QUOTA_SQL):
                    raw.execute(sql)  # type: ignore[arg-type]
            vacuum_analyze(args.db)
        if args.recompute or not KpiDay.objects.exists():
            started = time.perf_counter()
            kpi_recompute()
            print(f"computed the KPI rows in {time.perf_counter() - started:.1f} s", flush=True)
            vacuum_analyze(args.db)

        counts = (Rep.objects.count(), Activity.objects.count(), Opportunity.objects.count())
        print(f"data: {counts[0]} reps, {counts[1]} activities, {counts[2]} opportunities")
        region, team, team_size = world.region_and_biggest_team()
        client = world.regional_client()

        june = "period=month&start=2025-06-01"
        pages = [
            ("/healthz/ (trivial page)", "/healthz/"),
            (f"/dashboard/ one team ({team_size} reps), June 2025", f"/dashboard/?team={team.pk}&{june}"),
            (f"/dashboard/ region ({counts[0]} reps), June 2025", f"/dashboard/?team={region.pk}&{june}"),
            ("/dashboard/ region, June 2025, last page of reps", f"/dashboard/?team={region.pk}&{june}&page=9999"),
            ("/dashboard/ region, this month", f"/dashboard/?team={region.pk}"),
            (
                f"/api/v1/kpis/ Q2 2025 by team ({Team.objects.filter(parent=region).count()} rows)",
                f"/api/v1/kpis/?start=2025-04-01&end=2025-06-30&group_by=team&team={region.pk}",
            ),
        ]
        medians = {}
        print(f"\nload average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        print(f"{'page':<52} {'median':>9} {'p90':>9} {'CPU':>9} {'SQL':>9} {'queries':>7}   ({args.runs} runs each)")
        for label, url in pages:
            sample = world.measure(client, url, args.runs)
            medians[url] = statistics.median(sample.wall)
            p90 = statistics.quantiles(sample.wall, n=10)[-1]
            cpu, sql = statistics.median(sample.cpu), statistics.median(sample.sql)
            print(
                f"{label:<52} {medians[url]:7.1f} ms {p90:7.1f} ms {cpu:6.1f} ms {sql:6.1f} ms {max(sample.queries):7d}",
                flush=True,
            )
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        trivial = medians["/healthz/"]
        team_ms = medians[pages[1][1]]
        region_ms = medians[pages[2][1]]
        region_target = REGION_TARGET_MS if counts[0] > 200 else TARGET_MS
        print(
            f"\nteam dashboard median {team_ms:.1f} ms (×{team_ms / trivial:.0f} the trivial page's {trivial:.1f} ms):"
            f" ≤ {TARGET_MS:.0f} ms {'met' if team_ms <= TARGET_MS else 'NOT met'};"
            f" the region of {counts[0]} reps (a page of its reps, every team's subtotal) {region_ms:.1f} ms:"
            f" ≤ {region_target:.0f} ms {'met' if region_ms <= region_target else 'NOT met'}"
        )
        scratch.print_database_size(args.db, counts[1])
        print(scratch.peak_rss())
        connection.close()
    finally:
        if not (args.keep or args.reuse):  # a reused database stays for the next run
            scratch.drop_database(args.db)


if __name__ == "__main__":
    main()
