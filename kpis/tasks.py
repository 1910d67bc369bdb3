"""Celery tasks of the KPI engine: thin wrappers around kpis.services."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True)
def recompute_rep_days(*, rep_ids: list[int], days: list[str]) -> None:
    """Recompute the KPI rows of these reps for these days (ISO dates). Idempotent."""
    # Filled in by the KPI engine.
    return None
