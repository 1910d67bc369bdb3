"""The door through which other apps tell the KPI engine that its inputs changed.

Services that write activities, opportunities, stage and owner changes, feedback or team
memberships call :func:`kpi_inputs_changed` inside their transaction. It writes what to
recompute into the outbox (:class:`kpis.models.PendingRecompute`) in that same transaction,
and queues the recompute once the transaction commits. If the broker cannot take the task,
the write still succeeds: the outbox row stays and the worker runs it when the broker is
back (``kpis.tasks.flush_pending_recomputes``), so no recompute is ever lost.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date

from django.db import transaction

logger = logging.getLogger(__name__)


def kpi_inputs_changed(*, rep_ids: Iterable[int | None], dates: Iterable[date | None]) -> None:
    """Recompute the KPI rows of ``rep_ids`` for the days in ``dates``, after commit."""
    from kpis.models import PendingRecompute

    reps = sorted({r for r in rep_ids if r is not None})
    days = sorted({d.isoformat() for d in dates if d is not None})
    if not reps or not days:
        return
    pending = PendingRecompute.objects.create(rep_ids=reps, days=days)
    transaction.on_commit(lambda: enqueue_recompute(pending.pk, reps, days))


def enqueue_recompute(pending_id: int, rep_ids: list[int], days: list[str]) -> None:
    """Queue the recompute of an outbox row; on any failure keep the row for the next flush."""
    from kpis import outbox, tasks

    try:
        tasks.recompute_rep_days.delay(rep_ids=rep_ids, days=days, pending_id=pending_id)
    except Exception as exc:  # broker down, or (eager mode) the recompute itself failed: the write stands
        logger.warning("KPI recompute could not be queued; it stays in the outbox", exc_info=True)
        try:
            outbox.pending_recompute_failed(pending_ids=[pending_id], error=exc)
        except Exception:  # the row is still there; the flush runs it whatever its counters say
            logger.warning("could not record the failed attempt of KPI recompute %s", pending_id, exc_info=True)
