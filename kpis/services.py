"""Writes of the KPI engine: recomputing the stored KPI rows. (Implemented by the KPI engine work.)"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable


def kpi_recompute(*, since: dt.date | None = None, rep_ids: Iterable[int] | None = None) -> int:
    """Recompute the stored KPI rows from ``since`` (all history if None) for ``rep_ids``
    (all reps if None), idempotently. Returns the number of rows written."""
    return 0


def kpi_recompute_days(*, rep_ids: Iterable[int], days: Iterable[dt.date]) -> int:
    """Recompute the rows of these reps that cover these days (what a change touched)."""
    return 0
