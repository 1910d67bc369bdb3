"""The history of quotas and weekly activity targets, read for a page in one query."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from kpis.models import ActivityTarget, Quota
from kpis.quotas.base import HistoryEntry

_ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}


def _history(model: Any, ids: Iterable[int], value: str) -> dict[int, list[HistoryEntry]]:
    ids = list(ids)
    if not ids:
        return {}
    result: dict[int, list[HistoryEntry]] = defaultdict(list)
    previous: dict[int, Any] = {}
    query = model.history.filter(id__in=ids).select_related("history_user").order_by("id", "history_date", "history_id")
    for record in query:
        user = record.history_user
        old = previous.get(record.id)
        new = getattr(record, value)
        result[record.id].append(
            HistoryEntry(
                when=record.history_date,
                user=(user.get_full_name() or user.get_username()) if user is not None else "",
                old_target=old,
                new_target=None if record.history_type == "-" else new,
                source=record.history_change_reason or "",
                action=_ACTIONS.get(record.history_type, "changed"),
            )
        )
        previous[record.id] = None if record.history_type == "-" else new
    return {pk: entries[::-1] for pk, entries in result.items()}  # newest first


def quota_history(quota_ids: Iterable[int]) -> dict[int, list[HistoryEntry]]:
    """The changes of each quota, newest first, in one query (the grid shows them beside it)."""
    return _history(Quota, quota_ids, "target")


def activity_target_history(target_ids: Iterable[int]) -> dict[int, list[HistoryEntry]]:
    """The changes of each weekly activity target, newest first (``*_target`` = per week)."""
    return _history(ActivityTarget, target_ids, "per_week")
