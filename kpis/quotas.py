"""Writes of quotas and weekly activity targets: the one door for the quota grid, the API,
file uploads, the import and the admin (docs/quotas.md).

Every save validates all rows first and writes nothing if any row is bad (``QuotaInputError``
lists every bad row with a readable reason), then upserts in a few bulk queries and records
who changed what, when, and from where (django-simple-history; ``source`` is the change
reason). The rules are those of docs/kpis.md, "Quota": quotas of one metric (and activity
kind) for one rep or one team never overlap; PostgreSQL also refuses overlaps by an
exclusion constraint, which these checks keep users from ever meeting.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kpis.models import ActivityTarget, Quota, QuotaMetric
from reps import access
from reps.models import ActivityKind, Rep, Team

MIN_YEAR, MAX_YEAR = 1900, 2999
MAX_TARGET = Decimal("999999999999.99")  # the MONEY field: 14 digits, 2 decimal places
MAX_PER_WEEK = 10_000
REASON_LENGTH = 100  # simple_history's change reason column


@dataclass(frozen=True)
class QuotaInput:
    rep_id: int | None  # exactly one of rep_id / team_id
    team_id: int | None
    metric: str  # kpis.models.QuotaMetric value
    activity_kind: str  # "" unless metric == "activities"
    start_date: dt.date
    end_date: dt.date  # inclusive
    target: Decimal | None  # None = remove the quota with exactly this key, if any


@dataclass(frozen=True)
class ActivityTargetInput:
    rep_id: int | None  # exactly one of rep_id / team_id (a team's target is the default of its reps)
    team_id: int | None
    kind: str  # reps.models.ActivityKind value
    start_date: dt.date
    end_date: dt.date | None  # inclusive; None = open-ended
    per_week: int | None  # None = remove the target with exactly this key, if any


@dataclass(frozen=True)
class RowError:
    row: int  # index of the input row (0-based); callers map it to a cell or a file line
    field: str | None  # "target", "start_date", "rep", ... or None for the whole row
    message: str  # translated, readable by an admin; never a raw constraint name


class QuotaInputError(Exception):
    """Some rows cannot be saved; ``errors`` lists every bad row. Nothing was written."""

    def __init__(self, errors: Iterable[RowError]) -> None:
        self.errors: list[RowError] = sorted(errors, key=lambda e: e.row)
        super().__init__("; ".join(f"row {e.row}: {e.message}" for e in self.errors[:5]))


@dataclass(frozen=True)
class SaveResult:
    created: int
    updated: int
    deleted: int
    unchanged: int


@dataclass(frozen=True)
class RowChange:
    """What saving would do with one input row (the preview of an upload)."""

    row: int
    action: str  # "create", "update", "delete" or "unchanged"
    old: Decimal | int | None  # the stored target (per week for activity targets)
    new: Decimal | int | None
    end: dt.date | None = None  # activity targets: the end it would have (a later target may end it)


@dataclass(frozen=True)
class HistoryEntry:
    when: dt.datetime
    user: str  # the user's name, "" when made by a command or the system
    old_target: Decimal | int | None  # None when created
    new_target: Decimal | int | None  # None when deleted
    source: str  # "grid", "api", "upload: targets.xlsx", "import", "admin", ...
    action: str  # "created", "changed" or "deleted"


# --- shared checks ------------------------------------------------------------------------


class _Errors:
    def __init__(self) -> None:
        self.items: list[RowError] = []
        self.bad_rows: set[int] = set()

    def add(self, row: int, field_name: str | None, message: str) -> None:
        self.items.append(RowError(row, field_name, message))
        self.bad_rows.add(row)


def _check_date(errors: _Errors, row: int, field_name: str, value: Any, *, required: bool = True) -> bool:
    if value is None and not required:
        return True
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        errors.add(row, field_name, _("Enter a date (YYYY-MM-DD)."))
        return False
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        errors.add(
            row, field_name, _("Enter a date between the years %(low)s and %(high)s.") % {"low": MIN_YEAR, "high": MAX_YEAR}
        )
        return False
    return True


@dataclass
class _Owners:
    """The reps and teams the rows name, loaded in two queries, and who may edit them."""

    reps: dict[int, Rep]
    teams: dict[int, Team]
    editable_team_ids: frozenset[int] | None  # None: every team (admins, commands)
    may_edit_any: bool

    @classmethod
    def load(cls, rows: Sequence[Any], user: Any) -> _Owners:
        rep_ids = {r.rep_id for r in rows if isinstance(r.rep_id, int)}
        team_ids = {r.team_id for r in rows if isinstance(r.team_id, int)}
        reps = {rep.pk: rep for rep in Rep.objects.filter(pk__in=rep_ids).select_related("user")} if rep_ids else {}
        teams = {team.pk: team for team in Team.objects.filter(pk__in=team_ids)} if team_ids else {}
        if user is None or access.is_admin(user):
            return cls(reps, teams, None, True)
        may_edit = access.can_edit_quotas(user)
        return cls(reps, teams, access.managed_team_ids(user) if may_edit else frozenset(), may_edit)

    def check(self, errors: _Errors, row: int, rep_id: Any, team_id: Any) -> bool:
        if (rep_id is None) == (team_id is None):
            errors.add(row, None, _("Give either a rep or a team, not both and not neither."))
            return False
        if not self.may_edit_any:
            errors.add(row, None, _("You may not change quotas or activity targets."))
            return False
        if rep_id is not None:
            rep = self.reps.get(rep_id) if isinstance(rep_id, int) else None
            if rep is None:
                errors.add(row, "rep", _("There is no rep with id %(id)s.") % {"id": rep_id})
                return False
            if self.editable_team_ids is not None and rep.team_id not in self.editable_team_ids:
                errors.add(row, "rep", _("You may not change the targets of this rep."))
                return False
            return True
        team = self.teams.get(team_id) if isinstance(team_id, int) else None
        if team is None:
            errors.add(row, "team", _("There is no team with id %(id)s.") % {"id": team_id})
            return False
        if self.editable_team_ids is not None and team.pk not in self.editable_team_ids:
            errors.add(row, "team", _("You may not change the targets of this team."))
            return False
        return True

    def label(self, rep_id: int | None, team_id: int | None) -> str:
        if rep_id is not None:
            rep = self.reps.get(rep_id)
            return rep.name if rep else str(rep_id)
        team = self.teams.get(team_id) if team_id is not None else None
        return team.name if team else str(team_id)


def _owner_filter(keys: Iterable[tuple[int | None, int | None]]) -> Q:
    keys = list(keys)
    rep_ids = {rep for rep, _team in keys if rep is not None}
    team_ids = {team for rep, team in keys if rep is None and team is not None}
    return Q(rep_id__in=rep_ids) | Q(team_id__in=team_ids)


def _as_target(value: Any) -> Decimal | None:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        return None
    try:
        return Decimal(str(value)) if isinstance(value, (int, float, str)) else None
    except InvalidOperation:
        return None


def _history_user(user: Any) -> Any:
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def _reason(source: str) -> str:
    return source[:REASON_LENGTH]


# --- quotas -------------------------------------------------------------------------------

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
    rows = list(rows)
    try:
        with transaction.atomic():
            plan = _plan_quotas(rows, user)
            if plan.errors:
                raise QuotaInputError(plan.errors)
            return _apply_quotas(plan, user, source)
    except IntegrityError:
        # Someone saved a conflicting quota between our check and our write (PostgreSQL's
        # exclusion constraint caught it): check again to tell which rows, never the raw error.
        errors = _plan_quotas(rows, user).errors or [
            RowError(0, None, _("Another change to these quotas was saved at the same time; nothing was saved. Try again."))
        ]
        raise QuotaInputError(errors) from None


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
HISTORY_COLUMNS = ("history_date", "history_user_id", "history_change_reason", "history_type")


def _insert(model: Any, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> list[int]:
    """Insert ``rows`` (values of ``columns``) and return their new ids, in order.

    On PostgreSQL the ids are drawn from the table's sequence first and the rows go in with
    one COPY: the ORM's bulk insert spends most of a grid's save preparing values."""
    if not rows:
        return []
    if connection.vendor != "postgresql":
        created = model.objects.bulk_create([model(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=1000)
        return [obj.pk for obj in created]
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, len(rows)])
        ids = [row[0] for row in cursor.fetchall()]
        _copy(cursor, table, ("id", *columns), [(pk, *row) for pk, row in zip(ids, rows, strict=True)])
    return ids


def _copy(cursor: Any, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    # The raw psycopg cursor: wrap its errors as Django's (an overlap is an IntegrityError).
    with (
        connection.wrap_database_errors,
        cursor.cursor.copy(f"COPY {connection.ops.quote_name(table)} ({names}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def _write_history(model: Any, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """The history rows of one save (``columns`` + HISTORY_COLUMNS), in one COPY on PostgreSQL."""
    if not rows:
        return
    History = model.history.model
    names = (*columns, *HISTORY_COLUMNS)
    if connection.vendor != "postgresql":
        History.objects.bulk_create([History(**dict(zip(names, row, strict=True))) for row in rows], batch_size=1000)
        return
    with connection.cursor() as cursor:
        _copy(cursor, History._meta.db_table, names, rows)


def _apply_quotas(plan: _QuotaPlan, user: Any, source: str) -> SaveResult:
    stamp = (timezone.now(), getattr(_history_user(user), "pk", None), _reason(source))
    history: list[tuple[Any, ...]] = []

    def record(pk: int, key: QuotaKey, target: Decimal, kind: str) -> None:
        history.append((pk, *key, target, *stamp, kind))

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


# --- weekly activity targets --------------------------------------------------------------

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
    plan.changes.sort(key=lambda change: change.row)
    return plan


def preview_activity_targets(rows: Sequence[ActivityTargetInput], *, user: Any) -> tuple[list[RowError], list[RowChange]]:
    """What ``save_activity_targets`` would do with each row; earlier open-ended targets it would
    end are not rows of the input (``SaveResult.updated`` counts them)."""
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
    rows = list(rows)
    try:
        with transaction.atomic():
            plan = _plan_targets(rows, user)
            if plan.errors:
                raise QuotaInputError(plan.errors)
            return _apply_targets(plan, user, source)
    except IntegrityError:
        errors = _plan_targets(rows, user).errors or [
            RowError(0, None, _("Another change to these targets was saved at the same time; nothing was saved. Try again."))
        ]
        raise QuotaInputError(errors) from None


TARGET_COLUMNS = ("rep_id", "team_id", "kind", "start_date", "end_date", "per_week")


def _apply_targets(plan: _TargetPlan, user: Any, source: str) -> SaveResult:
    stamp = (timezone.now(), getattr(_history_user(user), "pk", None), _reason(source))
    history: list[tuple[Any, ...]] = []

    def record(pk: int, key: TargetKey, end: dt.date | None, per_week: int, kind: str) -> None:
        history.append((pk, *key, end, per_week, *stamp, kind))

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


# --- history ------------------------------------------------------------------------------

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


# --- one record at a time (the Django admin) ---------------------------------------------


def quota_input_of(quota: Quota) -> QuotaInput:
    return QuotaInput(
        quota.rep_id, quota.team_id, quota.metric, quota.activity_kind or "", quota.start_date, quota.end_date, quota.target
    )


def activity_target_input_of(target: ActivityTarget) -> ActivityTargetInput:
    return ActivityTargetInput(target.rep_id, target.team_id, target.kind, target.start_date, target.end_date, target.per_week)


def validate_quota_instance(quota: Quota, *, user: Any) -> list[RowError]:
    """The rules of ``save_quotas`` for one quota edited in place (its stored self set aside)."""
    row = quota_input_of(quota)
    if row.target is None:
        return [RowError(0, "target", _("Enter a target."))]
    exclude = [quota.pk] if quota.pk else []
    plan = _plan_quotas([row], user, exclude)
    if plan.errors:
        return plan.errors
    if plan.updates or plan.unchanged:  # the key of another stored quota
        return [RowError(0, None, _("A quota with the same owner, metric and dates exists already; change that one."))]
    return []


@transaction.atomic
def save_quota_instance(quota: Quota, *, user: Any, source: str) -> Quota:
    """Save one quota edited in place, after the rules of ``save_quotas``; history keeps ``source``."""
    errors = validate_quota_instance(quota, user=user)
    if errors:
        raise QuotaInputError(errors)
    quota._change_reason = _reason(source)  # type: ignore[attr-defined]
    quota._history_user = _history_user(user)  # type: ignore[attr-defined]
    quota.save()
    return quota


def _plan_target_instance(target: ActivityTarget, user: Any) -> _TargetPlan:
    row = activity_target_input_of(target)
    if row.per_week is None:
        return _TargetPlan([RowError(0, "per_week", _("Enter a weekly target."))])
    plan = _plan_targets([row], user, [target.pk] if target.pk else [])
    key = (row.rep_id, row.team_id, row.kind, row.start_date)
    if not plan.errors and (plan.unchanged or any(update[1] == key for update in plan.updates)):
        plan.errors = [RowError(0, None, _("A target with the same owner, kind and start exists already; change that one."))]
    return plan


def validate_activity_target_instance(target: ActivityTarget, *, user: Any) -> list[RowError]:
    """The rules of ``save_activity_targets`` for one target edited in place."""
    return _plan_target_instance(target, user).errors


@transaction.atomic
def save_activity_target_instance(target: ActivityTarget, *, user: Any, source: str) -> ActivityTarget:
    """Save one target edited in place; an open-ended target before it ends the day before, as
    ``save_activity_targets`` does, and so does this one if a later target follows it."""
    plan = _plan_target_instance(target, user)
    if plan.errors:
        raise QuotaInputError(plan.errors)
    (own,) = plan.creates  # set aside above, the edited target is "new" to the plan
    target.end_date = own[1]
    if plan.updates:  # the earlier open-ended target, ended the day before this one
        _apply_targets(_TargetPlan([], updates=plan.updates), user, source)
    target._change_reason = _reason(source)  # type: ignore[attr-defined]
    target._history_user = _history_user(user)  # type: ignore[attr-defined]
    target.save()
    return target
