"""Quota files: the CSV or Excel (.xlsx) table of quotas and weekly activity targets that admins
upload (/quotas/upload/, ``manage.py import_quotas``) and the quota grid downloads.

One table, one row per quota or target; docs/quotas.md describes the columns. Reading names
every bad row with its line (1 = the header) and reason; saving goes through kpis.quotas, so
a file is saved whole or not at all, and saving the same file twice changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from kpis import quota_selectors, quotas
from kpis.models import ActivityTarget, Quota, QuotaMetric
from reps.models import ActivityKind, Rep, Team

if TYPE_CHECKING:
    import pandas as pd

QUOTA, TARGET = "quota", "activity_target"
COLUMNS = ["kind", "rep", "team", "metric", "activity_kind", "start", "end", "target"]
REQUIRED = {"start", "target"}
REMOVE = "remove"
MAX_ROWS = 50_000
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# The fields of kpis.quotas' errors, as the columns of the file.
COLUMN_OF = {"start_date": "start", "end_date": "end", "per_week": "target", "kind": "activity_kind"}


@dataclass(frozen=True)
class FileError:
    line: int | None  # the row of the file (1 = the header); None for the whole file
    column: str | None
    message: str

    def __str__(self) -> str:
        where = _("line %(line)s") % {"line": self.line} if self.line else _("the file")
        if self.column:
            where += f", {self.column}"
        return f"{where}: {self.message}"


@dataclass
class QuotaFile:
    """A file read into the inputs of kpis.quotas, with the file line of each."""

    name: str
    quotas: list[quotas.QuotaInput] = field(default_factory=list)
    quota_lines: list[int] = field(default_factory=list)
    targets: list[quotas.ActivityTargetInput] = field(default_factory=list)
    target_lines: list[int] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    # Who each row names, for the preview: (line -> "rep name" / "team name").
    owners: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PreviewRow:
    line: int
    kind: str  # QUOTA or TARGET
    owner: str
    what: str  # the metric (and kind) or the activity kind
    start: dt.date
    end: dt.date | None
    action: str  # "create", "update", "delete", "unchanged"
    old: Decimal | int | None
    new: Decimal | int | None
    earlier: bool = False  # an earlier open-ended target (not in the file) that this line ends


@dataclass(frozen=True)
class ImportResult:
    quotas: quotas.SaveResult
    targets: quotas.SaveResult


class QuotaFileError(Exception):
    """The file cannot be saved; ``errors`` lists every bad row. Nothing was written."""

    def __init__(self, errors: Sequence[FileError]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(str(e) for e in self.errors[:5]))


# --- reading ------------------------------------------------------------------------------


def _frame(data: bytes, name: str) -> pd.DataFrame:
    """The table as text cells (dates and numbers of a sheet as they are), no header handling."""
    import pandas as pd  # here, not at the top: every process of the app would pay for it

    if name.lower().endswith(".xlsx") or data[:2] == b"PK":
        try:
            return pd.read_excel(io.BytesIO(data), sheet_name=0, header=None, dtype=object, engine="openpyxl")
        except Exception as error:  # openpyxl raises many kinds on a broken file
            raise QuotaFileError(
                [FileError(None, None, _("This is not a readable .xlsx file (%(error)s).") % {"error": error})]
            ) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise QuotaFileError([FileError(None, None, _("This is neither an .xlsx file nor CSV text in UTF-8."))]) from None
    if "\x00" in text:
        raise QuotaFileError([FileError(None, None, _("This is neither an .xlsx file nor CSV text in UTF-8."))])
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)  # spreadsheets in many languages write ";"
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    width = max((len(r) for r in rows), default=0)
    return pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype=object)


def _missing(value: Any) -> bool:
    """An empty cell: None, a sheet's NaN or pandas' NaT (a datetime that is no date)."""
    return value is None or (isinstance(value, float) and math.isnan(value)) or type(value).__name__ == "NaTType"


def _text(value: Any) -> str:
    if _missing(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _date(value: Any, column: str, *, required: bool) -> dt.date | None:
    if isinstance(value, dt.datetime):  # pandas' Timestamp too
        if not _missing(value):
            return value.date()
        value = None
    elif isinstance(value, dt.date):
        return value
    text = _text(value)
    if not text:
        if required:
            raise ValueError(_("%(column)s is empty: give a date like 2026-01-31.") % {"column": column})
        return None
    try:
        return dt.date.fromisoformat(text[:10]) if len(text) in (10, 19) else dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(_("“%(value)s” is not a date like 2026-01-31.") % {"value": text}) from None


def _decimal(value: Any) -> Decimal:
    if isinstance(value, float):
        value = repr(value)  # the shortest text of a sheet's number: 1234.56, not 1234.5599…
    text = _text(value).replace(" ", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(_("“%(value)s” is not a number.") % {"value": text}) from None
    if not number.is_finite():
        raise ValueError(_("“%(value)s” is not a number.") % {"value": text})
    return number


def read_quotas_file(data: bytes, name: str) -> QuotaFile:
    """Read a CSV or .xlsx quota file (the first sheet); bad rows land in ``errors``."""
    result = QuotaFile(name=name)
    try:
        frame = _frame(data, name)
    except QuotaFileError as error:
        result.errors = error.errors
        return result
    if frame.empty:
        result.errors.append(FileError(None, None, _("The file is empty.")))
        return result
    header = [_text(v).lower().replace(" ", "_") for v in frame.iloc[0].tolist()]
    missing = sorted(REQUIRED - set(header)) + ([] if {"rep", "team"} & set(header) else ["rep/team"])
    if missing:
        result.errors.append(
            FileError(
                1,
                None,
                _("The first line must name the columns; missing: %(missing)s (expected: %(columns)s).")
                % {"missing": ", ".join(missing), "columns": ", ".join(COLUMNS)},
            )
        )
        return result
    if len(frame) - 1 > MAX_ROWS:
        result.errors.append(FileError(None, None, _("At most %(count)s rows at once.") % {"count": MAX_ROWS}))
        return result
    position = {column: header.index(column) for column in COLUMNS if column in header}
    raw: list[tuple[int, dict[str, Any]]] = []
    for index, values in enumerate(frame.iloc[1:].itertuples(index=False), start=2):
        row = {column: values[i] for column, i in position.items()}
        if any(_text(v) for v in row.values()):
            raw.append((index, row))
    if not raw:
        result.errors.append(FileError(None, None, _("The file has no rows below its header.")))
        return result

    usernames = {_text(r.get("rep")) for _l, r in raw} - {""}
    team_names = {_text(r.get("team")) for _l, r in raw} - {""}
    reps = {r.user.username: r for r in Rep.objects.filter(user__username__in=usernames).select_related("user")}
    teams = {t.name: t for t in Team.objects.filter(name__in=team_names)}
    for line, row in raw:
        try:
            _read_row(result, line, row, reps, teams)
        except ValueError as error:
            column = error.args[1] if len(error.args) > 1 else None
            result.errors.append(FileError(line, column, str(error.args[0])))
    return result


def _read_row(result: QuotaFile, line: int, row: dict[str, Any], reps: dict[str, Rep], teams: dict[str, Team]) -> None:
    def fail(column: str | None, message: str) -> None:
        raise ValueError(message, column)

    kind = _text(row.get("kind")).lower() or QUOTA
    if kind not in (QUOTA, TARGET):
        fail("kind", _("kind “%(value)s” is neither quota nor activity_target.") % {"value": kind})
    username, team_name = _text(row.get("rep")), _text(row.get("team"))
    if bool(username) == bool(team_name):
        fail(None, _("Give either a rep (user name) or a team (name), not both and not neither."))
    rep_id = team_id = None
    if username:
        if username not in reps:
            fail("rep", _("No rep has the user name “%(value)s”.") % {"value": username})
        rep_id = reps[username].pk
        result.owners[line] = reps[username].name
    else:
        if team_name not in teams:
            fail("team", _("No team is named “%(value)s”.") % {"value": team_name})
        team_id = teams[team_name].pk
        result.owners[line] = team_name
    try:
        start = _date(row.get("start"), "start", required=True)
    except ValueError as error:
        fail("start", str(error))
    try:
        end = _date(row.get("end"), "end", required=kind == QUOTA)
    except ValueError as error:
        fail("end", str(error))
    target_text = _text(row.get("target"))
    removing = target_text.lower() == REMOVE
    if not target_text:
        fail("target", _("target is empty: give a number, or “remove” to remove this row's quota or target."))
    activity_kind = _text(row.get("activity_kind")).lower()
    if kind == QUOTA:
        metric = _text(row.get("metric")).lower() or QuotaMetric.WON_REVENUE
        try:
            target = None if removing else _decimal(row.get("target"))
        except ValueError as error:
            fail("target", str(error))
        result.quotas.append(quotas.QuotaInput(rep_id, team_id, metric, activity_kind, start, end, target))  # type: ignore[arg-type]
        result.quota_lines.append(line)
        return
    if _text(row.get("metric")):
        fail("metric", _("An activity target has no metric; name the activity kind in activity_kind."))
    if not activity_kind:
        fail("activity_kind", _("An activity target needs the activity kind it counts."))
    per_week: int | None = None
    if not removing:
        try:
            number = _decimal(row.get("target"))
        except ValueError as error:
            fail("target", str(error))
        if number != number.to_integral_value():
            fail("target", _("An activity target is a whole number of activities per week."))
        per_week = int(number)
    result.targets.append(quotas.ActivityTargetInput(rep_id, team_id, activity_kind, start, end, per_week))  # type: ignore[arg-type]
    result.target_lines.append(line)


# --- checking, previewing and saving ------------------------------------------------------


def _line_errors(errors: Iterable[quotas.RowError], lines: Sequence[int]) -> list[FileError]:
    return [FileError(lines[e.row], COLUMN_OF.get(e.field or "", e.field), e.message) for e in errors]


def _sorted(errors: Iterable[FileError]) -> list[FileError]:
    return sorted(errors, key=lambda e: (e.line or 0, e.column or ""))


def check_quotas_file(parsed: QuotaFile, *, user: Any) -> tuple[list[FileError], list[PreviewRow]]:
    """Every reason the file cannot be saved (by line), else what saving it would change."""
    errors = list(parsed.errors)
    quota_errors, quota_changes = quotas.preview_quotas(parsed.quotas, user=user)
    target_errors, target_changes = quotas.preview_activity_targets(parsed.targets, user=user)
    errors += _line_errors(quota_errors, parsed.quota_lines) + _line_errors(target_errors, parsed.target_lines)
    if errors:
        return _sorted(errors), []
    preview = [
        PreviewRow(
            line=parsed.quota_lines[c.row],
            kind=QUOTA,
            owner=parsed.owners.get(parsed.quota_lines[c.row], ""),
            what=_quota_label(parsed.quotas[c.row]),
            start=parsed.quotas[c.row].start_date,
            end=parsed.quotas[c.row].end_date,
            action=c.action,
            old=c.old,
            new=c.new,
        )
        for c in quota_changes
    ] + [
        PreviewRow(
            line=parsed.target_lines[c.row],
            kind=TARGET,
            owner=parsed.owners.get(parsed.target_lines[c.row], ""),
            what=_kind_label(parsed.targets[c.row].kind),
            start=c.earlier_start or parsed.targets[c.row].start_date,
            end=c.end if c.action != "delete" else parsed.targets[c.row].end_date,
            action=c.action,
            old=c.old,
            new=c.new,
            earlier=c.earlier_start is not None,
        )
        for c in target_changes
    ]
    return [], sorted(preview, key=lambda p: (p.line, not p.earlier))


def _kind_label(kind: str) -> str:
    return str(ActivityKind(kind).label) if kind in ActivityKind.values else kind


def _quota_label(row: quotas.QuotaInput) -> str:
    metric = str(QuotaMetric(row.metric).label) if row.metric in QuotaMetric.values else row.metric
    return f"{metric}: {_kind_label(row.activity_kind)}" if row.activity_kind else metric


def import_quotas_file(parsed: QuotaFile, *, user: Any, source: str, dry_run: bool = False) -> ImportResult:
    """Save the file's quotas and targets, all or nothing (``dry_run``: check, count, roll back).

    Raises QuotaFileError with every bad row, by line.
    """
    errors, _preview = check_quotas_file(parsed, user=user)
    if errors:
        raise QuotaFileError(errors)
    with transaction.atomic():
        try:
            saved_quotas = quotas.save_quotas(parsed.quotas, user=user, source=source)
        except quotas.QuotaInputError as error:  # changed by someone else since the check above
            raise QuotaFileError(_line_errors(error.errors, parsed.quota_lines)) from None
        try:
            saved_targets = quotas.save_activity_targets(parsed.targets, user=user, source=source)
        except quotas.QuotaInputError as error:
            raise QuotaFileError(_line_errors(error.errors, parsed.target_lines)) from None
        if dry_run:
            transaction.set_rollback(True)
    return ImportResult(saved_quotas, saved_targets)


# --- writing ------------------------------------------------------------------------------


def quotas_for_download(
    user: Any, *, team: Team | None = None, start: dt.date | None = None, end: dt.date | None = None
) -> tuple[QuerySet[Quota], QuerySet[ActivityTarget]]:
    """The quotas and activity targets ``user`` may see, of ``team`` (its own, its sub-teams' and
    their current reps'), overlapping ``start``..``end`` when given: what the grid downloads."""
    quota_rows = quota_selectors.visible_quotas(user)
    target_rows = quota_selectors.visible_activity_targets(user)
    if team is not None:
        team_ids = _team_tree(team)
        owners = Q(team_id__in=team_ids) | Q(rep__team_id__in=team_ids)
        quota_rows, target_rows = quota_rows.filter(owners), target_rows.filter(owners)
    if start is not None:
        quota_rows = quota_rows.filter(end_date__gte=start)
        target_rows = target_rows.filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
    if end is not None:
        quota_rows = quota_rows.filter(start_date__lte=end)
        target_rows = target_rows.filter(start_date__lte=end)
    order = ["team__name", "rep__user__username", "start_date"]
    return quota_rows.order_by(*order, "metric", "activity_kind"), target_rows.order_by(*order, "kind")


def _team_tree(team: Team) -> set[int]:
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Team.objects.order_by().values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    found, frontier = {team.pk}, [team.pk]
    while frontier:
        frontier = [c for p in frontier for c in children.get(p, []) if c not in found]
        found.update(frontier)
    return found


def file_rows(quota_rows: Iterable[Quota], target_rows: Iterable[ActivityTarget] = ()) -> list[dict[str, Any]]:
    """The rows of a quota file (``select_related("rep__user", "team")`` spares a query per row)."""
    rows: list[dict[str, Any]] = []
    for q in quota_rows:
        rows.append(
            {
                "kind": QUOTA,
                "rep": q.rep.user.username if q.rep_id else "",
                "team": q.team.name if q.team_id else "",
                "metric": q.metric,
                "activity_kind": q.activity_kind,
                "start": q.start_date,
                "end": q.end_date,
                "target": q.target,
            }
        )
    for t in target_rows:
        rows.append(
            {
                "kind": TARGET,
                "rep": t.rep.user.username if t.rep_id else "",
                "team": t.team.name if t.team_id else "",
                "metric": "",
                "activity_kind": t.kind,
                "start": t.start_date,
                "end": t.end_date,
                "target": t.per_week,
            }
        )
    return rows


def write_quotas_file(quota_rows: Iterable[Quota], target_rows: Iterable[ActivityTarget] = (), *, fmt: str = "csv") -> bytes:
    """The quota file of these quotas and targets, as CSV (UTF-8) or .xlsx; uploading it back
    changes nothing."""
    rows = file_rows(quota_rows, target_rows)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow(["" if row[c] is None else row[c] for c in COLUMNS])
        return out.getvalue().encode("utf-8")
    if fmt == "xlsx":
        import pandas as pd

        frame = pd.DataFrame(
            [{**row, "target": float(row["target"]) if isinstance(row["target"], Decimal) else row["target"]} for row in rows],
            columns=COLUMNS,
        )
        out_bytes = io.BytesIO()
        with pd.ExcelWriter(out_bytes, engine="openpyxl", date_format="YYYY-MM-DD") as excel:
            frame.to_excel(excel, index=False, sheet_name="quotas")
        return out_bytes.getvalue()
    raise ValueError(f"unknown format {fmt!r}: csv or xlsx")
