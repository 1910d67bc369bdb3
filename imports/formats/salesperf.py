"""salesperf's own CSV format: one file per kind of record, linked by external ids.

Every file is optional; those present are read in the order of ``FILES`` so references
resolve (a rep's team, an opportunity's owner). A reference names a row of the same import
or one already stored. docs/import.md lists every column; ``export`` writes the same files.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.db import connection, models
from django.utils import timezone
from django.utils.translation import gettext as _

from imports.formats.base import (
    BadValue,
    CsvFile,
    Progress,
    Report,
    local_midnight,
    parse_bool,
    parse_date,
    parse_datetime,
    parse_decimal,
    parse_int,
)
from imports.formats.writers import (
    BATCH,
    Item,
    OpportunityRow,
    RepRow,
    SeenIds,
    copy_rows,
    ensure_users,
    upsert,
    write_opportunities,
    write_reps,
)
from kpis import quotas
from kpis.models import ActivityTarget, Quota
from reps import services
from reps.models import (
    Account,
    Activity,
    ActivityKind,
    ActivityStatus,
    CustomerFeedback,
    Opportunity,
    OpportunityStageChange,
    Pipeline,
    Product,
    Rep,
    Stage,
    StageKind,
    Team,
)
from salesperf import dates

NAME = "salesperf"

# file → (required columns, optional columns), in the order they are read.
FILES: dict[str, tuple[list[str], list[str]]] = {
    "pipelines.csv": (["pipeline", "stage", "kind"], ["order", "probability", "is_offer", "is_default"]),
    "teams.csv": (
        ["external_id", "name"],
        ["parent_external_id", "manager_username", "manager_first_name", "manager_last_name", "manager_email"],
    ),
    "reps.csv": (
        ["external_id", "username"],
        ["first_name", "last_name", "email", "team_external_id", "start_date", "segment", "territory", "is_active"],
    ),
    "products.csv": (["external_id", "name"], ["series", "list_price"]),
    "accounts.csv": (["external_id", "name"], ["owner_external_id", "segment", "territory", "sector", "created_at"]),
    "opportunities.csv": (
        ["external_id", "name", "owner_external_id", "pipeline", "stage", "created_date"],
        [
            "account_external_id",
            "product_external_id",
            "amount",
            "expected_close_date",
            "close_date",
            "offer_date",
            "next_step",
            "next_step_date",
            "lost_reason",
        ],
    ),
    "stage_history.csv": (["opportunity_external_id", "to_stage", "changed_at"], ["from_stage"]),
    "activities.csv": (
        ["external_id", "owner_external_id", "kind", "status"],
        ["planned_date", "done_at", "subject", "account_external_id", "opportunity_external_id", "notes"],
    ),
    "feedback.csv": (
        ["external_id", "account_external_id", "date"],
        ["rep_external_id", "score", "is_complaint", "text"],
    ),
    "quotas.csv": (
        ["metric", "start_date", "end_date", "target"],
        ["rep_external_id", "team_external_id", "activity_kind"],
    ),
    "activity_targets.csv": (["kind", "start_date", "per_week"], ["rep_external_id", "team_external_id", "end_date"]),
}

# Rows made in salesperf have no external id: the export names them "salesperf:<kind>:<pk>",
# and references to such a name find the stored row again (importing an export back).
DERIVED_KINDS = {Team: "team", Rep: "rep", Account: "account", Product: "product", Opportunity: "opportunity"}
DERIVED_PK_DIGITS = 18  # a longer number is no id of ours (and would overflow the column)


class Refs:
    """External id → pk of the rows of this import, falling back to the stored rows."""

    def __init__(self) -> None:
        self.known: dict[type[models.Model], dict[str, int]] = defaultdict(dict)

    def add(self, model: type[models.Model], pks: dict[str, int]) -> None:
        self.known[model].update(pks)

    def load(self, model: type[models.Model], ids: set[str]) -> None:
        missing = [i for i in ids if i and i not in self.known[model]]
        for start in range(0, len(missing), BATCH):
            chunk = missing[start : start + BATCH]
            self.known[model].update(model._default_manager.filter(external_id__in=chunk).values_list("external_id", "pk"))
        derived = _derived_pks(model, [i for i in missing if i not in self.known[model]])
        for start in range(0, len(derived), BATCH):
            stored = model._default_manager.filter(pk__in=list(derived)[start : start + BATCH], external_id__isnull=True)
            self.known[model].update({derived[pk]: pk for pk in stored.values_list("pk", flat=True)})

    def get(self, model: type[models.Model], external_id: str, column: str) -> int | None:
        if not external_id:
            return None
        try:
            return self.known[model][external_id]
        except KeyError:
            raise BadValue(
                _("%(column)s “%(value)s” names no row of this import nor any stored one.")
                % {"column": column, "value": external_id}
            ) from None


def _derived_pks(model: type[models.Model], ids: list[str]) -> dict[int, str]:
    """pk -> external id of the ids that name a row the export wrote as "salesperf:<kind>:<pk>"."""
    kind = DERIVED_KINDS.get(model)
    if kind is None:
        return {}
    prefix = f"salesperf:{kind}:"
    return {
        int(i[len(prefix) :]): i
        for i in ids
        if i.startswith(prefix) and i[len(prefix) :].isdigit() and len(i) - len(prefix) <= DERIVED_PK_DIGITS
    }


def run(directory: Path, *, report: Report, progress: Progress | None = None) -> None:
    present = [CsvFile(directory / name, required=req, optional=opt) for name, (req, opt) in FILES.items()]
    present = [f for f in present if f.path.exists()]
    unknown = sorted(p.name for p in directory.iterdir() if p.is_file() and p.name not in FILES and not p.name.startswith("."))
    for name in unknown:
        report.error(
            name, None, _("This file is not part of the salesperf format (expected: %(files)s).") % {"files": ", ".join(FILES)}
        )
    if not present and not unknown:
        report.error(
            "-", None, _("No file of the salesperf format was found (expected: %(files)s).") % {"files": ", ".join(FILES)}
        )
    if not all([f.check(report) for f in present]) or not report.ok:  # noqa: C419 (check every file, report all)
        return
    files = {f.name: f for f in present}
    refs = Refs()
    steps = [
        ("pipelines.csv", _pipelines),
        ("teams.csv", _teams),
        ("reps.csv", _reps),
        ("products.csv", _products),
        ("accounts.csv", _accounts),
        ("opportunities.csv", _opportunities),
        ("activities.csv", _activities),
        ("feedback.csv", _feedback),
        ("quotas.csv", _quotas),
        ("activity_targets.csv", _activity_targets),
    ]
    for name, step in steps:
        if name in files:
            step(files[name], files, refs, report, progress)


def _rows(f: CsvFile, report: Report, progress: Progress | None) -> list[tuple[int, dict[str, str]]]:
    return list(f.rows(report, progress))


def _unique(
    f: CsvFile, rows: list[tuple[int, dict[str, str]]], report: Report, key: str = "external_id"
) -> list[tuple[int, dict[str, str]]]:
    seen: set[str] = set()
    kept = []
    for line, row in rows:
        if not row[key]:
            report.error(f.name, line, _("%(column)s is empty.") % {"column": key})
        elif row[key] in seen:
            report.error(
                f.name, line, _("%(column)s “%(value)s” appears twice in this file.") % {"column": key, "value": row[key]}
            )
        else:
            seen.add(row[key])
            kept.append((line, row))
    return kept


# --- pipelines, teams, reps, products, accounts ----------------------------------------------


def _pipelines(f: CsvFile, _files: dict, refs: Refs, report: Report, progress: Progress | None) -> None:
    by_pipeline: dict[str, list[tuple[int, dict[str, Any]]]] = defaultdict(list)
    defaults: set[str] = set()
    for line, row in _rows(f, report, progress):
        try:
            if not row["pipeline"] or not row["stage"]:
                raise BadValue(_("pipeline and stage must not be empty."))
            if row["kind"] not in StageKind.values:
                raise BadValue(_("kind “%(value)s” is not one of open, won, lost.") % {"value": row["kind"]})
            stage = {
                "name": row["stage"][:80],
                "kind": row["kind"],
                "order": parse_int(row.get("order", ""), "order") or len(by_pipeline[row["pipeline"]]) + 1,
                "probability": parse_int(row.get("probability", ""), "probability") or 0,
                "is_offer": parse_bool(row.get("is_offer", ""), "is_offer"),
            }
            if not 0 <= stage["probability"] <= 100:
                raise BadValue(_("probability must be from 0 to 100."))
            if parse_bool(row.get("is_default", ""), "is_default"):
                defaults.add(row["pipeline"])
        except BadValue as exc:
            report.error(f.name, line, str(exc))
            continue
        by_pipeline[row["pipeline"]].append((line, stage))
    if not report.ok:
        return
    for name, stages in by_pipeline.items():
        pipeline = Pipeline.objects.filter(name=name).first()
        if pipeline is None:
            try:
                services.pipeline_create(
                    name=name[:120],
                    is_default=name in defaults and not Pipeline.objects.filter(is_default=True).exists(),
                    stages=[dict(s) for _l, s in stages],
                )
            except Exception as exc:  # ValidationError from the service, with its message
                report.error(f.name, stages[0][0], _("Pipeline “%(name)s”: %(error)s") % {"name": name, "error": _messages(exc)})
                continue
            report.count(f.name, "pipelines", "created")
            continue
        stored = {s.name: s for s in pipeline.stages.all()}
        for line, s in stages:
            have = stored.get(s["name"])
            if have is None or (have.kind, have.order, have.probability, have.is_offer) != (
                s["kind"],
                s["order"],
                s["probability"],
                s["is_offer"],
            ):
                report.error(
                    f.name,
                    line,
                    _("Pipeline “%(name)s” already exists with other stages; change its stages in the admin instead.")
                    % {"name": name},
                )
                break
        else:
            report.count(f.name, "pipelines", "unchanged")


def _messages(exc: Exception) -> str:
    messages = getattr(exc, "messages", None)
    return " ".join(str(m) for m in messages) if messages else str(exc)


def _teams(f: CsvFile, _files: dict, refs: Refs, report: Report, progress: Progress | None) -> None:
    rows = _unique(f, _rows(f, report, progress), report)
    managers = {
        row["manager_username"]: {
            "first_name": row.get("manager_first_name", "")[:150],
            "last_name": row.get("manager_last_name", "")[:150],
            "email": row.get("manager_email", "")[:254],
        }
        for _l, row in rows
        if row.get("manager_username")
    }
    if not report.ok:
        return
    users = ensure_users(managers)
    refs.load(Team, {row.get("parent_external_id", "") for _l, row in rows} - {row["external_id"] for _l, row in rows})
    pending = rows
    while pending:  # parents first: one round per level of the tree
        ready, waiting = [], []
        for line, row in pending:
            parent = row.get("parent_external_id", "")
            (ready if not parent or parent in refs.known[Team] else waiting).append((line, row))
        if not ready:
            for line, row in waiting:
                report.error(
                    f.name,
                    line,
                    _("parent_external_id “%(value)s” names no team (or teams form a loop).")
                    % {"value": row["parent_external_id"]},
                )
            return
        items = [
            Item(
                row["external_id"],
                {
                    "name": row["name"][:120],
                    "parent": refs.known[Team].get(row.get("parent_external_id", "")),
                    "manager": users[row["manager_username"]].pk if row.get("manager_username") else None,
                },
                line,
            )
            for line, row in ready
        ]
        pks, _changes = upsert(Team, items, report=report, file=f.name, entity="teams")
        refs.add(Team, pks)
        pending = waiting


def _reps(f: CsvFile, _files: dict, refs: Refs, report: Report, progress: Progress | None) -> None:
    rows = _unique(f, _rows(f, report, progress), report)
    refs.load(Team, {row.get("team_external_id", "") for _l, row in rows})
    rep_rows = []
    for line, row in rows:
        try:
            if not row["username"]:
                raise BadValue(_("username is empty."))
            rep_rows.append(
                RepRow(
                    line=line,
                    external_id=row["external_id"][:120],
                    username=row["username"][:150],
                    first_name=row.get("first_name", "")[:150],
                    last_name=row.get("last_name", "")[:150],
                    email=row.get("email", "")[:254],
                    team_id=refs.get(Team, row.get("team_external_id", ""), "team_external_id"),
                    start_date=parse_date(row.get("start_date", ""), "start_date") or timezone.localdate(),
                    segment=row.get("segment", "")[:80],
                    territory=row.get("territory", "")[:80],
                    is_active=parse_bool(row.get("is_active", "") or "true", "is_active"),
                )
            )
        except BadValue as exc:
            report.error(f.name, line, str(exc))
    if report.ok:
        refs.add(Rep, write_reps(rep_rows, report=report, file=f.name))


def _products(f: CsvFile, _files: dict, refs: Refs, report: Report, progress: Progress | None) -> None:
    items = []
    for line, row in _unique(f, _rows(f, report, progress), report):
        try:
            fields = {
                "name": row["name"][:120],
                "series": row.get("series", "")[:80],
                "list_price": parse_decimal(row.get("list_price", ""), "list_price", default=parse_decimal("0", "")),
            }
        except BadValue as exc:
            report.error(f.name, line, str(exc))
            continue
        items.append(Item(row["external_id"], fields, line))
    if report.ok:
        pks, _changes = upsert(Product, items, report=report, file=f.name, entity="products")
        refs.add(Product, pks)


def _accounts(f: CsvFile, _files: dict, refs: Refs, report: Report, progress: Progress | None) -> None:
    rows = _unique(f, _rows(f, report, progress), report)
    refs.load(Rep, {row.get("owner_external_id", "") for _l, row in rows})
    items = []
    for line, row in rows:
        try:
            fields = {
                "name": row["name"][:200],
                "owner": refs.get(Rep, row.get("owner_external_id", ""), "owner_external_id"),
                "segment": row.get("segment", "")[:80],
                "territory": row.get("territory", "")[:80],
                "sector": row.get("sector", "")[:80],
            }
            created = parse_datetime(row.get("created_at", ""), "created_at")
            if created is not None:
                fields["created_at"] = created
        except BadValue as exc:
            report.error(f.name, line, str(exc))
            continue
        items.append(Item(row["external_id"], fields, line))
    if report.ok:
        pks, _changes = upsert(Account, items, report=report, file=f.name, entity="accounts")
        refs.add(Account, pks)


# --- opportunities and their stage history ---------------------------------------------------


def _stages_by_pipeline() -> dict[str, dict[str, Stage]]:
    stages: dict[str, dict[str, Stage]] = defaultdict(dict)
    for stage in Stage.objects.select_related("pipeline"):
        stages[stage.pipeline.name][stage.name] = stage
    return stages


def _offer_order(stages: dict[str, Stage]) -> int | None:
    return next((s.order for s in stages.values() if s.is_offer), None)


def _opportunities(f: CsvFile, files: dict[str, CsvFile], refs: Refs, report: Report, progress: Progress | None) -> None:
    rows = _unique(f, _rows(f, report, progress), report)
    refs.load(Rep, {row["owner_external_id"] for _l, row in rows})
    refs.load(Account, {row.get("account_external_id", "") for _l, row in rows})
    refs.load(Product, {row.get("product_external_id", "") for _l, row in rows})
    stages = _stages_by_pipeline()
    histories = _read_history(files.get("stage_history.csv"), report, progress)
    result = []
    for line, row in rows:
        try:
            pipeline = stages.get(row["pipeline"])
            if pipeline is None:
                raise BadValue(_("pipeline “%(value)s” does not exist; add it in pipelines.csv.") % {"value": row["pipeline"]})
            stage = pipeline.get(row["stage"])
            if stage is None:
                raise BadValue(_("stage “%(value)s” is not a stage of that pipeline.") % {"value": row["stage"]})
            created = parse_date(row["created_date"], "created_date")
            if created is None:
                raise BadValue(_("created_date is empty."))
            close = parse_date(row.get("close_date", ""), "close_date")
            offer = parse_date(row.get("offer_date", ""), "offer_date")
            # The rules of reps.services.opportunity_create / opportunity_update.
            if stage.is_closed:
                close = close or created
            elif close is not None:
                raise BadValue(_("close_date is set but the stage is open; an open deal has no close date."))
            offer_order = _offer_order(pipeline)
            reached = stage.kind == StageKind.WON or (
                stage.kind == StageKind.OPEN and offer_order is not None and stage.order >= offer_order
            )
            if offer is None and reached:
                offer = created
            if offer is not None and offer < created:
                raise BadValue(_("offer_date is before created_date."))
            history = _history_of(row["external_id"], histories, pipeline, stage, created, report)
            fields = {
                "name": row["name"][:200] or row["external_id"],
                "owner": refs.get(Rep, row["owner_external_id"], "owner_external_id"),
                "pipeline": stage.pipeline_id,
                "stage": stage.pk,
                "account": refs.get(Account, row.get("account_external_id", ""), "account_external_id"),
                "product": refs.get(Product, row.get("product_external_id", ""), "product_external_id"),
                "amount": parse_decimal(row.get("amount", ""), "amount", default=parse_decimal("0", "")),
                "created_date": created,
                "expected_close_date": parse_date(row.get("expected_close_date", ""), "expected_close_date"),
                "close_date": close,
                "offer_date": offer,
                "next_step": row.get("next_step", "")[:200],
                "next_step_date": parse_date(row.get("next_step_date", ""), "next_step_date"),
                "lost_reason": row.get("lost_reason", "")[:200],
                "stage_changed_at": history[-1][2],
            }
            if fields["owner"] is None:
                raise BadValue(_("owner_external_id is empty."))
        except BadValue as exc:
            report.error(f.name, line, str(exc))
            continue
        # Without stage_history.csv rows, its history is a stand-in at local midnight: dates only.
        timed = bool(histories.get(row["external_id"]))
        result.append(OpportunityRow(line, row["external_id"][:120], fields, history, history_has_times=timed))
    for ext in set(histories) - {r.external_id for r in result} - {row["external_id"] for _l, row in rows}:
        report.error(
            "stage_history.csv",
            histories[ext][0][0],
            _("opportunity_external_id “%(value)s” is not in opportunities.csv.") % {"value": ext},
        )
    if report.ok:
        refs.add(Opportunity, write_opportunities(result, report=report, file=f.name))


def _read_history(
    f: CsvFile | None, report: Report, progress: Progress | None
) -> dict[str, list[tuple[int, str, str, dt.datetime]]]:
    histories: dict[str, list[tuple[int, str, str, dt.datetime]]] = defaultdict(list)
    if f is None:
        return histories
    for line, row in f.rows(report, progress):
        try:
            at = parse_datetime(row["changed_at"], "changed_at")
            if at is None:
                raise BadValue(_("changed_at is empty."))
        except BadValue as exc:
            report.error(f.name, line, str(exc))
            continue
        histories[row["opportunity_external_id"]].append((line, row.get("from_stage", ""), row["to_stage"], at))
    return histories


def _history_of(
    external_id: str,
    histories: dict[str, list[tuple[int, str, str, dt.datetime]]],
    pipeline: dict[str, Stage],
    stage: Stage,
    created: dt.date,
    report: Report,
) -> list[tuple[int | None, int, dt.datetime]]:
    """The stage history given in stage_history.csv, else: created directly in its stage."""
    given = histories.get(external_id)
    if not given:
        return [(None, stage.pk, local_midnight(created))]
    result: list[tuple[int | None, int, dt.datetime]] = []
    for line, from_name, to_name, at in sorted(given, key=lambda h: h[3]):
        if to_name not in pipeline or (from_name and from_name not in pipeline):
            report.error("stage_history.csv", line, _("a stage of this row is not a stage of the opportunity's pipeline."))
            continue
        result.append((pipeline[from_name].pk if from_name else None, pipeline[to_name].pk, at))
    if result and result[-1][1] != stage.pk:
        report.error("stage_history.csv", given[-1][0], _("the last stage of the history is not the opportunity's stage."))
    return result or [(None, stage.pk, local_midnight(created))]


# --- activities (fast path: streamed, COPY on PostgreSQL) --------------------------------------

ACTIVITY_COLUMNS = ["owner_id", "kind", "status", "subject", "planned_date", "done_at", "account_id", "opportunity_id", "notes"]
ACTIVITY_CHUNK = 20000
ACTIVITY_ID_BLOCK = 5000  # rows read ahead to check their ids against the earlier rows' in one query


def _activities(f: CsvFile, _files: dict, refs: Refs, report: Report, progress: Progress | None) -> None:
    """Activities, streamed in chunks: 1 M rows must not sit in memory or go through the ORM."""
    refs.add(Rep, dict(Rep.objects.exclude(external_id=None).values_list("external_id", "pk")))
    kinds, statuses = set(ActivityKind.values), set(ActivityStatus.values)
    seen = SeenIds()  # the ids of the rows read so far: in the database on PostgreSQL, not in memory
    chunk: list[tuple[str, tuple[Any, ...]]] = []
    opportunity_accounts: dict[int, int | None] = {}
    use_copy = connection.vendor == "postgresql"
    now = timezone.now()
    pending_refs: dict[type[models.Model], set[str]] = {Account: set(), Opportunity: set()}

    def flush() -> None:
        if not chunk:
            return
        if report.ok:
            _write_activities(chunk, f.name, report, use_copy, now)
        chunk.clear()

    raw_rows: list[tuple[int, dict[str, str]]] = []

    def resolve_and_parse() -> None:
        refs.load(Account, pending_refs[Account])
        refs.load(Opportunity, pending_refs[Opportunity])
        missing_opps = [refs.known[Opportunity][e] for e in pending_refs[Opportunity] if e in refs.known[Opportunity]]
        missing_opps = [pk for pk in missing_opps if pk not in opportunity_accounts]
        opportunity_accounts.update(Opportunity.objects.filter(pk__in=missing_opps).values_list("pk", "account_id"))
        pending_refs[Account].clear()
        pending_refs[Opportunity].clear()
        for line, row in raw_rows:
            try:
                parsed = _parse_activity(row, kinds, statuses, refs, opportunity_accounts)
            except BadValue as exc:
                report.error(f.name, line, str(exc))
                continue
            chunk.append((row["external_id"], parsed))
        raw_rows.clear()
        flush()

    # Rows are read a block ahead, so one query tells which of their ids came earlier in the file;
    # the reader's own errors wait in the block, so every error keeps its place in the report.
    block: list[tuple[int | None, dict[str, str] | None, str]] = []

    def check_block() -> None:
        earlier = seen.earlier([row["external_id"] for _l, row, _e in block if row is not None and row["external_id"]])
        new: set[str] = set()
        for line, row, error in block:
            if row is None:
                report.error(f.name, line, error)
                continue
            ext = row["external_id"]
            if not ext:
                report.error(f.name, line, _("external_id is empty."))
                continue
            if ext in earlier or ext in new:
                report.error(f.name, line, _("external_id “%(value)s” appears twice in this file.") % {"value": ext})
                continue
            new.add(ext)
            if row.get("account_external_id"):
                pending_refs[Account].add(row["account_external_id"])
            if row.get("opportunity_external_id"):
                pending_refs[Opportunity].add(row["opportunity_external_id"])
            raw_rows.append((line, row))
            if len(raw_rows) >= ACTIVITY_CHUNK:
                resolve_and_parse()
        seen.add(new)
        block.clear()

    for line, row in f.rows(_BlockErrors(block), progress):
        block.append((line, row, ""))
        if len(block) >= ACTIVITY_ID_BLOCK:
            check_block()
    check_block()
    resolve_and_parse()
    seen.close()


class _BlockErrors:
    """Stands in for the report while rows are read ahead: keeps the reader's errors in the block."""

    def __init__(self, block: list[tuple[int | None, dict[str, str] | None, str]]) -> None:
        self.block = block

    def error(self, file: str, line: int | None, reason: str) -> None:
        self.block.append((line, None, reason))


