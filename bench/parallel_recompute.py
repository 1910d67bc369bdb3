"""Time the full KPI recompute fanned out over Celery worker processes: 1 process, then 2.

Usage: python bench/parallel_recompute.py [--reps 200] [--activities 500000] [--opportunities 50000]
       [--shards 8] [--runs 2] [--workers 1,2] [--keep] [--db NAME]   (--workers "": the serial runs only)

Needs PostgreSQL (PGHOST/PGPORT/PGUSER, default 127.0.0.1:5432 postgres) and Redis (REDIS_URL,
default redis://127.0.0.1:6379/14, a database of its own: its queue is purged). It creates (and, unless --keep, drops)
its own database, salesperf_bench_parallel, fills it with the generator of
bench/kpi_recompute.py (INSERT ... SELECT over generate_series), then:

- serial: ``kpis.services.kpi_recompute()`` over all history in this process (the reference),
  and over the nightly run's window (the last four weeks of the data);
- for each worker count: starts ``celery worker -c N`` (prefork: N processes) on that database
  and runs ``kpis.tasks.recompute_in_shards`` (what ``recompute_kpis --parallel`` and the nightly
  run do) ``--runs`` times, from dispatch until the chord's callback has recorded the run's end;
- checks that every run stored the serial run's rows (all columns but the row id and the stamp).

Prints the best time of each and the speed-up of 2 processes over 1. Target (issue 18): ≥ 1.6×.
Also prints the peak RSS (VmHWM) of each worker's main and pool processes, and of this process.
PostgreSQL does the work: the speed-up is bounded by the cores the server can give the shards.
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
sys.path.insert(0, str(ROOT))

from bench.kpi_recompute import create_pipeline, generate  # noqa: E402  (the same data as the KPI benchmark)

DB = "salesperf_bench_parallel"
TARGET = 1.6
# Every stored column of the KPI rows but the id and the stamp, in a stable order: equal digests, equal rows.
DIGEST_SQL = """
SELECT md5(string_agg(row_to_json(r)::text, '|' ORDER BY r.rep_id, r.day)) FROM (
    SELECT rep_id, day, contacts, discovery_meetings, proposal_meetings, calls, emails, other_meetings, tasks,
           activities_planned, activities_done_as_planned, opportunities_created, created_reached_offer,
           offers_submitted, deals_won, won_revenue, deals_lost, lost_after_offer, csat_sum, csat_count, complaints
    FROM kpis_kpiday) r
"""


def digest() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(DIGEST_SQL)
        return cursor.fetchone()[0]


def start_worker(processes: int, env: dict[str, str]) -> subprocess.Popen:
    from salesperf.celery import app

    name = f"bench-parallel-{processes}-{os.getpid()}@{os.uname().nodename}"
    command = [sys.executable, "-m", "celery", "-A", "salesperf", "worker", "-c", str(processes), "--pool", "prefork"]
    command += ["-n", name, "--without-gossip", "--without-mingle", "--loglevel", "WARNING"]
    worker = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not app.control.ping(destination=[name], timeout=1):
        if worker.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"the worker with {processes} processes did not start")
    return worker


def _peak_kib(pid: int) -> int | None:
    """VmHWM of a live process: its peak resident memory so far, in KiB (Linux)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            return next((int(line.split()[1]) for line in status if line.startswith("VmHWM:")), None)
    except OSError:
        return None


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == pid:
                found.append(int(entry.name))
    return sorted(found)


def worker_peak_rss(worker: subprocess.Popen) -> str:
    """Peak RSS of the worker's main process and of each pool process (read before it stops)."""

    def mib(pid: int) -> str:
        kib = _peak_kib(pid)
        return "?" if kib is None else f"{kib / 1024:.0f}"

    pool = " / ".join(mib(pid) for pid in _children(worker.pid)) or "?"
    return f"peak RSS of the worker: main process {mib(worker.pid)} MiB, pool processes {pool} MiB"


