"""manage.py recompute_kpis --parallel N: a chord of rep shards gives the serial run's rows."""

from __future__ import annotations

import datetime as dt
import threading
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from kpis import services, tasks
from kpis.models import KpiDay, KpiRun, KpiStatus, KpiWonCycle
from reps import services as rep_services
from reps.models import ActivityKind, Rep
from tests.factories import RepFactory, TeamFactory
from tests.kpis.kpi_helpers import at, done, feedback, move, opp, planned

# Every row a run writes carries the run's start; both runs start at this instant here.
FIXED_NOW = dt.datetime(2025, 6, 2, 8, 30, tzinfo=dt.UTC)


def test_shards_are_contiguous_even_and_never_empty():
    assert services.kpi_shards([5, 1, 3, 2, 4], 2) == [[1, 2, 3], [4, 5]]
    assert services.kpi_shards([1, 2], 8) == [[1], [2]]  # no empty shard
    assert services.kpi_shards([], 4) == []
    assert services.kpi_shards([3, 3, 1], 1) == [[1, 3]]


def test_many_reps_make_more_shards_than_asked(monkeypatch):
    monkeypatch.setattr(services, "SHARD_REPS_MAX", 10)
    shards = services.kpi_shards(range(1, 26), 2)
    assert [len(s) for s in shards] == [9, 8, 8]
    assert [r for s in shards for r in s] == list(range(1, 26))


def make_history() -> list[Rep]:
    """Six reps in two teams: activities planned and done, feedback, deals won and lost, and deals
    handed over between reps that land in different shards (the credit crosses shards)."""
    team, other_team = TeamFactory(), TeamFactory()
    reps = [RepFactory(team=team if i < 3 else other_team) for i in range(6)]
    for i, rep in enumerate(reps):
        done(rep, ActivityKind.CALL, "2025-03-03", hour=9 + i)
        done(rep, ActivityKind.DISCOVERY_MEETING, "2025-03-04")
        done(rep, ActivityKind.EMAIL, "2025-03-10", planned="2025-03-10")
        planned(rep, ActivityKind.PROPOSAL_MEETING, "2025-03-12")
        feedback(rep, "2025-03-05", score=1 + i % 5, complaint=i % 2 == 0)
        won = opp(rep, "2025-02-10", stage_name="Proposal", amount=f"{100 + i}.50")
        move(won, "Won", f"2025-03-{10 + i:02d}")
        lost = opp(rep, "2025-02-11", stage_name="Proposal", amount="80.00")
        move(lost, "Lost", "2025-03-20")
        handed = opp(reps[(i + 3) % 6], "2025-02-12", stage_name="Discovery", amount=f"{300 + i}.00")
        rep_services.opportunity_reassign(opportunity=handed, owner=rep, at=at("2025-02-20"))
        move(handed, "Won", "2025-03-25")
    return reps


def stored_rows() -> dict[str, list[dict[str, Any]]]:
    """Every column of every stored KPI row but the surrogate key ``id`` (a sequence value, new at
    each insert), in a stable order: rows are identified by (rep, day[, cycle])."""

    def rows(model: Any, order: tuple[str, ...]) -> list[dict[str, Any]]:
        names = [f.attname for f in model._meta.concrete_fields if f.attname != "id"]
        return list(model.objects.order_by(*order).values(*names))

    return {
        "days": rows(KpiDay, ("rep_id", "day")),
        "cycles": rows(KpiWonCycle, ("rep_id", "day", "cycle_days")),
        "status": rows(KpiStatus, ("rep_id",)),
    }


def clear_rows() -> None:
    KpiDay.objects.all().delete()
    KpiWonCycle.objects.all().delete()
    KpiStatus.objects.all().delete()