def _parse_activity(
    row: dict[str, str], kinds: set[str], statuses: set[str], refs: Refs, opportunity_accounts: dict[int, int | None]
) -> tuple[Any, ...]:
    if row["kind"] not in kinds:
        raise BadValue(_("kind “%(value)s” is not one of %(kinds)s.") % {"value": row["kind"], "kinds": ", ".join(sorted(kinds))})
    if row["status"] not in statuses:
        raise BadValue(
            _("status “%(value)s” is not one of %(statuses)s.")
            % {"value": row["status"], "statuses": ", ".join(sorted(statuses))}
        )
    owner = refs.get(Rep, row["owner_external_id"], "owner_external_id")
    if owner is None:
        raise BadValue(_("owner_external_id is empty."))
    planned = parse_date(row.get("planned_date", ""), "planned_date")
    done_at = parse_datetime(row.get("done_at", ""), "done_at")
    if row["status"] == ActivityStatus.DONE and done_at is None:
        raise BadValue(_("a done activity needs done_at."))
    if done_at is not None and dates.is_future_moment(done_at):
        raise BadValue(_("done_at is in the future; a done activity cannot be."))
    if row["status"] != ActivityStatus.DONE and done_at is not None:
        raise BadValue(_("done_at is set but the status is not done."))
    if planned is None and done_at is None:
        raise BadValue(_("give planned_date, or mark the activity done with done_at."))
    opportunity = refs.get(Opportunity, row.get("opportunity_external_id", ""), "opportunity_external_id")
    account = refs.get(Account, row.get("account_external_id", ""), "account_external_id")
    if account is None and opportunity is not None:
        account = opportunity_accounts.get(opportunity)  # as reps.services does
    return (
        owner,
        row["kind"],
        row["status"],
        row.get("subject", "")[:200],
        planned,
        done_at,
        account,
        opportunity,
        row.get("notes", ""),
    )


