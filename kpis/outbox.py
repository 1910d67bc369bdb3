"""The KPI engine's outbox: recomputes a change asked for and that have not run yet.

Writes (the services of the outbox) and the one read the pages need, kept together: the
change's transaction writes a :class:`~kpis.models.PendingRecompute` row (kpis.hooks), its
task runs it and deletes it, and the periodic flush runs whatever is left (the broker was
down, a message was lost, a run failed). docs/operations.md tells operators what they see.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.db import transaction
from django.db.models import F, Min, Q
from django.utils import timezone

from kpis.models import PendingRecompute, WorkerHeartbeat
from kpis.services import kpi_recompute_days

logger = logging.getLogger(__name__)

# How long a queued recompute may wait for its task before the flush runs it itself: long
# enough that a healthy worker always comes first, short enough that an outage costs minutes.
FLUSH_AFTER = dt.timedelta(minutes=1)
FLUSH_BATCH = 500


def pending_recompute_failed(*, pending_ids: Iterable[int], error: BaseException) -> None:
    """Note a failed attempt (not queued, or the run failed) on outbox rows; they stay for the flush."""
    PendingRecompute.objects.filter(pk__in=list(pending_ids)).update(
        attempts=F("attempts") + 1, last_error=f"{type(error).__name__}: {error}"[:500]
    )


def pending_recompute_run(*, rep_ids: Iterable[int], days: Iterable[dt.date], pending_id: int | None = None) -> int:
    """Run one change's recompute and take its row out of the outbox, in one transaction."""
    with transaction.atomic():
        written = kpi_recompute_days(rep_ids=rep_ids, days=days)
        if pending_id is not None:
            PendingRecompute.objects.filter(pk=pending_id).delete()
    return written


def pending_recomputes_flush(*, now: dt.datetime | None = None, older_than: dt.timedelta = FLUSH_AFTER) -> int:
    """Run the outbox rows whose task has not run: older than ``older_than``, or failed once.

    Set-based: a batch of rows becomes one recompute of the union of their reps and days (a
    few more rows than strictly needed, each still exact). Rows another flush holds are
    skipped. If a batch fails, its rows are run one by one so that one bad row cannot hold
    back the others; the failures stay in the outbox with their error. Returns the rows run.
    """
    cutoff = (now or timezone.now()) - older_than
    done = 0
    while True:
        with transaction.atomic():
            rows = list(
                PendingRecompute.objects.select_for_update(skip_locked=True)
                .filter(Q(created_at__lt=cutoff) | Q(attempts__gt=0))
                .order_by("pk")[:FLUSH_BATCH]
            )
            if not rows:
                return done
            try:
                with transaction.atomic():
                    kpi_recompute_days(
                        rep_ids={r for row in rows for r in row.rep_ids},
                        days={dt.date.fromisoformat(d) for row in rows for d in row.days},
                    )
                    PendingRecompute.objects.filter(pk__in=[row.pk for row in rows]).delete()
                done += len(rows)
                continue
            except Exception:
                logger.warning("a batch of %d pending KPI recomputes failed; running them one by one", len(rows), exc_info=True)
        failed = []
        for row in rows:
            try:
                pending_recompute_run(rep_ids=row.rep_ids, days=[dt.date.fromisoformat(d) for d in row.days], pending_id=row.pk)
                done += 1
            except Exception as exc:
                logger.exception("pending KPI recompute %s failed", row.pk)
                pending_recompute_failed(pending_ids=[row.pk], error=exc)
                failed.append(row.pk)
        if failed:
            return done  # the rest waits for the next flush rather than looping on the same rows


def worker_heartbeat(*, name: str = "worker", at: dt.datetime | None = None) -> None:
    """Record that a worker is alive and running the periodic tasks (read by /healthz/)."""
    WorkerHeartbeat.objects.update_or_create(name=name, defaults={"beat_at": at or timezone.now()})


def figures_stale_since(*, now: dt.datetime | None = None) -> dt.datetime | None:
    """Since when some KPI rows may be behind their records, or None. One query.

    That is the oldest change whose recompute could not be queued or failed, or has waited
    longer than FLUSH_AFTER for the worker: the broker or the worker is down, and the
    figures catch up once it is back.
    """
    cutoff = (now or timezone.now()) - FLUSH_AFTER
    waiting = PendingRecompute.objects.filter(Q(attempts__gt=0) | Q(created_at__lt=cutoff))
    return waiting.aggregate(since=Min("created_at"))["since"]
