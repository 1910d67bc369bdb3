"""The door through which other apps tell the KPI engine that its inputs changed.

Services that write activities, opportunities, stage and owner changes, feedback or team
memberships call :func:`kpi_inputs_changed` inside their transaction; the recompute is
enqueued once the transaction commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import transaction


def kpi_inputs_changed(*, rep_ids: Iterable[int | None], dates: Iterable[date | None]) -> None:
    """Recompute the KPI rows of ``rep_ids`` for the days in ``dates``, after commit."""
    reps = sorted({r for r in rep_ids if r is not None})
    days = sorted({d for d in dates if d is not None})
    if not reps or not days:
        return

    def enqueue() -> None:
        from kpis import tasks

        tasks.recompute_rep_days.delay(rep_ids=reps, days=[d.isoformat() for d in days])

    transaction.on_commit(enqueue)