def _write_activities(
    chunk: list[tuple[str, tuple[Any, ...]]], file: str, report: Report, use_copy: bool, now: dt.datetime
) -> None:
    ids = [ext for ext, _v in chunk]
    stored = {
        row[0]: row[1:]
        for row in Activity.objects.filter(external_id__in=ids).values_list("external_id", "pk", *ACTIVITY_COLUMNS)
    }
    new, changed = [], []
    unchanged = 0
    owners: set[int] = set()
    earliest: dt.date | None = None
    for ext, values in chunk:
        old = stored.get(ext)
        if old is None:
            new.append((ext, values))
        elif tuple(old[1:]) != values:
            changed.append(Activity(pk=old[0], external_id=ext, **dict(zip(ACTIVITY_COLUMNS, values, strict=True))))
            report.affects([old[1]], [old[5], old[6] and timezone.localdate(old[6])])
        else:
            unchanged += 1
            continue
        owners.add(values[0])
        earliest = min(d for d in (values[4], values[5] and timezone.localdate(values[5]), earliest) if d is not None)
    report.affects(owners, [earliest])
    if new:
        if use_copy:
            copy_rows("reps_activity", [*ACTIVITY_COLUMNS, "external_id", "created_at"], ((*v, ext, now) for ext, v in new))
        else:
            Activity.objects.bulk_create(
                [Activity(external_id=ext, created_at=now, **dict(zip(ACTIVITY_COLUMNS, v, strict=True))) for ext, v in new],
                batch_size=BATCH,
            )
        report.count(file, "activities", "created", len(new))
    if changed:
        Activity.objects.bulk_update(changed, ACTIVITY_COLUMNS, batch_size=BATCH)
        report.count(file, "activities", "updated", len(changed))
    if unchanged:
        report.count(file, "activities", "unchanged", unchanged)


