"""Time the team dashboard on PostgreSQL: 200 reps, 1 M activities, 100 k opportunities.

Usage: python bench/dashboard.py [--reps 200] [--activities 1000000] [--opportunities 100000] [--runs 30] [--keep]

Needs a PostgreSQL server (PGHOST/PGPORT/PGUSER, default 127.0.0.1:5432 postgres). It creates
(and, unless --keep, drops) its own database, salesperf_bench_dash, and fills it with the
generator of bench/kpi_recompute.py (INSERT ... SELECT over generate_series: 20 teams, a
quarter of the reps moving team, owner history, feedback), then puts all 20 teams under one
region, gives every rep a quota for June 2025, and computes the KPI rows once.

It then times, in one process and one run, the server side of GET requests through Django's
test client (middleware, session, view, template; no network):

- /healthz/ (a trivial page: the baseline),
- /dashboard/ for the largest team and for the region (all 200 reps), June 2025,
- /dashboard/ for the region in the current month (the open-pipeline queries run too),

and prints the median and 90th percentile of each, and the dashboard's median next to the
trivial page's. Target (issue 6): the team dashboard's median ≤ 100 ms.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import scratch  # bench/scratch.py, beside this script

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import world  # (the data and timing loop shared with bench/segments.py)

DB = "salesperf_bench_dash"
TARGET_MS = 100.0

QUOTAS_SQL = [
    """INSERT INTO kpis_quota (metric, activity_kind, start_date, end_date, target, rep_id)
    SELECT 'won_revenue', '', DATE '2025-06-01', DATE '2025-06-30', 20000 + (id % 7) * 5000, id FROM reps_rep"""
]


def main() -> None:
    args = world.arguments(__doc__)
    try:
        if world.setup(DB, args, extra_sql=QUOTAS_SQL):
            from kpis.services import kpi_recompute

            started = time.perf_counter()
            kpi_recompute()
            print(f"computed the KPI rows in {time.perf_counter() - started:.1f} s", flush=True)
        from django.db import connection

        from reps.models import Activity, Opportunity, Rep

        counts = (Rep.objects.count(), Activity.objects.count(), Opportunity.objects.count())
        print(f"data: {counts[0]} reps, {counts[1]} activities, {counts[2]} opportunities")
        region, team, team_size = world.region_and_biggest_team()
        client = world.regional_client()

        june = "period=month&start=2025-06-01"
        pages = [
            ("/healthz/ (trivial page)", "/healthz/"),
            (f"/dashboard/ one team ({team_size} reps), June 2025", f"/dashboard/?team={team.pk}&{june}"),
            (f"/dashboard/ region ({counts[0]} reps), June 2025", f"/dashboard/?team={region.pk}&{june}"),
            ("/dashboard/ region, this month", f"/dashboard/?team={region.pk}"),
        ]
        medians = {}
        print(f"\n{'page':<52} {'median':>9} {'p90':>9}   ({args.runs} runs each)")
        for label, url in pages:
            ms = world.timings(client, url, args.runs)
            medians[url] = statistics.median(ms)
            p90 = statistics.quantiles(ms, n=10)[-1]
            print(f"{label:<52} {medians[url]:7.1f} ms {p90:7.1f} ms", flush=True)
        trivial = medians["/healthz/"]
        team_ms = medians[pages[1][1]]
        region_ms = medians[pages[2][1]]
        print(
            f"\nteam dashboard median {team_ms:.1f} ms (×{team_ms / trivial:.0f} the trivial page's {trivial:.1f} ms):"
            f" ≤ {TARGET_MS:.0f} ms {'met' if team_ms <= TARGET_MS else 'NOT met'};"
            f" the whole region of {counts[0]} reps on one page {region_ms:.1f} ms"
            f" ({'within' if region_ms <= TARGET_MS else 'over'} the same target)"
        )
        connection.close()
    finally:
        if not args.keep:
            scratch.drop_database(DB)


if __name__ == "__main__":
    main()
