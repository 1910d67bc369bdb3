"""Celery tasks of the KPI engine: thin wrappers around kpis.services.

They take ids and ISO dates, run with ``acks_late`` and are idempotent (the services upsert
under a lock), so a task delivered twice, or run twice at the same time, changes nothing more.

A full recompute (``recompute_kpis --parallel N``, the nightly and weekly runs) is fanned out by
:func:`recompute_in_shards`: a Celery chord whose header is a group of rep shards, any worker
taking any shard, and whose callback records the run's end (kpis.models.KpiRun).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from celery import Task, chord, shared_task
from django.conf import settings
from django.utils import timezone

from kpis import outbox, services
from kpis.models import KpiRun
from reps.models import Rep


@shared_task(bind=True, acks_late=True)
def recompute_rep_days(self: Task, *, rep_ids: list[int], days: list[str], pending_id: int | None = None) -> int:
    """Recompute the KPI rows of these reps for these days (ISO dates), then take the change's
    row out of the outbox (``pending_id``). Idempotent; a failure leaves the row for the flush."""
    try:
        return outbox.pending_recompute_run(rep_ids=rep_ids, days=[dt.date.fromisoformat(d) for d in days], pending_id=pending_id)
    except Exception as exc:
        if pending_id is not None and not self.request.is_eager:  # eager: the caller records it (kpis.hooks)
            outbox.pending_recompute_failed(pending_ids=[pending_id], error=exc)
        raise


@shared_task(acks_late=True)
def flush_pending_recomputes() -> int:
    """Every minute (beat) and when a worker starts: record the worker's heartbeat and run what
    the outbox still holds (recomputes that could not be queued, or whose task failed)."""
    outbox.worker_heartbeat()
    return outbox.pending_recomputes_flush()


# The shards store their result (rows written) for the chord's callback: the one place a
# result backend is used (CELERY_TASK_IGNORE_RESULT is on for every other task).
@shared_task(acks_late=True, ignore_result=False)
def recompute_shard(*, run_id: int, rep_ids: list[int]) -> int:
    """One shard of a run: rewrite its reps' rows in one transaction. Idempotent."""
    return services.kpi_run_shard(run_id=run_id, rep_ids=rep_ids)


@shared_task(acks_late=True)
def finish_recompute_run(written: list[int], *, run_id: int) -> int:
    """The chord's callback: every shard is done; record the run's end and the rows written."""
    total = sum(written)
    services.kpi_run_finish(run_id=run_id, rows_written=total)
    return total


@shared_task
def recompute_run_failed(request: Any, exc: BaseException, traceback: Any, *, run_id: int) -> None:
    """The chord's error callback (a shard failed): record it on the run."""
    services.kpi_run_fail(run_id=run_id, error=exc)


def recompute_in_shards(
    *, since: dt.date | None = None, shards: int | None = None, rep_ids: Sequence[int] | None = None
) -> KpiRun:
    """Fan a recompute of ``rep_ids`` (every rep if None) from ``since`` out as a chord of rep
    shards (``shards``, default KPI_RECOMPUTE_SHARDS, or more for many reps); return the run.

    With a broker, it returns at once and the workers share the shards; without one (eager
    mode) the shards run here, one after the other, and the run has ended when it returns.
    """
    reps = list(rep_ids) if rep_ids is not None else list(Rep.objects.order_by("pk").values_list("pk", flat=True))
    run, parts = services.kpi_run_start(since=since, rep_ids=reps, shards=shards or settings.KPI_RECOMPUTE_SHARDS)
    if not parts:
        return services.kpi_run_finish(run_id=run.pk, rows_written=0)
    header = [recompute_shard.si(run_id=run.pk, rep_ids=part) for part in parts]
    callback = finish_recompute_run.s(run_id=run.pk).on_error(recompute_run_failed.s(run_id=run.pk))
    try:
        chord(header)(callback)
    except Exception as exc:  # eager mode: a shard failed here; with a broker: it could not be queued
        services.kpi_run_fail(run_id=run.pk, error=exc)
        raise
    run.refresh_from_db()
    return run


def _monday(weeks_back: int) -> dt.date:
    today = timezone.localdate()
    return today - dt.timedelta(days=today.weekday()) - dt.timedelta(weeks=weeks_back)


@shared_task(acks_late=True)
def recompute_recent_weeks(*, weeks: int | None = None) -> int:
    """Nightly: recompute every rep's rows from the Monday ``weeks`` weeks back (KPI_NIGHTLY_WEEKS),
    fanned out over the workers in KPI_RECOMPUTE_SHARDS shards. Returns the run's id."""
    weeks = settings.KPI_NIGHTLY_WEEKS if weeks is None else weeks
    return recompute_in_shards(since=_monday(max(weeks - 1, 0))).pk


@shared_task(acks_late=True)
def recompute_previous_week() -> int:
    """Early on Monday: recompute the whole previous week (and everything since) for every rep,
    fanned out like the nightly run. Returns the run's id."""
    return recompute_in_shards(since=_monday(1)).pk
