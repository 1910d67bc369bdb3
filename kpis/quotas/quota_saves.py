"""Quotas: checks, preview and the all-or-nothing save (docs/quotas.md, "The rules")."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from kpis.models import Quota, QuotaMetric
from kpis.quotas.base import (
    MAX_TARGET,
    QuotaInput,
    RowChange,
    RowError,
    SaveResult,
    _as_target,
    _check_date,
    _Errors,
    _history_user,
    _insert,
    _owner_filter,
    _Owners,
    _reason,
    _write_baseline_history,
    _write_history,
    save_all_or_nothing,
)
from reps.models import ActivityKind

QuotaKey = tuple[int | None, int | None, str, str, dt.date, dt.date]


@dataclass
class _QuotaSlot:
    pk: int | None
    target: Decimal
    row: int | None  # the input row that set it, if any


@dataclass
class _QuotaPlan:
    errors: list[RowError]
    creates: list[tuple[QuotaKey, Decimal]] = field(default_factory=list)
    updates: list[tuple[int, QuotaKey, Decimal, Decimal]] = field(default_factory=list)  # pk, key, old, new
    deletes: list[tuple[int, QuotaKey, Decimal]] = field(default_factory=list)
    unchanged: int = 0
    changes: list[RowChange] = field(default_factory=list)


def _quota_key(row: QuotaInput) -> QuotaKey:
    return (row.rep_id, row.team_id, row.metric, row.activity_kind or "", row.start_date, row.end_date)


def _check_quota_row(errors: _Errors, i: int, row: QuotaInput, owners: _Owners) -> None:
    owners.check(errors, i, row.rep_id, row.team_id)
    if row.metric not in QuotaMetric.values:
        errors.add(
            i,
            "metric",
            _("Unknown metric %(value)r: use one of %(choices)s.")
            % {"value": row.metric, "choices": ", ".join(QuotaMetric.values)},
        )
    elif row.metric == QuotaMetric.ACTIVITIES:
        if row.activity_kind not in ActivityKind.values:
            errors.add(
                i,
                "activity_kind",
                _("The metric 'activities' needs an activity kind: one of %(choices)s.")
                % {"choices": ", ".join(ActivityKind.values)},
            )
    elif row.activity_kind:
        errors.add(i, "activity_kind", _("An activity kind is only for the metric 'activities'; leave it empty."))
    start_ok = _check_date(errors, i, "start_date", row.start_date)
    end_ok = _check_date(errors, i, "end_date", row.end_date)
    if start_ok and end_ok and row.end_date < row.start_date:
        errors.add(i, "end_date", _("The end date is before the start date."))
    if row.target is not None:
        target = _as_target(row.target)
        if target is None or not target.is_finite():
            errors.add(i, "target", _("Enter the target as a number."))
        elif target <= 0:
            errors.add(i, "target", _("The target must be greater than zero (leave it empty to remove the quota)."))
        elif target > MAX_TARGET:
            errors.add(i, "target", _("The target is too large."))
        elif target != target.quantize(Decimal("0.01")):
            errors.add(i, "target", _("The target may have at most two decimal places."))


def _plan_quotas(rows: Sequence[QuotaInput], user: Any, exclude_ids: Collection[int] = ()) -> _QuotaPlan:
    errors = _Errors()
    owners = _Owners.load(rows, user)
    for i, row in enumerate(rows):
        _check_quota_row(errors, i, row, owners)
    good = [(i, row) for i, row in enumerate(rows) if i not in errors.bad_rows]

    # The quotas of the owners involved as they stand, then as they would be with the rows applied.
    groups = {_quota_key(row)[:4] for _i, row in good}
    existing: dict[QuotaKey, _QuotaSlot] = {}
    if groups:
        query = Quota.objects.filter(_owner_filter((g[0], g[1]) for g in groups)).exclude(pk__in=list(exclude_ids))
        for pk, rep_id, team_id, metric, kind, start, end, target in query.values_list(
            "pk", "rep_id", "team_id", "metric", "activity_kind", "start_date", "end_date", "target"
        ):
            if (rep_id, team_id, metric, kind) in groups:
                existing[(rep_id, team_id, metric, kind, start, end)] = _QuotaSlot(pk, target, None)
    final = dict(existing)
    seen: dict[QuotaKey, int] = {}
    for i, row in good:
        key = _quota_key(row)
        if key in seen:
            errors.add(i, None, _("This quota (same owner, metric and dates) is given twice; keep one."))
            continue
        seen[key] = i
        if row.target is None:
            final.pop(key, None)
        else:
            slot = existing.get(key)
            final[key] = _QuotaSlot(slot.pk if slot else None, _as_target(row.target) or Decimal(0), i)

    by_group: dict[tuple, list[tuple[QuotaKey, _QuotaSlot]]] = defaultdict(list)
    for key, slot in final.items():
        by_group[key[:4]].append((key, slot))
    for group, items in by_group.items():
        items.sort(key=lambda item: (item[0][4], item[0][5]))
        reach: tuple[QuotaKey, _QuotaSlot] | None = None  # the quota ending last so far
        for key, slot in items:
            if reach is not None and key[4] <= reach[0][5]:
                other_key, other = reach
                for mine, theirs_key in ((slot, other_key), (other, key)):
                    if mine.row is not None and mine.row not in errors.bad_rows:
                        errors.add(
                            mine.row,
                            None,
                            _(
                                "Overlaps the %(metric)s quota of %(owner)s from %(start)s to %(end)s: quotas of one "
                                "metric for one rep or team must not overlap."
                            )
                            % {
                                "metric": QuotaMetric(group[2]).label,
                                "owner": owners.label(group[0], group[1]),
                                "start": theirs_key[4].isoformat(),
                                "end": theirs_key[5].isoformat(),
                            },
                        )
            if reach is None or key[5] > reach[0][5]:
                reach = (key, slot)

    plan = _QuotaPlan(errors.items)
    if plan.errors:
        return plan
    for key, i in seen.items():
        row = rows[i]
        slot = existing.get(key)
        if row.target is None:
            if slot is None:
                plan.unchanged += 1
                plan.changes.append(RowChange(i, "unchanged", None, None))
            else:
                plan.deletes.append((slot.pk, key, slot.target))  # type: ignore[arg-type]
                plan.changes.append(RowChange(i, "delete", slot.target, None))
        else:
            target = _as_target(row.target) or Decimal(0)
            if slot is None:
                plan.creates.append((key, target))
                plan.changes.append(RowChange(i, "create", None, target))
            elif slot.target == target:
                plan.unchanged += 1
                plan.changes.append(RowChange(i, "unchanged", slot.target, target))
            else:
                plan.updates.append((slot.pk, key, slot.target, target))  # type: ignore[arg-type]
                plan.changes.append(RowChange(i, "update", slot.target, target))
    plan.changes.sort(key=lambda change: change.row)
    return plan


def preview_quotas(rows: Sequence[QuotaInput], *, user: Any) -> tuple[list[RowError], list[RowChange]]:
    """What ``save_quotas`` would do with each row (nothing is written), or why it would refuse."""
    plan = _plan_quotas(list(rows), user)
    return plan.errors, plan.changes


def validate_quotas(rows: Sequence[QuotaInput], *, user: Any, exclude_ids: Collection[int] = ()) -> list[RowError]:
    """Every reason ``save_quotas`` would refuse ``rows`` (empty when they can be saved).

    ``exclude_ids``: check as if these stored quotas were gone (the admin editing one).
    """
    return _plan_quotas(list(rows), user, exclude_ids).errors


def save_quotas(rows: Sequence[QuotaInput], *, user: Any, source: str) -> SaveResult:
    """All-or-nothing upsert keyed on (rep|team, metric, activity_kind, start_date, end_date).

    Validates every row first (start <= end, target > 0, rep xor team, activity kind only and
    always for metric 'activities', the user may edit that rep/team, and after applying all
    rows no two quotas of one owner+metric+kind overlap, checked against the database and the
    other rows); raises QuotaInputError with every bad row and writes nothing. Records history
    (who, when, old -> new, ``source``). ``user`` None means a command line run (all rights).
    """
    return save_all_or_nothing(
        rows,
        plan=lambda rows: _plan_quotas(rows, user),
        apply=lambda plan: _apply_quotas(plan, user, source),
        conflict=_("Another change to these quotas was saved at the same time; nothing was saved. Try again."),
    )


def _update_targets(changes: list[tuple[int, Decimal]]) -> None:
    """Set the target of each quota: one UPDATE ... FROM (VALUES ...) per 1000 rows on
    PostgreSQL (bulk_update's CASE per row grows with the square of the batch there)."""
    if connection.vendor != "postgresql":
        Quota.objects.bulk_update([Quota(pk=pk, target=target) for pk, target in changes], ["target"], batch_size=500)
        return
    table = connection.ops.quote_name(Quota._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(changes), 1000):
            chunk = changes[start : start + 1000]
            values = ", ".join(["(%s::bigint, %s::numeric)"] * len(chunk))
            cursor.execute(
                f"UPDATE {table} AS q SET target = v.target FROM (VALUES {values}) AS v(id, target) WHERE q.id = v.id",
                [value for pair in chunk for value in pair],
            )


QUOTA_COLUMNS = ("rep_id", "team_id", "metric", "activity_kind", "start_date", "end_date", "target")


def _apply_quotas(plan: _QuotaPlan, user: Any, source: str) -> SaveResult:
    stamp = (timezone.now(), getattr(_history_user(user), "pk", None), _reason(source))
    history: list[tuple[Any, ...]] = []

    def record(pk: int, key: QuotaKey, target: Decimal, kind: str) -> None:
        history.append((pk, *key, target, *stamp, kind))

    _write_baseline_history(
        Quota, ("id", *QUOTA_COLUMNS), [*(d[0] for d in plan.deletes), *(u[0] for u in plan.updates)], stamp[0]
    )
    if plan.deletes:
        # A raw delete (no per-object signals): the history rows are written below, in bulk.
        Quota.objects.filter(pk__in=[pk for pk, _key, _target in plan.deletes])._raw_delete(Quota.objects.db)
        for pk, key, target in plan.deletes:
            record(pk, key, target, "-")
    if plan.updates:
        _update_targets([(pk, new) for pk, _key, _old, new in plan.updates])
        for pk, key, _old, new in plan.updates:
            record(pk, key, new, "~")
    ids = _insert(Quota, QUOTA_COLUMNS, [(*key, target) for key, target in plan.creates])
    for pk, (key, target) in zip(ids, plan.creates, strict=True):
        record(pk, key, target, "+")
    _write_history(Quota, ("id", *QUOTA_COLUMNS), history)
    return SaveResult(len(plan.creates), len(plan.updates), len(plan.deletes), plan.unchanged)