# --- feedback and quotas ---------------------------------------------------------------------


def _feedback(f: CsvFile, _files: dict, refs: Refs, report: Report, progress: Progress | None) -> None:
    rows = _unique(f, _rows(f, report, progress), report)
    refs.load(Account, {row["account_external_id"] for _l, row in rows})
    refs.load(Rep, {row.get("rep_external_id", "") for _l, row in rows})
    items = []
    for line, row in rows:
        try:
            score = parse_int(row.get("score", ""), "score")
            if score is not None and not 1 <= score <= 5:
                raise BadValue(_("score must be from 1 to 5."))
            complaint = parse_bool(row.get("is_complaint", ""), "is_complaint")
            if score is None and not complaint:
                raise BadValue(_("give a score from 1 to 5, or mark the entry as a complaint."))
            day = parse_date(row["date"], "date")
            if day is None:
                raise BadValue(_("date is empty."))
            account = refs.get(Account, row["account_external_id"], "account_external_id")
            if account is None:
                raise BadValue(_("account_external_id is empty."))
            fields = {
                "account": account,
                "rep": refs.get(Rep, row.get("rep_external_id", ""), "rep_external_id"),
                "date": day,
                "score": score,
                "is_complaint": complaint,
                "text": row.get("text", ""),
            }
        except BadValue as exc:
            report.error(f.name, line, str(exc))
            continue
        items.append(Item(row["external_id"], fields, line))
    if report.ok:
        _pks, changes = upsert(CustomerFeedback, items, report=report, file=f.name, entity="feedback")
        for old, new in changes:
            report.affects([new["rep_id"], old and old["rep_id"]], [new["date"], old and old["date"]])


