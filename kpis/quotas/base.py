"""What every quota and activity-target save shares: the inputs and results of kpis.quotas,
the checks of owners, rights and dates, and the bulk writes with their history rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from reps import access
from reps.models import Rep, Team

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
    # Activity targets: set when this change is not to the row's own target but to an earlier,
    # open-ended one of the same owner and kind (not in the input) that the row's target ends.
    earlier_start: dt.date | None = None


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


BASELINE_REASON = "initial value"


def _write_baseline_history(model: Any, columns: Sequence[str], pks: Iterable[int], when: dt.datetime) -> None:
    """Before changing or removing stored rows, give those without any history row (made by
    bulk inserts that wrote none) a first one with their value now, taken from the row itself:
    else the change would show no old value."""
    pks = list(pks)
    if not pks:
        return
    History = model.history.model
    have = set(History.objects.filter(id__in=pks).order_by().values_list("id", flat=True).distinct())
    missing = [pk for pk in pks if pk not in have]
    if not missing:
        return
    before = when - dt.timedelta(microseconds=1)
    rows = [
        (*values, before, None, BASELINE_REASON, "+") for values in model.objects.filter(pk__in=missing).values_list(*columns)
    ]
    _write_history(model, columns, rows)


def save_all_or_nothing(
    rows: Sequence[Any], *, plan: Callable[[list[Any]], Any], apply: Callable[[Any], SaveResult], conflict: str
) -> SaveResult:
    """Plan ``rows`` and apply the plan in one transaction, or raise QuotaInputError with every
    bad row and write nothing. ``plan(rows)`` returns an object with ``errors``."""
    rows = list(rows)
    try:
        with transaction.atomic():
            planned = plan(rows)
            if planned.errors:
                raise QuotaInputError(planned.errors)
            return apply(planned)
    except IntegrityError:
        # Someone saved a conflicting row between our check and our write (PostgreSQL's
        # exclusion constraint caught it): check again to tell which rows, never the raw error.
        raise QuotaInputError(plan(rows).errors or [RowError(0, None, conflict)]) from None
