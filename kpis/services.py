"""Writes of the KPI engine: recomputing the stored per-rep daily KPI rows (kpis.models.KpiDay).

Both entry points run one set-based upsert (kpis/sql.py) in a transaction and are idempotent:
running them twice, or twice at the same time, leaves the same rows. A full recompute can also
be split into shards of reps, each its own transaction, that Celery workers run side by side
(``kpi_run_*``, kpis.tasks): the rows are the same as one serial run's.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from kpis import sql
from kpis.models import KpiRun
from reps.models import OpportunityOwnerChange
from salesperf import dates


def _co_owners(rep_ids: list[int]) -> set[int]:
    """Every rep in the owner history of the deals these reps have owned. One query."""
    if connection.vendor == "postgresql":
        # The deals as an array, looked up one by one by their index: as "IN (subquery)" the
        # planner hash-joins the whole owner history (1.1 M rows at 10×) for a few hundred deals.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT DISTINCT h.to_owner_id FROM reps_opportunityownerchange h WHERE h.opportunity_id = ANY(ARRAY("
                "SELECT oc.opportunity_id FROM reps_opportunityownerchange oc WHERE oc.to_owner_id = ANY(%s)))",
                [list(rep_ids)],
            )
            return {row[0] for row in cursor.fetchall()}
    deals = OpportunityOwnerChange.objects.filter(to_owner_id__in=rep_ids).values("opportunity_id")
    owners = OpportunityOwnerChange.objects.filter(opportunity_id__in=deals).order_by().values_list("to_owner_id", flat=True)
    return set(owners.distinct())


def kpi_recompute(
    *, since: dt.date | None = None, rep_ids: Iterable[int] | None = None, computed_at: dt.datetime | None = None
) -> int:
    """Recompute the stored KPI rows from ``since`` (all history if None) for ``rep_ids``
    (all reps if None), idempotently, in one transaction: the reps' rows in range are rewritten
    and the ones left empty deleted. ``computed_at`` (default now) stamps the rows. Returns the
    number of rows written."""
    reps = sorted(set(rep_ids)) if rep_ids is not None else None
    with transaction.atomic():
        sql.use_batch_memory(settings.KPI_RECOMPUTE_WORK_MEM_MB)
        return sql.upsert_days(dates=sql.DateFilter(since=since), rep_ids=reps, computed_at=computed_at or timezone.now())


# Reps per shard at most, whatever the number of shards asked for: a shard's transaction takes
# one advisory lock per rep (kpis.sql.lock_reps), and smaller shards share out more evenly.
SHARD_REPS_MAX = 500


def kpi_shards(rep_ids: Iterable[int], shards: int) -> list[list[int]]:
    """Split the reps into ``shards`` (or more, of SHARD_REPS_MAX reps at most) contiguous
    ranges of ids, as even as can be; never an empty shard."""
    reps = sorted(set(rep_ids))
    if not reps:
        return []
    count = min(len(reps), max(shards, 1, math.ceil(len(reps) / SHARD_REPS_MAX)))
    size, extra = divmod(len(reps), count)
    out, first = [], 0
    for index in range(count):
        last = first + size + (1 if index < extra else 0)
        out.append(reps[first:last])
        first = last
    return out


def kpi_run_start(*, since: dt.date | None, rep_ids: Sequence[int], shards: int) -> tuple[KpiRun, list[list[int]]]:
    """Record the start of a sharded recompute of ``rep_ids``; return it with its shards."""
    parts = kpi_shards(rep_ids, shards)
    run = KpiRun.objects.create(started_at=timezone.now(), since=since, reps=len(set(rep_ids)), shards=len(parts))
    return run, parts


def kpi_run_shard(*, run_id: int, rep_ids: Sequence[int]) -> int:
    """Recompute one shard of a run: its reps' rows, stamped with the run's start, in one
    transaction. Idempotent: a shard run twice (a redelivered task) writes the same rows."""
    run = KpiRun.objects.get(pk=run_id)
    return kpi_recompute(since=run.since, rep_ids=rep_ids, computed_at=run.started_at)


def kpi_run_finish(*, run_id: int, rows_written: int) -> KpiRun:
    """Record the end of a run once all its shards are done (the chord's callback)."""
    KpiRun.objects.filter(pk=run_id).update(finished_at=timezone.now(), rows_written=rows_written)
    return KpiRun.objects.get(pk=run_id)


def kpi_run_fail(*, run_id: int, error: BaseException | str) -> None:
    """Record that a shard of the run failed: the run will not finish (run it again: it is idempotent)."""
    text = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    KpiRun.objects.filter(pk=run_id, finished_at__isnull=True).update(failed_at=timezone.now(), error=text[:500])


def kpi_recompute_days(*, rep_ids: Iterable[int], days: Iterable[dt.date]) -> int:
    """Recompute the rows of these reps that cover these days (what a change touched).

    The reps who owned, at some time, a deal of these reps are recomputed too: moving a deal's
    close date before a reassignment credits the earlier owner (docs/kpis.md, "Who gets the credit").
    """
    reps = sorted(set(rep_ids))
    day_list = sorted(d for d in set(days) if dates.in_range(d))  # no KPI row lies outside 1900–2999
    if not reps or not day_list:
        return 0
    with transaction.atomic():
        reps = sorted(set(reps) | _co_owners(reps))
        return sql.upsert_days(dates=sql.DateFilter(days=day_list), rep_ids=reps, computed_at=timezone.now())