def stop_worker(worker: subprocess.Popen) -> None:
    worker.terminate()
    try:
        worker.wait(timeout=60)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def timed_run(shards: int) -> tuple[float, int]:
    """Seconds from dispatch until the run's end is recorded, and the rows it wrote."""
    from kpis.models import KpiRun
    from kpis.tasks import recompute_in_shards

    started = time.perf_counter()
    run = recompute_in_shards(shards=shards)
    while run.finished_at is None and run.failed_at is None:
        time.sleep(0.05)
        run = KpiRun.objects.get(pk=run.pk)
    seconds = time.perf_counter() - started
    if run.failed_at is not None:
        raise SystemExit(f"run {run.pk} failed: {run.error}")
    return seconds, run.rows_written or 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--activities", type=int, default=500_000)
    parser.add_argument("--opportunities", type=int, default=50_000)
    parser.add_argument("--shards", type=int, default=8, help="shards per run, the same for every worker count")
    parser.add_argument("--runs", type=int, default=2, help="runs per worker count (the best counts)")
    parser.add_argument("--workers", default="1,2", help="worker process counts to measure, comma-separated")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--db", default=DB, help=f"scratch database name (default {DB})")
    args = parser.parse_args()
    counts = [int(n) for n in args.workers.split(",") if n.strip()]  # "" measures the serial runs only

    os.environ["DATABASE_URL"] = scratch.create_database(args.db)
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/14")
    os.environ.setdefault("SALESPERF_TIME_ZONE", "Europe/Budapest")
    worker = None
    try:
        subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"], check=True, cwd=ROOT)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesperf.settings")
        import django

        django.setup()
        from django.db import connection
        from django.db.models import Max

        from kpis.services import kpi_recompute
        from reps.models import Activity, Opportunity, Rep
        from salesperf.celery import app

        assert not app.conf.task_always_eager, "REDIS_URL must reach a Redis server"
        pipeline = create_pipeline()
        started = time.perf_counter()
        with psycopg.connect(scratch.dsn(args.db)) as raw:
            generate(raw, reps=args.reps, activities=args.activities, opportunities=args.opportunities, pipeline_id=pipeline.pk)
            raw.commit()
            raw.autocommit = True
            raw.execute("VACUUM ANALYZE")
        counts_text = (
            f"{Rep.objects.count()} reps, {Activity.objects.count()} activities, {Opportunity.objects.count()} opportunities"
        )
        print(f"data: {counts_text} (generated in {time.perf_counter() - started:.1f} s); {os.cpu_count()} CPUs", flush=True)

        kpi_recompute()  # the first run inserts; the measured ones rewrite the same rows, as the nightly run does
        serial = []
        for _ in range(args.runs):
            started = time.perf_counter()
            rows = kpi_recompute()
            serial.append(time.perf_counter() - started)
        reference = digest()
        print(f"{'serial, in this process (one transaction)':<48} {min(serial):7.2f} s   {rows} rows", flush=True)
        # The nightly run's window: the last four weeks of the data. It reads the activities through
        # their indexes, so its time should follow the window's rows, not the table's (docs/scaling.md).
        last = Activity.objects.aggregate(last=Max("planned_date"))["last"]
        since = last - dt.timedelta(days=27)
        window = []
        for _ in range(args.runs):
            started = time.perf_counter()
            window_rows = kpi_recompute(since=since)
            window.append(time.perf_counter() - started)
        label = f"nightly window from {since} (4 weeks), serial"
        print(f"{label:<48} {min(window):7.2f} s   {window_rows} rows", flush=True)
        kpi_recompute()  # every row stamped alike again

        app.control.purge()
        best: dict[int, float] = {}
        for processes in counts:
            worker = start_worker(processes, dict(os.environ))
            times = []
            for _ in range(args.runs):
                seconds, written = timed_run(args.shards)
                times.append(seconds)
                if digest() != reference:
                    raise SystemExit(f"the run with {processes} worker processes stored other rows than the serial run")
            worker_rss = worker_peak_rss(worker)
            stop_worker(worker)
            worker = None
            best[processes] = min(times)
            runs = " / ".join(f"{t:.2f}" for t in times)
            label = f"parallel, {args.shards} shards, {processes} worker process{'es' if processes > 1 else ''}"
            print(f"{label:<48} {best[processes]:7.2f} s   {written} rows, same as serial (runs: {runs} s)", flush=True)
            print(f"  {worker_rss}", flush=True)
        connection.close()
        if 1 in best and 2 in best:
            ratio = best[1] / best[2]
            verdict = "met" if ratio >= TARGET else "NOT met"
            print(f"\nspeed-up of 2 worker processes over 1: {ratio:.2f}× (target ≥ {TARGET}×: {verdict})")
            print(f"1 process vs serial: {best[1] / min(serial):.2f}× the serial time (the cost of sharding and the chord)")
        # This process ran the serial recomputes; the stopped workers count as its children.
        print(scratch.peak_rss(), "(this process: the serial runs; children: the migrations and the workers)")
    finally:
        if worker is not None:
            stop_worker(worker)
        if not args.keep:
            scratch.drop_database(args.db)


if __name__ == "__main__":
    main()
