"""Time the growth-by-segment page on PostgreSQL: 200 reps, 1 M activities, 100 k opportunities.

Usage: python bench/segments.py [--reps 200] [--activities 1000000] [--opportunities 100000] [--runs 30] [--keep] [--reuse]

Fills its own database, salesperf_bench_segments, with the generator of bench/kpi_recompute.py
(accounts with segments, territories and sectors), gives the deals one of six products, puts the
20 teams under one region, then times GET /segments/ (server side, Django's test client) for the
region and for the largest team, by segment and by product, for Q2 2025 against Q2 2024 and
Q1 2025, after two warm-up requests. Target (issue 17): median ≤ 150 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import scratch  # bench/scratch.py, beside this script

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.kpi_recompute import generate  # noqa: E402  (the same data as the KPI benchmark)

DB = "salesperf_bench_segments"
TARGET_MS = 150.0


def timings(client, url: str, runs: int) -> list[float]:  # type: ignore[no-untyped-def]
    """Milliseconds per request, after two warm-up requests (caches, translations)."""
    for _ in range(2):
        assert client.get(url).status_code == 200, url
    result = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        result.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, url
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--activities", type=int, default=1_000_000)
    parser.add_argument("--opportunities", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards (and reuse it with --reuse)")
    parser.add_argument("--reuse", action="store_true", help="reuse the database a --keep run left")
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = scratch.database_url(DB) if args.reuse else scratch.create_database(DB)
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("SALESPERF_TIME_ZONE", "Europe/Budapest")
    try:
        if not args.reuse:
            subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"], check=True, cwd=ROOT)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesperf.settings")
        import django

        django.setup()
        from django.conf import settings

        settings.DEBUG = False  # as in production: no query log kept in memory
        from django.contrib.auth.models import User
        from django.db import connection
        from django.db.models import Count
        from django.test import Client

        from reps import services
        from reps.models import Activity, Opportunity, Rep, StageKind, Team

        if not args.reuse:
            pipeline = services.pipeline_create(
                name="Default",
                is_default=True,
                stages=[
                    {"name": "Prospecting", "probability": 10, "kind": StageKind.OPEN},
                    {"name": "Discovery", "probability": 20, "kind": StageKind.OPEN},
                    {"name": "Proposal", "probability": 50, "kind": StageKind.OPEN, "is_offer": True},
                    {"name": "Negotiation", "probability": 75, "kind": StageKind.OPEN},
                    {"name": "Won", "probability": 100, "kind": StageKind.WON},
                    {"name": "Lost", "probability": 0, "kind": StageKind.LOST},
                ],
            )
            started = time.perf_counter()
            with psycopg.connect(scratch.dsn(DB)) as raw:
                generate(
                    raw, reps=args.reps, activities=args.activities, opportunities=args.opportunities, pipeline_id=pipeline.pk
                )
                raw.execute(
                    "INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, is_staff,"
                    " is_active, date_joined) VALUES ('!', false, 'regional', 'Rita', 'Region', '', false, true, now())"
                )
                raw.execute(
                    "INSERT INTO reps_team (name, manager_id) SELECT 'Region', id FROM auth_user WHERE username = 'regional'"
                )
                raw.execute(
                    "UPDATE reps_team SET parent_id = (SELECT id FROM reps_team WHERE name = 'Region') WHERE name <> 'Region'"
                )
                raw.execute(
                    "INSERT INTO reps_product (name, series, list_price) SELECT 'Product ' || n, 'S', 1000 * n"
                    " FROM generate_series(1, 6) n"
                )
                raw.execute(
                    "UPDATE reps_opportunity o SET product_id = p.id FROM reps_product p"
                    " WHERE p.name = 'Product ' || (1 + o.id % 6)"
                )
                raw.commit()
                raw.autocommit = True
                raw.execute("VACUUM ANALYZE")
            print(f"generated data in {time.perf_counter() - started:.1f} s", flush=True)

        counts = (Rep.objects.count(), Activity.objects.count(), Opportunity.objects.count())
        print(f"data: {counts[0]} reps, {counts[1]} activities, {counts[2]} opportunities")
        region = Team.objects.get(name="Region")
        # the largest team (the generator spreads the reps unevenly)
        biggest = Rep.objects.values("team_id").annotate(n=Count("pk")).order_by("-n", "team_id").first()
        assert biggest is not None
        team = Team.objects.get(pk=biggest["team_id"])
        client = Client(HTTP_HOST="localhost")
        client.force_login(User.objects.get(username="regional"))

        q2 = "period=quarter&start=2025-04-01"
        pages = [
            ("/healthz/ (trivial page)", "/healthz/"),
            (f"/segments/ region ({counts[0]} reps), by segment", f"/segments/?team={region.pk}&{q2}&by=segment"),
            ("/segments/ region, by product", f"/segments/?team={region.pk}&{q2}&by=product"),
            (
                f"/segments/ one team ({Rep.objects.filter(team=team).count()} reps), by segment",
                f"/segments/?team={team.pk}&{q2}&by=segment",
            ),
        ]
        medians = {}
        print(f"\n{'page':<52} {'median':>9} {'p90':>9}   ({args.runs} runs each)")
        for label, url in pages:
            ms = timings(client, url, args.runs)
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