def _owner(refs: Refs, row: dict[str, str]) -> tuple[int | None, int | None]:
    return (
        refs.get(Rep, row.get("rep_external_id", ""), "rep_external_id"),
        refs.get(Team, row.get("team_external_id", ""), "team_external_id"),
    )


def _save_targets(f: CsvFile, report: Report, entity: str, rows: list[Any], lines: list[int], validate: Any, save: Any) -> None:
    """Check ``rows`` by the quota rules (kpis.quotas), report every bad one by line, else save."""
    errors = validate(rows, user=None)
    for error in errors:
        column = {"rep": "rep_external_id", "team": "team_external_id", "target": "per_week" if entity != "quotas" else "target"}
        where = f"{column.get(error.field, error.field)}: " if error.field else ""
        report.error(f.name, lines[error.row], where + error.message)
    if not report.ok:  # this file or an earlier one has errors: nothing is saved anyway
        return
    result = save(rows, user=None, source="import_crm")
    for outcome in ("created", "updated", "deleted", "unchanged"):
        if getattr(result, outcome):
            report.count(f.name, entity, outcome, getattr(result, outcome))


def _quotas(f: CsvFile, _files: dict, refs: Refs, report: Report, progress: Progress | None) -> None:
    """Quotas, checked and saved by the rules of every quota save (docs/quotas.md)."""
    rows = _rows(f, report, progress)
    refs.load(Rep, {row.get("rep_external_id", "") for _l, row in rows})
    refs.load(Team, {row.get("team_external_id", "") for _l, row in rows})
    inputs: list[quotas.QuotaInput] = []
    lines: list[int] = []
    for line, row in rows:
        try:
            rep, team = _owner(refs, row)
            start, end = parse_date(row["start_date"], "start_date"), parse_date(row["end_date"], "end_date")
            if start is None or end is None:
                raise BadValue(_("start_date and end_date are needed."))
            target = parse_decimal(row["target"], "target")
            if target is None:
                raise BadValue(_("target is needed."))
        except BadValue as exc:
            report.error(f.name, line, str(exc))
            continue
        inputs.append(quotas.QuotaInput(rep, team, row["metric"], row.get("activity_kind", ""), start, end, target))
        lines.append(line)
    _save_targets(f, report, "quotas", inputs, lines, quotas.validate_quotas, quotas.save_quotas)


