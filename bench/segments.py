"""Time the growth-by-segment page on PostgreSQL: 200 reps, 1 M activities, 100 k opportunities.

Usage: python bench/segments.py [--reps 200] [--activities 1000000] [--opportunities 100000] [--runs 30] [--keep] [--reuse]

Fills its own database, salesperf_bench_segments, with the generator of bench/kpi_recompute.py
(accounts with segments, territories and sectors), gives the deals one of six products, puts the
20 teams under one region, then times GET /segments/ (server side, Django's test client) for the
region and for the largest team, by segment and by product, for Q2 2025 against Q2 2024 and
Q1 2025, after two warm-up requests. Target (issue 17): median ≤ 150 ms.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

import scratch  # bench/scratch.py, beside this script

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import world  # (the data and timing loop shared with bench/dashboard.py)

DB = "salesperf_bench_segments"
TARGET_MS = 150.0

PRODUCTS_SQL = [
    "INSERT INTO reps_product (name, series, list_price) SELECT 'Product ' || n, 'S', 1000 * n FROM generate_series(1, 6) n",
    "UPDATE reps_opportunity o SET product_id = p.id FROM reps_product p WHERE p.name = 'Product ' || (1 + o.id % 6)",
]


def main() -> None:
    args = world.arguments(__doc__)
    try:
        world.setup(DB, args, extra_sql=PRODUCTS_SQL)
        from django.db import connection

        from reps.models import Activity, Opportunity, Rep

        counts = (Rep.objects.count(), Activity.objects.count(), Opportunity.objects.count())
        print(f"data: {counts[0]} reps, {counts[1]} activities, {counts[2]} opportunities")
        region, team, team_size = world.region_and_biggest_team()
        client = world.regional_client()

        q2 = "period=quarter&start=2025-04-01"
        pages = [
            ("/healthz/ (trivial page)", "/healthz/"),
            (f"/segments/ region ({counts[0]} reps), by segment", f"/segments/?team={region.pk}&{q2}&by=segment"),
            ("/segments/ region, by product", f"/segments/?team={region.pk}&{q2}&by=product"),
            (f"/segments/ one team ({team_size} reps), by segment", f"/segments/?team={team.pk}&{q2}&by=segment"),
        ]
        medians = {}
        print(f"\n{'page':<52} {'median':>9} {'p90':>9}   ({args.runs} runs each)")
        for label, url in pages:
            ms = world.timings(client, url, args.runs)
            medians[url] = statistics.median(ms)
            p90 = statistics.quantiles(ms, n=10)[-1]
            print(f"{label:<52} {medians[url]:7.1f} ms {p90:7.1f} ms", flush=True)
        worst = max(ms for url, ms in medians.items() if url != "/healthz/")
        print(f"\nslowest segment page median {worst:.1f} ms: ≤ {TARGET_MS:.0f} ms {'met' if worst <= TARGET_MS else 'NOT met'}")
        print(scratch.peak_rss())
        connection.close()
    finally:
        if not args.keep:
            scratch.drop_database(DB)


if __name__ == "__main__":
    main()
