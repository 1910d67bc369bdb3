"""Weekly activity targets: checks, preview and the all-or-nothing save (docs/quotas.md)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from kpis.models import ActivityTarget
from kpis.quotas.base import (
    MAX_PER_WEEK,
    ActivityTargetInput,
    RowChange,
    RowError,
    SaveResult,
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

TargetKey = tuple[int | None, int | None, str, dt.date]


@dataclass
class _TargetSlot:
    pk: int | None
    end: dt.date | None
    per_week: int
    row: int | None


@dataclass
class _TargetPlan:
    errors: list[RowError]
    creates: list[tuple[TargetKey, dt.date | None, int]] = field(default_factory=list)
    updates: list[tuple[int, TargetKey, dt.date | None, int]] = field(default_factory=list)
    deletes: list[tuple[int, TargetKey, dt.date | None, int]] = field(default_factory=list)
    unchanged: int = 0
    changes: list[RowChange] = field(default_factory=list)


def _check_target_row(errors: _Errors, i: int, row: ActivityTargetInput, owners: _Owners) -> None:
    owners.check(errors, i, row.rep_id, row.team_id)
    if row.kind not in ActivityKind.values:
        errors.add(
            i,
            "kind",
            _("Unknown activity kind %(value)r: use one of %(choices)s.")
            % {"value": row.kind, "choices": ", ".join(ActivityKind.values)},
        )
    start_ok = _check_date(errors, i, "start_date", row.start_date)
    end_ok = _check_date(errors, i, "end_date", row.end_date, required=False)
    if start_ok and end_ok and row.end_date is not None and row.end_date < row.start_date:
        errors.add(i, "end_date", _("The end date is before the start date."))
    if row.per_week is not None:
        if not isinstance(row.per_week, int) or isinstance(row.per_week, bool):
            errors.add(i, "per_week", _("Enter the weekly target as a whole number."))
        elif row.per_week <= 0:
            errors.add(i, "per_week", _("The weekly target must be greater than zero (leave it empty to remove the target)."))
        elif row.per_week > MAX_PER_WEEK:
            errors.add(i, "per_week", _("The weekly target may be at most %(max)s.") % {"max": MAX_PER_WEEK})


def _plan_targets(rows: Sequence[ActivityTargetInput], user: Any, exclude_ids: Collection[int] = ()) -> _TargetPlan:
    errors = _Errors()
    owners = _Owners.load(rows, user)
    for i, row in enumerate(rows):
        _check_target_row(errors, i, row, owners)
    good = [(i, row) for i, row in enumerate(rows) if i not in errors.bad_rows]

    groups = {(row.rep_id, row.team_id, row.kind) for _i, row in good}
    existing: dict[TargetKey, _TargetSlot] = {}
    if groups:
        query = ActivityTarget.objects.filter(_owner_filter((g[0], g[1]) for g in groups)).exclude(pk__in=list(exclude_ids))
        for pk, rep_id, team_id, kind, start, end, per_week in query.values_list(
            "pk", "rep_id", "team_id", "kind", "start_date", "end_date", "per_week"
        ):
            if (rep_id, team_id, kind) in groups:
                existing[(rep_id, team_id, kind, start)] = _TargetSlot(pk, end, per_week, None)
    final = {key: _TargetSlot(s.pk, s.end, s.per_week, None) for key, s in existing.items()}
    seen: dict[TargetKey, int] = {}
    for i, row in good:
        key = (row.rep_id, row.team_id, row.kind, row.start_date)
        if key in seen:
            errors.add(i, None, _("This target (same owner, kind and start) is given twice; keep one."))
            continue
        seen[key] = i
        if row.per_week is None:
            final.pop(key, None)
        else:
            slot = existing.get(key)
            final[key] = _TargetSlot(slot.pk if slot else None, row.end_date, row.per_week, i)

    by_group: dict[tuple, list[tuple[TargetKey, _TargetSlot]]] = defaultdict(list)
    for key, slot in final.items():
        by_group[key[:3]].append((key, slot))
    for group, items in by_group.items():
        items.sort(key=lambda item: item[0][3])
        # An open-ended target followed by a later one ends the day before it (docs/quotas.md).
        for (_key, earlier), (later_key, _later) in itertools.pairwise(items):
            if earlier.end is None:
                earlier.end = later_key[3] - dt.timedelta(days=1)
        reach: tuple[TargetKey, _TargetSlot] | None = None
        for key, slot in items:
            if reach is not None and (reach[1].end is None or key[3] <= reach[1].end):
                for mine, theirs_key, theirs in ((slot, reach[0], reach[1]), (reach[1], key, slot)):
                    if mine.row is not None and mine.row not in errors.bad_rows:
                        errors.add(
                            mine.row,
                            None,
                            _(
                                "Overlaps the weekly %(kind)s target of %(owner)s from %(start)s to %(end)s: targets of "
                                "one kind for one rep or team must not overlap."
                            )
                            % {
                                "kind": ActivityKind(group[2]).label,
                                "owner": owners.label(group[0], group[1]),
                                "start": theirs_key[3].isoformat(),
                                "end": theirs.end.isoformat() if theirs.end else _("open-ended"),
                            },
                        )
            if reach is None or (reach[1].end is not None and (slot.end is None or slot.end > reach[1].end)):
                reach = (key, slot)

    plan = _TargetPlan(errors.items)
    if plan.errors:
        return plan
    for key, slot in final.items():
        before = existing.get(key)
        if before is None:
            plan.creates.append((key, slot.end, slot.per_week))
        elif (before.end, before.per_week) != (slot.end, slot.per_week):
            plan.updates.append((before.pk, key, slot.end, slot.per_week))  # type: ignore[arg-type]
    for key, before in existing.items():
        if key not in final:
            plan.deletes.append((before.pk, key, before.end, before.per_week))  # type: ignore[arg-type]
    for key, i in seen.items():
        before, after = existing.get(key), final.get(key)
        if after is None:
            action = "unchanged" if before is None else "delete"
        elif before is None:
            action = "create"
        else:
            action = "unchanged" if (before.end, before.per_week) == (after.end, after.per_week) else "update"
        plan.unchanged += action == "unchanged"
        plan.changes.append(
            RowChange(
                i, action, before.per_week if before else None, after.per_week if after else None, after.end if after else None
            )
        )
    # An earlier target the input does not name but a row ends: listed under the row ending it,
    # so that a preview's counts agree with the save's.
    for _pk, key, end, per_week in plan.updates:
        if key not in seen:
            after = by_group[key[:3]]
            later = next(k for k, _slot in after if k[3] > key[3])
            plan.changes.append(RowChange(seen[later], "update", per_week, per_week, end, earlier_start=key[3]))
    plan.changes.sort(key=lambda change: (change.row, change.earlier_start is None))
    return plan


def preview_activity_targets(rows: Sequence[ActivityTargetInput], *, user: Any) -> tuple[list[RowError], list[RowChange]]:
    """What ``save_activity_targets`` would do with each row, and with each earlier open-ended
    target a row ends (``RowChange.earlier_start`` set, listed just before the row's own change)."""
    plan = _plan_targets(list(rows), user)
    return plan.errors, plan.changes


def validate_activity_targets(
    rows: Sequence[ActivityTargetInput], *, user: Any, exclude_ids: Collection[int] = ()
) -> list[RowError]:
    """Every reason ``save_activity_targets`` would refuse ``rows`` (empty when they can be saved)."""
    return _plan_targets(list(rows), user, exclude_ids).errors


def save_activity_targets(rows: Sequence[ActivityTargetInput], *, user: Any, source: str) -> SaveResult:
    """All-or-nothing upsert keyed on (rep|team, kind, start_date), with the rules of quotas.

    A target starting after an open-ended one of the same owner and kind ends the earlier one
    the day before (counted as an update); any other overlap is an error.
    """
    return save_all_or_nothing(
        rows,
        plan=lambda rows: _plan_targets(rows, user),
        apply=lambda plan: _apply_targets(plan, user, source),
        conflict=_("Another change to these targets was saved at the same time; nothing was saved. Try again."),
    )


TARGET_COLUMNS = ("rep_id", "team_id", "kind", "start_date", "end_date", "per_week")


def _apply_targets(plan: _TargetPlan, user: Any, source: str) -> SaveResult:
    stamp = (timezone.now(), getattr(_history_user(user), "pk", None), _reason(source))
    history: list[tuple[Any, ...]] = []

    def record(pk: int, key: TargetKey, end: dt.date | None, per_week: int, kind: str) -> None:
        history.append((pk, *key, end, per_week, *stamp, kind))

    _write_baseline_history(
        ActivityTarget, ("id", *TARGET_COLUMNS), [d[0] for d in plan.deletes] + [u[0] for u in plan.updates], stamp[0]
    )
    if plan.deletes:
        # A raw delete (no per-object signals): the history rows are written below, in bulk.
        ActivityTarget.objects.filter(pk__in=[d[0] for d in plan.deletes])._raw_delete(ActivityTarget.objects.db)
        for pk, key, end, per_week in plan.deletes:
            record(pk, key, end, per_week, "-")
    if plan.updates:
        # Only ends and weekly numbers change (a start is part of the key), so no state in
        # between overlaps on PostgreSQL: the earlier targets are shortened before new ones come.
        ActivityTarget.objects.bulk_update(
            [ActivityTarget(pk=pk, end_date=end, per_week=per_week) for pk, _key, end, per_week in plan.updates],
            ["end_date", "per_week"],
            batch_size=500,
        )
        for pk, key, end, per_week in plan.updates:
            record(pk, key, end, per_week, "~")
    ids = _insert(ActivityTarget, TARGET_COLUMNS, [(*key, end, per_week) for key, end, per_week in plan.creates])
    for pk, (key, end, per_week) in zip(ids, plan.creates, strict=True):
        record(pk, key, end, per_week, "+")
    _write_history(ActivityTarget, ("id", *TARGET_COLUMNS), history)
    return SaveResult(len(plan.creates), len(plan.updates), len(plan.deletes), plan.unchanged)