def _activity_targets(f: CsvFile, _files: dict, refs: Refs, report: Report, progress: Progress | None) -> None:
    """Weekly activity targets, by the same rules (an open-ended one ends where the next starts)."""
    rows = _rows(f, report, progress)
    refs.load(Rep, {row.get("rep_external_id", "") for _l, row in rows})
    refs.load(Team, {row.get("team_external_id", "") for _l, row in rows})
    inputs: list[quotas.ActivityTargetInput] = []
    lines: list[int] = []
    for line, row in rows:
        try:
            rep, team = _owner(refs, row)
            start = parse_date(row["start_date"], "start_date")
            if start is None:
                raise BadValue(_("start_date is needed."))
            end = parse_date(row.get("end_date", ""), "end_date")
            per_week = parse_int(row["per_week"], "per_week")
            if per_week is None:
                raise BadValue(_("per_week is needed."))
        except BadValue as exc:
            report.error(f.name, line, str(exc))
            continue
        inputs.append(quotas.ActivityTargetInput(rep, team, row["kind"], start, end, per_week))
        lines.append(line)
    _save_targets(f, report, "activity targets", inputs, lines, quotas.validate_activity_targets, quotas.save_activity_targets)


# --- export ----------------------------------------------------------------------------------


def _ext(external_id: str | None, kind: str, pk: int | None) -> str:
    """A row's external id; rows made in salesperf get a stable one from their kind and id."""
    if pk is None:
        return ""
    return external_id or f"salesperf:{kind}:{pk}"