def run(*args: str) -> str:
    out = StringIO()
    call_command("recompute_kpis", "--no-progress", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def serial_then_parallel(monkeypatch, *args: str) -> tuple[dict, dict, str]:
    monkeypatch.setattr(timezone, "now", lambda: FIXED_NOW)
    clear_rows()
    run(*args)
    serial = stored_rows()
    clear_rows()
    output = run("--parallel", "3", *args)
    return serial, stored_rows(), output


@pytest.mark.django_db
def test_a_parallel_run_writes_the_serial_runs_rows_column_for_column(monkeypatch):
    make_history()
    serial, parallel, output = serial_then_parallel(monkeypatch)
    assert len(serial["days"]) > 30 and serial["cycles"] and len(serial["status"]) == 6  # a real comparison
    assert parallel == serial
    assert "in 3 shards" in output
    run_row = KpiRun.objects.get()
    assert (run_row.reps, run_row.shards, run_row.started_at) == (6, 3, FIXED_NOW)
    assert run_row.finished_at is not None and run_row.failed_at is None
    assert run_row.rows_written == len(serial["days"])


@pytest.mark.django_db
def test_a_parallel_run_since_a_date_matches_the_serial_one(monkeypatch):
    make_history()
    serial, parallel, _output = serial_then_parallel(monkeypatch, "--since", "2025-03-10")
    assert serial["days"] and parallel == serial


@pytest.mark.django_db
def test_a_parallel_run_over_stored_rows_leaves_them_as_they_are(monkeypatch):
    make_history()
    monkeypatch.setattr(timezone, "now", lambda: FIXED_NOW)
    run()
    before = stored_rows()
    run("--parallel", "2")
    run("--parallel", "2")  # idempotent: a shard delivered twice changes nothing either
    assert stored_rows() == before


@pytest.mark.django_db
def test_the_nightly_run_is_fanned_out(settings, rep, other_rep):
    settings.KPI_RECOMPUTE_SHARDS = 2
    done(rep, ActivityKind.CALL, timezone.localdate().isoformat())
    clear_rows()
    run_id = tasks.recompute_recent_weeks.delay().get()
    run_row = KpiRun.objects.get(pk=run_id)
    assert (run_row.shards, run_row.reps, run_row.rows_written) == (2, 2, 1)
    assert run_row.since == timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday(), weeks=3)
    assert KpiDay.objects.get().contacts == 1


@pytest.mark.django_db
def test_a_failing_shard_marks_the_run_failed(monkeypatch, rep):
    def broken(**kwargs: Any) -> int:
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "kpi_run_shard", broken)
    with pytest.raises(CommandError, match="disk full"):
        run("--parallel", "2")
    run_row = KpiRun.objects.get()
    assert run_row.finished_at is None and run_row.failed_at is not None
    assert run_row.error == "RuntimeError: disk full"


@pytest.mark.django_db
def test_zero_shards_are_refused(rep):
    with pytest.raises(CommandError, match="--parallel: expected a number of shards of 1 or more, got 0"):
        run("--parallel", "0")


def test_the_shard_tasks_are_acknowledged_late():
    # A worker that dies mid-shard leaves the message in the queue: another worker rewrites the same rows.
    assert tasks.recompute_shard.acks_late and tasks.finish_recompute_run.acks_late
    assert tasks.recompute_shard.ignore_result is False  # the chord's callback needs the shards' results


@pytest.mark.django_db(transaction=True)
def test_recomputes_of_other_reps_do_not_wait_and_of_the_same_rep_do(rep, other_rep):
    """The advisory locks: per rep for a shard, everything for a run over all reps."""
    from django.db import connection, transaction
    from django.db.utils import OperationalError

    from kpis import sql

    if connection.vendor != "postgresql":
        pytest.skip("the advisory locks are PostgreSQL's")
    holding, release = threading.Event(), threading.Event()

    def hold_a_shard() -> None:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                sql.lock_reps(cursor, [rep.pk])
                holding.set()
                release.wait(30)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_a_shard)
    holder.start()
    try:
        assert holding.wait(30)

        def lock(rep_ids: list[int] | None) -> None:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '300ms'")
                sql.lock_reps(cursor, rep_ids)

        lock([other_rep.pk])  # another shard's reps: at once
        with pytest.raises(OperationalError, match="lock timeout"):
            lock([other_rep.pk, rep.pk])  # a recompute touching the held rep waits
        with pytest.raises(OperationalError, match="lock timeout"):
            lock(None)  # a run over all reps waits for every shard
    finally:
        release.set()
        holder.join(30)
