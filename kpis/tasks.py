"""Celery tasks of the KPI engine: thin wrappers around kpis.services.

They take ids and ISO dates, run with ``acks_late`` and are idempotent (the services upsert
under a lock), so a task delivered twice, or run twice at the same time, changes nothing more.
"""

from __future__ import annotations

import datetime as dt

from celery import Task, shared_task
from django.conf import settings
from django.utils import timezone

from kpis import outbox, services


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


@shared_task(acks_late=True)
def recompute_recent_weeks(*, weeks: int | None = None) -> int:
    """Nightly: recompute every rep's rows from the Monday ``weeks`` weeks back (KPI_NIGHTLY_WEEKS)."""
    weeks = settings.KPI_NIGHTLY_WEEKS if weeks is None else weeks
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday()) - dt.timedelta(weeks=max(weeks - 1, 0))
    return services.kpi_recompute(since=monday)


@shared_task(acks_late=True)
def recompute_previous_week() -> int:
    """Early on Monday: recompute the whole previous week (and everything since) for every rep."""
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday()) - dt.timedelta(weeks=1)
    return services.kpi_recompute(since=monday)