def _iso(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _write(directory: Path, name: str, rows: Iterator[list[Any]]) -> int:
    required, optional = FILES[name]
    n = 0
    with (directory / name).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([*required, *optional])
        for row in rows:
            writer.writerow([_iso(v) for v in row])
            n += 1
    return n


def export(directory: Path) -> dict[str, int]:
    """Write every record in the salesperf format; ``import_crm`` reads it back unchanged."""
    team_ext = {t.pk: _ext(t.external_id, "team", t.pk) for t in Team.objects.all()}
    rep_ext = {pk: _ext(ext, "rep", pk) for pk, ext in Rep.objects.values_list("pk", "external_id")}
    account_ext = {pk: _ext(ext, "account", pk) for pk, ext in Account.objects.values_list("pk", "external_id")}
    product_ext = {pk: _ext(ext, "product", pk) for pk, ext in Product.objects.values_list("pk", "external_id")}
    opp_ext = {pk: _ext(ext, "opportunity", pk) for pk, ext in Opportunity.objects.values_list("pk", "external_id")}
    counts = {}
    counts["pipelines.csv"] = _write(
        directory,
        "pipelines.csv",
        (
            [s.pipeline.name, s.name, s.kind, s.order, s.probability, s.is_offer, s.pipeline.is_default]
            for s in Stage.objects.select_related("pipeline").order_by("pipeline__name", "order")
        ),
    )
    counts["teams.csv"] = _write(
        directory,
        "teams.csv",
        (
            [
                team_ext[t.pk],
                t.name,
                team_ext.get(t.parent_id, ""),
                t.manager.username if t.manager else "",
                t.manager.first_name if t.manager else "",
                t.manager.last_name if t.manager else "",
                t.manager.email if t.manager else "",
            ]
            for t in Team.objects.select_related("manager").order_by("pk")
        ),
    )
    counts["reps.csv"] = _write(
        directory,
        "reps.csv",
        (
            [
                rep_ext[r.pk],
                r.user.username,
                r.user.first_name,
                r.user.last_name,
                r.user.email,
                team_ext.get(r.team_id, ""),
                r.start_date,
                r.segment,
                r.territory,
                r.is_active,
            ]
            for r in Rep.objects.select_related("user").order_by("pk")
        ),
    )
    counts["products.csv"] = _write(
        directory, "products.csv", ([product_ext[p.pk], p.name, p.series, p.list_price] for p in Product.objects.order_by("pk"))
    )
    counts["accounts.csv"] = _write(
        directory,
        "accounts.csv",
        (
            [account_ext[a.pk], a.name, rep_ext.get(a.owner_id, ""), a.segment, a.territory, a.sector, a.created_at]
            for a in Account.objects.order_by("pk")
        ),
    )
    counts["opportunities.csv"] = _write(
        directory,
        "opportunities.csv",
        (
            [
                opp_ext[o.pk],
                o.name,
                rep_ext[o.owner_id],
                o.pipeline.name,
                o.stage.name,
                o.created_date,
                account_ext.get(o.account_id, ""),
                product_ext.get(o.product_id, ""),
                o.amount,
                o.expected_close_date,
                o.close_date,
                o.offer_date,
                o.next_step,
                o.next_step_date,
                o.lost_reason,
            ]
            for o in Opportunity.objects.select_related("pipeline", "stage").order_by("pk").iterator(chunk_size=BATCH)
        ),
    )
    counts["stage_history.csv"] = _write(
        directory,
        "stage_history.csv",
        (
            [opp_ext[c.opportunity_id], c.to_stage.name, c.changed_at, c.from_stage.name if c.from_stage else ""]
            for c in OpportunityStageChange.objects.select_related("from_stage", "to_stage")
            .order_by("opportunity_id", "changed_at", "pk")
            .iterator(chunk_size=BATCH)
        ),
    )
    counts["activities.csv"] = _write(
        directory,
        "activities.csv",
        (
            [
                _ext(ext, "activity", pk),
                rep_ext[owner],
                kind,
                status,
                planned,
                done_at,
                subject,
                account_ext.get(account, ""),
                opp_ext.get(opportunity, ""),
                notes,
            ]
            for pk, ext, owner, kind, status, planned, done_at, subject, account, opportunity, notes in Activity.objects.order_by(
                "pk"
            )
            .values_list(
                "pk",
                "external_id",
                "owner_id",
                "kind",
                "status",
                "planned_date",
                "done_at",
                "subject",
                "account_id",
                "opportunity_id",
                "notes",
            )
            .iterator(chunk_size=BATCH)
        ),
    )
    counts["feedback.csv"] = _write(
        directory,
        "feedback.csv",
        (
            [
                _ext(c.external_id, "feedback", c.pk),
                account_ext[c.account_id],
                c.date,
                rep_ext.get(c.rep_id, ""),
                c.score,
                c.is_complaint,
                c.text,
            ]
            for c in CustomerFeedback.objects.order_by("pk")
        ),
    )
    counts["quotas.csv"] = _write(
        directory,
        "quotas.csv",
        (
            [
                q.metric,
                q.start_date,
                q.end_date,
                q.target,
                rep_ext.get(q.rep_id, ""),
                team_ext.get(q.team_id, ""),
                q.activity_kind,
            ]
            for q in Quota.objects.order_by("pk")
        ),
    )
    counts["activity_targets.csv"] = _write(
        directory,
        "activity_targets.csv",
        (
            [t.kind, t.start_date, t.per_week, rep_ext.get(t.rep_id, ""), team_ext.get(t.team_id, ""), t.end_date]
            for t in ActivityTarget.objects.order_by("pk")
        ),
    )
    return counts
