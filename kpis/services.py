"""Writes of the KPI engine: recomputing the stored per-rep daily KPI rows (kpis.models.KpiDay).

Both entry points run one set-based upsert (kpis/sql.py) in a transaction and are idempotent:
running them twice, or twice at the same time, leaves the same rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from kpis import sql
from reps.models import OpportunityOwnerChange
from salesperf import dates


def _co_owners(rep_ids: list[int]) -> set[int]:
    """Every rep in the owner history of the deals these reps have owned. One query."""
    deals = OpportunityOwnerChange.objects.filter(to_owner_id__in=rep_ids).values("opportunity_id")
    owners = OpportunityOwnerChange.objects.filter(opportunity_id__in=deals).order_by().values_list("to_owner_id", flat=True)
    return set(owners.distinct())


def kpi_recompute(*, since: dt.date | None = None, rep_ids: Iterable[int] | None = None) -> int:
    """Recompute the stored KPI rows from ``since`` (all history if None) for ``rep_ids``
    (all reps if None), idempotently. Returns the number of rows written."""
    reps = sorted(set(rep_ids)) if rep_ids is not None else None
    with transaction.atomic():
        return sql.upsert_days(dates=sql.DateFilter(since=since), rep_ids=reps, computed_at=timezone.now())


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
