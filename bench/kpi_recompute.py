"""Time the KPI recompute on PostgreSQL: 200 reps, 1 M activities, 100 k opportunities.

Usage: python bench/kpi_recompute.py [--reps 200] [--activities 1000000] [--opportunities 100000] [--keep]

Needs a PostgreSQL server (PGHOST/PGPORT/PGUSER, default 127.0.0.1:5432 postgres). It creates
(and, unless --keep, drops) its own database, salesperf_bench_kpi. The data is generated
server-side with INSERT ... SELECT over generate_series (a bulk insert, no Python loop), then:

- full: ``kpis.services.kpi_recompute()`` over all history for every rep, run twice (the
  first run inserts the rows, the second updates them);
- incremental: one activity logged through ``reps.services.activity_create``, and one move of
  a reassigned deal through ``reps.services.opportunity_move``, each including the on-commit
  recompute of the rows it touches (Celery runs eagerly here);
- floor: one hand-written SQL GROUP BY computing the same per-rep weekly counts (local weeks,
  current owner, no owner history, no upsert) into a temporary table.

Targets (issue 4): full ≤ 30 s and ≤ 3× the floor, incremental ≤ 1 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import scratch  # bench/scratch.py, beside this script

ROOT = Path(__file__).resolve().parent.parent
DB = "salesperf_bench_kpi"
TEAMS = 20
FIRST_DAY = "2024-01-01"
DAYS = 730  # two years of history


def generate(conn: psycopg.Connection, *, reps: int, activities: int, opportunities: int, pipeline_id: int) -> None:
    """Users, teams, reps (a quarter of them move team mid-way), accounts, activities, deals, history, feedback."""
    stages = dict(conn.execute("SELECT name, id FROM reps_stage WHERE pipeline_id = %s", [pipeline_id]).fetchall())
    run = conn.execute
    run(
        f"""INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, is_staff, is_active,
                date_joined)
        SELECT '!', false, 'bench' || g, '', '', '', false, true, now() FROM generate_series(1, {reps + TEAMS}) g"""
    )
    run(
        f"""INSERT INTO reps_team (name, manager_id)
        SELECT 'Team ' || g, (SELECT id FROM auth_user WHERE username = 'bench' || ({reps} + g))
        FROM generate_series(1, {TEAMS}) g"""
    )
    run("CREATE TEMP TABLE bench_teams AS SELECT row_number() OVER (ORDER BY id) - 1 AS n, id FROM reps_team")
    run(
        f"""INSERT INTO reps_rep (segment, territory, start_date, is_active, user_id, team_id)
        SELECT '', '', DATE '{FIRST_DAY}', true, u.id,
               (SELECT id FROM bench_teams WHERE n = substring(u.username from 6)::int % {TEAMS})
        FROM auth_user u WHERE substring(u.username from 6)::int <= {reps}"""
    )
    # Every fourth rep moves to the next team on 2025-01-01.
    run(
        """INSERT INTO reps_teammembership (rep_id, team_id, start_date, end_date)
        SELECT r.id, r.team_id, r.start_date, CASE WHEN r.id % 4 = 0 THEN DATE '2024-12-31' END FROM reps_rep r"""
    )
    run(
        f"""INSERT INTO reps_teammembership (rep_id, team_id, start_date)
        SELECT r.id, (SELECT id FROM bench_teams WHERE n = (t.n + 1) % {TEAMS}), DATE '2025-01-01'
        FROM reps_rep r JOIN bench_teams t ON t.id = r.team_id WHERE r.id % 4 = 0"""
    )
    run(
        """UPDATE reps_rep r SET team_id = m.team_id FROM reps_teammembership m
        WHERE m.rep_id = r.id AND m.end_date IS NULL"""
    )
    run("CREATE TEMP TABLE bench_reps AS SELECT row_number() OVER (ORDER BY id) - 1 AS n, id FROM reps_rep")
    run("CREATE UNIQUE INDEX ON bench_reps (n)")  # the rep of row g is looked up by g % reps
    run("ANALYZE bench_reps")
    run(
        """INSERT INTO reps_account (name, segment, territory, sector, created_at, owner_id)
        SELECT 'Account ' || n, '', '', '', now(), id FROM bench_reps"""
    )
    run(
        f"""INSERT INTO reps_activity (kind, status, subject, planned_date, done_at, notes, created_at, owner_id)
        SELECT kind, status, '', CASE WHEN status <> 'done' OR g % 3 = 0 THEN day END,
               CASE WHEN status = 'done' THEN day + (g % 600) * interval '1 minute' + interval '8 hours' END,
               '', now(), (SELECT id FROM bench_reps WHERE n = g % {reps})
        FROM (SELECT g, DATE '{FIRST_DAY}' + (g::bigint * 7919 % {DAYS})::int AS day,
                     (ARRAY['call', 'email', 'discovery_meeting', 'proposal_meeting', 'other_meeting', 'task'])[1 + g % 6]
                         AS kind,
                     CASE WHEN g % 10 < 8 THEN 'done' WHEN g % 10 = 8 THEN 'planned' ELSE 'cancelled' END AS status
              FROM generate_series(1, {activities}) g) a"""
    )
    won, lost = stages["Won"], stages["Lost"]
    open_stages = [stages[n] for n in ("Prospecting", "Discovery", "Proposal", "Negotiation")]
    # g % 10: 0-3 open (in the four open stages), 4-6 won, 7-9 lost; half of the lost ones after an offer.
    # The events' instants are known for most deals (created 09:00, offer 11:00, closed 15:00 UTC, the
    # same local day in Europe/Budapest); one in four offers and closes is known by its date only.
    run(
        f"""INSERT INTO reps_opportunity (name, amount, created_date, expected_close_date, close_date, offer_date, next_step,
                lost_reason, stage_changed_at, updated_at, pipeline_id, owner_id, stage_id, account_id,
                created_at, offer_at, closed_at)
        SELECT name, amount, created, expected, close, offer, next_step, lost_reason, now(), now(), {pipeline_id}, owner_id,
               stage_id, NULL, (created + interval '9 hours') AT TIME ZONE 'UTC',
               CASE WHEN g % 4 <> 0 THEN (offer + interval '11 hours') AT TIME ZONE 'UTC' END,
               CASE WHEN g % 4 <> 1 THEN (close + interval '15 hours') AT TIME ZONE 'UTC' END
        FROM (
            SELECT g, created, owner_id, 'Deal ' || g AS name, (g % 997) * 10 + 0.50 AS amount, created + 60 AS expected,
                   CASE WHEN g % 10 >= 4 THEN created + g % 90 END AS close,
                   CASE WHEN g % 10 IN (2, 3) THEN created + g % 20
                        WHEN g % 10 BETWEEN 4 AND 6 THEN created + g % 90 / 2
                        WHEN g % 10 >= 7 AND g % 2 = 0 THEN created + g % 90 / 2 END AS offer,
                   '' AS next_step, CASE WHEN g % 10 >= 7 THEN 'Price' ELSE '' END AS lost_reason,
                   CASE WHEN g % 10 < 4 THEN (ARRAY{open_stages})[1 + g % 4] WHEN g % 10 < 7 THEN {won} ELSE {lost} END
                       AS stage_id
            FROM (SELECT g, DATE '{FIRST_DAY}' + (g::bigint * 104729 % ({DAYS} - 90))::int AS created,
                         (SELECT id FROM bench_reps WHERE n = g % {reps}) AS owner_id
                  FROM generate_series(1, {opportunities}) g) base) o"""
    )
    # Owner history: the creation row, and for one deal in ten a reassignment to the next rep half-way.
    run(
        """INSERT INTO reps_opportunityownerchange (changed_at, opportunity_id, from_owner_id, to_owner_id)
        SELECT (o.created_date + interval '9 hours') AT TIME ZONE 'UTC', o.id, NULL, o.owner_id FROM reps_opportunity o"""
    )
    run(
        f"""WITH moved AS (
            SELECT o.id, o.owner_id AS old_owner, (SELECT id FROM bench_reps WHERE n = (b.n + 1) % {reps}) AS new_owner,
                   o.created_date + 10 AS day
            FROM reps_opportunity o JOIN bench_reps b ON b.id = o.owner_id WHERE o.id % 10 = 0),
        history AS (
            INSERT INTO reps_opportunityownerchange (changed_at, opportunity_id, from_owner_id, to_owner_id)
            SELECT (day + interval '12 hours') AT TIME ZONE 'UTC', id, old_owner, new_owner FROM moved)
        UPDATE reps_opportunity o SET owner_id = moved.new_owner FROM moved WHERE moved.id = o.id"""
    )
    run(
        f"""INSERT INTO reps_customerfeedback (date, score, is_complaint, text, account_id, rep_id)
        SELECT DATE '{FIRST_DAY}' + (g * 31 % {DAYS}), CASE WHEN g % 7 = 0 THEN NULL ELSE 1 + g % 5 END, g % 7 IN (0, 1), '',
               (SELECT min(id) FROM reps_account) + g % {reps}, (SELECT id FROM bench_reps WHERE n = g % {reps})
        FROM generate_series(1, {reps * 100}) g"""
    )


FLOOR_SQL = """
CREATE TEMP TABLE bench_floor AS
SELECT rep_id, week, SUM(contacts) AS contacts, SUM(discovery) AS discovery, SUM(proposal) AS proposal,
       SUM(planned) AS planned, SUM(done_as_planned) AS done_as_planned, SUM(created) AS created, SUM(offers) AS offers,
       SUM(won) AS won, SUM(revenue) AS revenue, SUM(lost) AS lost, SUM(csat_sum) AS csat_sum, SUM(complaints) AS complaints
