"""The data and the timing loop the page benchmarks share (bench/dashboard.py, bench/segments.py).

``fill`` creates the scratch database, migrates it, and fills it with the generator of
bench/kpi_recompute.py (200 reps in 20 teams, a quarter of them moving team, accounts with
segments, territories and sectors, activities, deals with owner history), then puts the 20
teams under one region managed by the user ``regional``; each script adds what its page needs
through ``extra_sql``. ``timings`` measures the server side of a GET through Django's test client.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import scratch  # bench/scratch.py, beside the scripts

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.kpi_recompute import create_pipeline, generate  # noqa: E402  (the same data as the KPI benchmark)

REGION_SQL = [
    "INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, is_staff,"
    " is_active, date_joined) VALUES ('!', false, 'regional', 'Rita', 'Region', '', false, true, now())",
    "INSERT INTO reps_team (name, manager_id) SELECT 'Region', id FROM auth_user WHERE username = 'regional'",
    "UPDATE reps_team SET parent_id = (SELECT id FROM reps_team WHERE name = 'Region') WHERE name <> 'Region'",
]


def arguments(doc: str | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--activities", type=int, default=1_000_000)
    parser.add_argument("--opportunities", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards (and reuse it with --reuse)")
    parser.add_argument("--reuse", action="store_true", help="reuse the database a --keep run left")
    return parser.parse_args()


def setup(db: str, args: argparse.Namespace, *, extra_sql: Sequence[str] = (), teams: int | None = None) -> bool:
    """Point Django at ``db`` (created and filled unless ``--reuse``) and set it up; True when
    the data was generated now (the caller may then compute what it needs once). ``teams``:
    how many teams the generator makes (its default, 20, unless given)."""
    os.environ["DATABASE_URL"] = scratch.database_url(db) if args.reuse else scratch.create_database(db)
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("SALESPERF_TIME_ZONE", "Europe/Budapest")
    # migrate also on --reuse: a kept database gets the indexes added since
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"], check=True, cwd=ROOT)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesperf.settings")
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False  # as in production: no query log kept in memory
    if args.reuse:
        return False
    pipeline = create_pipeline()
    started = time.perf_counter()
    with psycopg.connect(scratch.dsn(db)) as raw:
        sizes = {"reps": args.reps, "activities": args.activities, "opportunities": args.opportunities}
        generate(raw, **sizes, pipeline_id=pipeline.pk, **({"teams": teams} if teams is not None else {}))
        for sql in (*REGION_SQL, *extra_sql):
            raw.execute(sql)  # type: ignore[arg-type]
        raw.commit()
        raw.autocommit = True
        raw.execute("VACUUM ANALYZE")
    print(f"generated data in {time.perf_counter() - started:.1f} s", flush=True)
    return True


def timings(client: Any, url: str, runs: int) -> list[float]:
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


@dataclass
class Sample:
    """Per request of one page: wall-clock, CPU time of this process (the server side's Python)
    and SQL time (the queries' round trips, as Django runs them), in ms; and the query count."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    sql: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)


def measure(client: Any, url: str, runs: int) -> Sample:
    """As :func:`timings`, with each request's CPU time, SQL time and queries beside its wall-clock time."""
    from django.db import connection

    for _ in range(2):
        assert client.get(url).status_code == 200, url
    sample = Sample()
    spent: list[float] = []

    def timed(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent.append(time.perf_counter() - started)

    for _ in range(runs):
        spent.clear()
        with connection.execute_wrapper(timed):
            started, cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            cpu, wall = time.process_time() - cpu, time.perf_counter() - started
        assert response.status_code == 200, url
        sample.wall.append(wall * 1000)
        sample.cpu.append(cpu * 1000)
        sample.sql.append(sum(spent) * 1000)
        sample.queries.append(len(spent))
    return sample


def region_and_biggest_team() -> tuple[Any, Any, int]:
    """The region, the largest team (the generator spreads the reps unevenly) and its size."""
    from django.db.models import Count

    from reps.models import Rep, Team

    region = Team.objects.get(name="Region")
    biggest = Rep.objects.values("team_id").annotate(n=Count("pk")).order_by("-n", "team_id").first()
    assert biggest is not None
    return region, Team.objects.get(pk=biggest["team_id"]), biggest["n"]


def regional_client() -> Any:
    from django.contrib.auth.models import User
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.get(username="regional"))
    return client
