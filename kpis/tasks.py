"""Celery tasks of the KPI engine: thin wrappers around kpis.services.

They take ids and ISO dates, run with ``acks_late`` and are idempotent (the services upsert
under a lock), so a task delivered twice, or run twice at the same time, changes nothing more.
"""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from kpis import services


@shared_task(acks_late=True)
def recompute_rep_days(*, rep_ids: list[int], days: list[str]) -> int:
    """Recompute the KPI rows of these reps for these days (ISO dates). Idempotent."""
    return services.kpi_recompute_days(rep_ids=rep_ids, days=[dt.date.fromisoformat(d) for d in days])


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