FROM (
    SELECT owner_id AS rep_id, date_trunc('week', done_at AT TIME ZONE %(tz)s)::date AS week,
           (kind <> 'task')::int AS contacts, (kind = 'discovery_meeting')::int AS discovery,
           (kind = 'proposal_meeting')::int AS proposal, 0 AS planned, 0 AS done_as_planned, 0 AS created, 0 AS offers,
           0 AS won, 0 AS revenue, 0 AS lost, 0 AS csat_sum, 0 AS complaints
    FROM reps_activity WHERE status = 'done'
    UNION ALL
    SELECT owner_id, date_trunc('week', planned_date)::date, 0, 0, 0, 1, (status = 'done')::int, 0, 0, 0, 0, 0, 0, 0
    FROM reps_activity WHERE planned_date IS NOT NULL
    UNION ALL
    SELECT owner_id, date_trunc('week', created_date)::date, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0 FROM reps_opportunity
    UNION ALL
    SELECT owner_id, date_trunc('week', offer_date)::date, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0
    FROM reps_opportunity WHERE offer_date IS NOT NULL
    UNION ALL
    SELECT o.owner_id, date_trunc('week', o.close_date)::date, 0, 0, 0, 0, 0, 0, 0,
           (s.kind = 'won')::int, CASE WHEN s.kind = 'won' THEN o.amount ELSE 0 END, (s.kind = 'lost')::int, 0, 0
    FROM reps_opportunity o JOIN reps_stage s ON s.id = o.stage_id WHERE o.close_date IS NOT NULL
    UNION ALL
    SELECT rep_id, date_trunc('week', date)::date, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, COALESCE(score, 0), is_complaint::int
    FROM reps_customerfeedback
) e
GROUP BY rep_id, week
"""


def timed(label: str, fn) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - started
    print(f"{label:<58} {seconds:8.2f} s   {result if result is not None else ''}", flush=True)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--activities", type=int, default=1_000_000)
    parser.add_argument("--opportunities", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = scratch.create_database(DB)
    os.environ.pop("REDIS_URL", None)  # Celery runs eagerly: the incremental time includes the task
    os.environ.setdefault("SALESPERF_TIME_ZONE", "Europe/Budapest")
    try:
        subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"], check=True, cwd=ROOT)
        sys.path.insert(0, str(ROOT))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesperf.settings")
        import django

        django.setup()
        from django.conf import settings
        from django.db import connection, transaction

        from kpis.models import KpiDay
        from kpis.services import kpi_recompute
        from reps import services
        from reps.models import Activity, ActivityKind, ActivityStatus, Opportunity, Rep, StageKind

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
        with psycopg.connect(scratch.dsn(DB)) as raw:
            timed(
                "generate data (INSERT ... SELECT generate_series)",
                lambda: generate(
                    raw, reps=args.reps, activities=args.activities, opportunities=args.opportunities, pipeline_id=pipeline.pk
                ),
            )
            raw.commit()
            raw.autocommit = True
            raw.execute("VACUUM ANALYZE")
        counts = (Rep.objects.count(), Activity.objects.count(), Opportunity.objects.count())
        print(f"data: {counts[0]} reps, {counts[1]} activities, {counts[2]} opportunities, time zone {settings.TIME_ZONE}")

        def floor() -> int:
            with connection.cursor() as cursor:
                cursor.execute("DROP TABLE IF EXISTS bench_floor")
                cursor.execute(FLOOR_SQL, {"tz": settings.TIME_ZONE})
                return cursor.rowcount

        floor_s = timed("floor: one hand-written GROUP BY into a table (weekly rows)", floor)
        full_first = timed("full recompute, empty table (rows written)", kpi_recompute)
        full_again = timed("full recompute again, same rows (rows written)", kpi_recompute)
        floor_again = timed("floor again", floor)
        floor_s = min(floor_s, floor_again)
        print(f"KPI day rows stored: {KpiDay.objects.count()}", flush=True)

        rep = Rep.objects.order_by("pk").first()

        def one_change() -> str:
            with transaction.atomic():
                services.activity_create(
                    owner=rep, kind=ActivityKind.CALL, status=ActivityStatus.DONE, done_at=dt.datetime.now(dt.UTC)
                )
            return "activity_create + on-commit recompute"

        incremental = min(timed(f"incremental after one change (run {i + 1})", one_change) for i in range(3))
        # A deal handed over once: its move locks the row, and the recompute covers both owners.
        deal = Opportunity.objects.filter(stage__kind=StageKind.OPEN, owner_changes__from_owner__isnull=False).first()
        targets = [pipeline.stages.get(name=name) for name in ("Won", "Negotiation", "Won")]

        def one_move(stage) -> str:  # type: ignore[no-untyped-def]
            with transaction.atomic():
                services.opportunity_move(opportunity=deal, stage=stage)
            return f"opportunity_move to {stage.name} + on-commit recompute"

        moves = [timed(f"incremental after one deal move (run {i + 1})", lambda s=s: one_move(s)) for i, s in enumerate(targets)]
        incremental = max(incremental, min(moves))
        full = max(full_first, full_again)
        print()
        print(f"floor {floor_s:.2f} s · full {full_first:.2f} s / {full_again:.2f} s · incremental {incremental:.3f} s")
        print(
            f"ratio full / floor: {full / floor_s:.1f}× (target ≤ 3×); full ≤ 30 s: {'yes' if full <= 30 else 'NO'};"
            f" incremental ≤ 1 s: {'yes' if incremental <= 1 else 'NO'}"
        )
        connection.close()
    finally:
        if not args.keep:
            scratch.drop_database(DB)


if __name__ == "__main__":
    main()
