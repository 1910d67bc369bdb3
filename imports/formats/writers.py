"""Bulk writers shared by the formats, keeping the invariants reps/services.py keeps.

Each writer takes prepared rows keyed by external id, compares them with what is stored,
creates the new ones in bulk, updates the changed ones in bulk and counts the unchanged
ones, so importing the same files twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, models
from django.utils import timezone
from django.utils.translation import gettext as _

from imports.formats.base import Report
from reps import services
from reps.instants import fill_event_instants
from reps.models import (
    Opportunity,
    OpportunityOwnerChange,
    OpportunityStageChange,
    Pipeline,
    Rep,
    Stage,
    Team,
    TeamMembership,
)

User = get_user_model()
BATCH = 2000


@dataclass
class Item:
    """A row to write: its external id, the model fields, and where it came from."""

    external_id: str
    fields: dict[str, Any]
    line: int | None = None


def upsert(
    model: type[models.Model],
    items: Sequence[Item],
    *,
    report: Report,
    file: str,
    entity: str,
) -> tuple[dict[str, int], list[tuple[dict[str, Any] | None, dict[str, Any]]]]:
    """Create or update ``items`` of ``model`` by external id.

    Returns the pk of every external id and, for each created or updated row, its stored
    values before (None when created) and after, so callers can tell the KPI engine.
    """
    names = sorted({name for item in items for name in item.fields})
    attnames = [model._meta.get_field(n).attname for n in names]
    existing: dict[str, dict[str, Any]] = {}
    ids = [item.external_id for item in items]
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        for row in model._default_manager.filter(external_id__in=chunk).values("pk", "external_id", *attnames):
            existing[row["external_id"]] = row
    to_create, to_update, changes = [], [], []
    for item in items:
        values = {model._meta.get_field(n).attname: v for n, v in item.fields.items()}
        old = existing.get(item.external_id)
        if old is None:
            to_create.append(model(external_id=item.external_id, **values))
            changes.append((None, values))
        elif any(old[k] != v for k, v in values.items()):
            obj = model(pk=old["pk"], external_id=item.external_id, **values)
            to_update.append(obj)
            changes.append((old, values))
        else:
            report.count(file, entity, "unchanged")
    if to_create:
        model._default_manager.bulk_create(to_create, batch_size=BATCH)
        report.count(file, entity, "created", len(to_create))
    if to_update:
        model._default_manager.bulk_update(to_update, attnames, batch_size=BATCH)
        report.count(file, entity, "updated", len(to_update))
    pks = {ext: row["pk"] for ext, row in existing.items()}
    pks.update({obj.external_id: obj.pk for obj in to_create})
    return pks, changes


def ensure_users(people: dict[str, dict[str, str]]) -> dict[str, Any]:
    """Users by username, created (without a usable password) when missing."""
    found = {u.username: u for u in User.objects.filter(username__in=list(people))}
    missing = [
        User(username=name, password=make_password(None), **{k: v for k, v in fields.items() if v is not None})
        for name, fields in people.items()
        if name not in found
    ]
    if missing:
        User.objects.bulk_create(missing, batch_size=BATCH)
        found.update({u.username: u for u in User.objects.filter(username__in=[u.username for u in missing])})
    changed = []
    for name, fields in people.items():
        user = found[name]
        if any(v is not None and getattr(user, k) != v for k, v in fields.items()):
            for k, v in fields.items():
                if v is not None:
                    setattr(user, k, v)
            changed.append(user)
    if changed:
        User.objects.bulk_update(changed, ["first_name", "last_name", "email"], batch_size=BATCH)
    return found


@dataclass
class RepRow:
    line: int | None
    external_id: str
    username: str
    first_name: str
    last_name: str
    email: str | None
    team_id: int | None
    start_date: dt.date
    segment: str = ""
    territory: str = ""
    is_active: bool = True


def write_reps(rows: Sequence[RepRow], *, report: Report, file: str) -> dict[str, int]:
    """Reps with their users and a team membership from their start date."""
    existing = {
        r.external_id: r for r in Rep.objects.select_related("user").filter(external_id__in=[r.external_id for r in rows])
    }
    users = ensure_users({r.username: {"first_name": r.first_name, "last_name": r.last_name, "email": r.email} for r in rows})
    taken = dict(Rep.objects.filter(user__in=list(users.values())).values_list("user_id", "external_id"))
    new_reps, memberships, moves, updated = [], [], [], []
    for row in rows:
        user = users[row.username]
        rep = existing.get(row.external_id)
        if rep is None:
            if user.pk in taken:
                report.error(
                    file,
                    row.line,
                    _("The user name “%(username)s” already belongs to another rep (%(other)s).")
                    % {"username": row.username, "other": taken[user.pk] or "-"},
                )
                continue
            new_reps.append(
                Rep(
                    user=user,
                    team_id=row.team_id,
                    start_date=row.start_date,
                    segment=row.segment,
                    territory=row.territory,
                    is_active=row.is_active,
                    external_id=row.external_id,
                )
            )
            continue
        plain = {"segment": row.segment, "territory": row.territory, "is_active": row.is_active, "start_date": row.start_date}
        dirty = any(getattr(rep, k) != v for k, v in plain.items()) or rep.user_id != user.pk
        for k, v in plain.items():
            setattr(rep, k, v)
        if rep.team_id != row.team_id:
            moves.append((rep, row.team_id))
            dirty = True
        if dirty:
            updated.append(rep)
        else:
            report.count(file, "reps", "unchanged")
    if new_reps:
        Rep.objects.bulk_create(new_reps, batch_size=BATCH)
        memberships = [TeamMembership(rep=r, team_id=r.team_id, start_date=r.start_date) for r in new_reps if r.team_id]
        TeamMembership.objects.bulk_create(memberships, batch_size=BATCH)
        report.count(file, "reps", "created", len(new_reps))
        report.affects([r.pk for r in new_reps], [r.start_date for r in new_reps])
    if updated:
        Rep.objects.bulk_update(updated, ["segment", "territory", "is_active", "start_date"], batch_size=BATCH)
        report.count(file, "reps", "updated", len(updated))
    today = timezone.localdate()
    teams = Team.objects.in_bulk([t for _r, t in moves if t])
    for rep, team_id in moves:
        # A rep who changed team between two imports moves today, through the service.
        services.rep_move_team(rep=rep, team=teams.get(team_id) if team_id else None, on_date=today)
        report.affects([rep.pk], [today])
    result = {r.external_id: r.pk for r in existing.values()}
    result.update({r.external_id: r.pk for r in new_reps})
    return result


def ensure_pipeline(name: str, stages: list[dict[str, Any]], *, report: Report, file: str) -> dict[str, Stage]:
    """The pipeline ``name`` with these stages (created when missing); its stages by name."""
    pipeline = Pipeline.objects.filter(name=name).first()
    if pipeline is None:
        make_default = not Pipeline.objects.filter(is_default=True).exists()
        pipeline = services.pipeline_create(name=name, is_default=make_default, stages=[dict(s) for s in stages])
        report.count(file, "pipelines", "created")
    else:
        report.count(file, "pipelines", "unchanged")
    by_name = {s.name: s for s in pipeline.stages.all()}
    missing = [s["name"] for s in stages if s["name"] not in by_name]
    if missing:
        report.error(
            file,
            None,
            _("The pipeline “%(pipeline)s” exists without the stages %(stages)s; add them or rename that pipeline.")
            % {"pipeline": name, "stages": ", ".join(missing)},
        )
    return by_name


@dataclass
class OpportunityRow:
    """An opportunity and its stage history, as (from stage id, to stage id, moment) triples."""

    line: int | None
    external_id: str
    fields: dict[str, Any]
    history: list[tuple[int | None, int, dt.datetime]] = field(default_factory=list)
    # Whether the history's moments are real times (then the events' instants come from it),
    # or stand-ins such as local midnight of a date (then only the dates are known).
    history_has_times: bool = True


OPPORTUNITY_DATES = ("created_date", "offer_date", "close_date")


def write_opportunities(
    rows: Sequence[OpportunityRow], *, report: Report, file: str, entity: str = "opportunities"
) -> dict[str, int]:
    """Opportunities with their stage history and first owner, created or updated in bulk."""
    items = [Item(r.external_id, r.fields, r.line) for r in rows]
    by_ext = {r.external_id: r for r in rows}
    # Existing histories, to tell an unchanged opportunity from one whose history changed.
    existing_ids = dict(Opportunity.objects.filter(external_id__in=list(by_ext)).values_list("external_id", "pk")) if rows else {}
    stored_history: dict[int, list[tuple[int | None, int, dt.datetime]]] = defaultdict(list)
    ids = list(existing_ids.values())
    for start in range(0, len(ids), BATCH):
        for oid, f, t, at in (
            OpportunityStageChange.objects.filter(opportunity_id__in=ids[start : start + BATCH])
            .values_list("opportunity_id", "from_stage_id", "to_stage_id", "changed_at")
            .order_by("opportunity_id", "changed_at", "pk")
        ):
            stored_history[oid].append((f, t, at))
    history_changed = {
        ext for ext, pk in existing_ids.items() if stored_history.get(pk, []) != by_ext[ext].history and by_ext[ext].history
    }
    # upsert() counts an opportunity with only a new history as unchanged; fix that below.
    pks, changes = upsert(Opportunity, items, report=report, file=file, entity=entity)
    changed_ext = {ext for ext in by_ext if ext not in existing_ids}
    owner_moves = []
    for old, new in changes:
        if old is not None:
            changed_ext.add(old["external_id"])
            if old["owner_id"] != new["owner_id"]:
                owner_moves.append((pks[old["external_id"]], old["owner_id"], new["owner_id"]))
        report.affects(
            [new["owner_id"], old and old["owner_id"]],
            [new.get(d) for d in OPPORTUNITY_DATES] + [old and old.get(d) for d in OPPORTUNITY_DATES],
        )
    only_history = history_changed - changed_ext
    if only_history:
        counts = report.counts[(file, entity)]
        counts.unchanged -= len(only_history)
        counts.updated += len(only_history)
        for ext in only_history:
            r = by_ext[ext]
            report.affects([r.fields.get("owner")], [timezone.localdate(h[2]) for h in r.history])
    rewrite = changed_ext | history_changed
    stale = [existing_ids[ext] for ext in rewrite if ext in existing_ids and by_ext[ext].history]
    for start in range(0, len(stale), BATCH):
        OpportunityStageChange.objects.filter(opportunity_id__in=stale[start : start + BATCH]).delete()
    stage_rows = [(pks[ext], f, t, at) for ext in rewrite for f, t, at in by_ext[ext].history]
    _insert_history(OpportunityStageChange, ["opportunity_id", "from_stage_id", "to_stage_id", "changed_at"], stage_rows)
    owner_rows: list[tuple[int, int | None, int, dt.datetime]] = [
        (
            pks[ext],
            None,
            _owner_id(by_ext[ext].fields),
            by_ext[ext].history[0][2] if by_ext[ext].history else _created_at(by_ext[ext].fields),
        )
        for ext in by_ext
        if ext not in existing_ids
    ]
    now = timezone.now()
    owner_rows += [(pk, old_owner, new_owner, now) for pk, old_owner, new_owner in owner_moves]
    _insert_history(OpportunityOwnerChange, ["opportunity_id", "from_owner_id", "to_owner_id", "changed_at"], owner_rows)
    _write_event_instants(by_ext, pks, changed_ext | history_changed)
    return pks


def _write_event_instants(by_ext: dict[str, OpportunityRow], pks: dict[str, int], written: set[str]) -> None:
    """The instants of the written deals' events: from their history when it has real times,
    else empty (the KPI engine then credits the owner at the end of each event's day)."""
    timed = [pks[ext] for ext in written if ext in pks and by_ext[ext].history_has_times]
    untimed = [pks[ext] for ext in written if ext in pks and not by_ext[ext].history_has_times]
    for start in range(0, len(timed), BATCH):
        fill_event_instants(
            opportunity_model=Opportunity,
            stage_change_model=OpportunityStageChange,
            stage_model=Stage,
            opportunity_ids=timed[start : start + BATCH],
        )
    for start in range(0, len(untimed), BATCH):
        Opportunity.objects.filter(pk__in=untimed[start : start + BATCH]).update(created_at=None, offer_at=None, closed_at=None)


def _insert_history(model: type[models.Model], columns: list[str], rows: Sequence[tuple[Any, ...]]) -> None:
    """Insert history rows: COPY on PostgreSQL (a deal's history is 2-3 rows, 25 k for the
    public data set, where building model instances was a third of the import's time)."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        copy_rows(model._meta.db_table, columns, rows)
    else:
        model._default_manager.bulk_create([model(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=BATCH)


def _owner_id(fields: dict[str, Any]) -> int:
    return int(fields["owner"])


def _created_at(fields: dict[str, Any]) -> dt.datetime:
    from imports.formats.base import local_midnight

    return local_midnight(fields["created_date"])


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert rows with PostgreSQL's COPY (fast path for large files). Returns the row count."""
    n = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                n += 1
    return n


class SeenIds:
    """The external ids an import has read so far, to refuse one that appears twice in a file.

    On PostgreSQL they go to a temporary table with a unique index (dropped at the end of the
    import's transaction), so a file of millions of rows does not hold millions of ids in memory;
    elsewhere (SQLite, the embedded default) a Python set does. Ask and add in blocks of ids.
    """

    TABLE = "import_seen_ids"

    def __init__(self) -> None:
        self.in_database = connection.vendor == "postgresql"
        self.ids: set[str] = set()
        if self.in_database:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{self.TABLE}")  # a second import in the same transaction
                cursor.execute(f"CREATE TEMPORARY TABLE {self.TABLE} (external_id text PRIMARY KEY) ON COMMIT DROP")

    def earlier(self, ids: Sequence[str]) -> set[str]:
        """Those of ``ids`` that were added before."""
        found = self.ids.intersection(ids)
        stored = [i for i in ids if "\x00" not in i]
        if self.in_database and stored:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT external_id FROM {self.TABLE} WHERE external_id = ANY(%s)", [stored])
                found.update(row[0] for row in cursor.fetchall())
        return found

    def add(self, ids: Iterable[str]) -> None:
        """Remember ``ids``: none of them was added before, each appears once."""
        if not self.in_database:
            self.ids.update(ids)
            return
        # PostgreSQL text cannot hold a NUL character: such an id (a row to be refused) stays in memory.
        stored = []
        for i in ids:
            if "\x00" in i:
                self.ids.add(i)
            else:
                stored.append(i)
        copy_rows(self.TABLE, ["external_id"], ((i,) for i in stored))

    def close(self) -> None:
        if self.in_database:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{self.TABLE}")


def money(value: Decimal | int | str) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))
