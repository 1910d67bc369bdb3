"""Copy forward: the targets of a period computed from the previous one (or the same period
last year) with an uplift, and a ramp for new reps.

Rules (docs/quota-workspace.md, "Copy forward"):
- Each column takes the target of the matching column of the source period (the first month
  of the quarter from the first month of the previous quarter, and so on), from whatever
  quotas cover it (a quarter's quota gives each month its working-day share), × (1 + uplift).
- A rep marked as new gets, for each month from their start date, a share of the *full
  quota*: the first ramp share in the month they start, the second in the next month, and so
  on, then 100 %; nothing before the month they start. The full quota is the one typed in,
  else the average of the other reps' new targets of that month. A quarter column takes the
  average of its three months' shares.
- Amounts are rounded half up to the cent. Cells that already hold a target keep it unless
  "replace" is ticked; a column without a source target stays as it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from kpis.models import QuotaMetric
from kpis.periods import add_months, month_start
from kpis.quota_grids import CENT, Column, GridPeriod, Owner, QuotaGrid, column_targets
from kpis.quotas import QuotaInput
from kpis.templatetags.quota_tags import amount

HUNDRED = Decimal(100)


class Action:
    CREATE = "create"
    UPDATE = "update"
    KEEP = "keep"
    NONE = "none"


@dataclass
class PlannedCell:
    owner: Owner
    column: Column
    source: Decimal | None  # the source period's target of the matching column
    current: Decimal | None  # the target already set in this cell
    new: Decimal | None  # what copy forward proposes
    action: str
    note: str = ""


@dataclass
class PlannedRow:
    owner: Owner
    cells: list[PlannedCell]
    is_new: bool = False


@dataclass
class CopyPlan:
    source_period: GridPeriod
    rows: list[PlannedRow]

    def inputs(self, *, metric: str, activity_kind: str) -> list[QuotaInput]:
        """The service rows that carry the plan out (only the cells it creates or changes)."""
        kind = activity_kind if metric == QuotaMetric.ACTIVITIES else ""
        return [
            QuotaInput(
                rep_id=cell.owner.rep_id,
                team_id=cell.owner.team_id,
                metric=metric,
                activity_kind=kind,
                start_date=cell.column.start,
                end_date=cell.column.end,
                target=cell.new,
            )
            for row in self.rows
            for cell in row.cells
            if cell.action in (Action.CREATE, Action.UPDATE)
        ]

    @property
    def kept(self) -> int:
        """Cells that keep the target they have (copy forward does not replace it unless told)."""
        return sum(cell.action == Action.KEEP for row in self.rows for cell in row.cells)

    @property
    def changes(self) -> int:
        return sum(cell.action in (Action.CREATE, Action.UPDATE) for row in self.rows for cell in row.cells)


def source_period(period: GridPeriod, source: str) -> GridPeriod:
    """The period copied from: the same one a year earlier, or the one just before."""
    return period.last_year() if source == "last_year" else period.shifted(-1)


def ramp_share(start_date: dt.date | None, month: dt.date, ramp: Sequence[Decimal]) -> Decimal:
    """A new rep's share (percent) of full quota in ``month``: 0 before the month they start,
    ``ramp[0]`` in it, ``ramp[1]`` the month after, …, 100 afterwards."""
    if start_date is None:
        return HUNDRED
    first = month_start(start_date)
    if month < first:
        return Decimal(0)
    index = (month.year - first.year) * 12 + month.month - first.month
    return ramp[index] if index < len(ramp) else HUNDRED


def column_ramp_share(start_date: dt.date | None, column: Column, ramp: Sequence[Decimal]) -> Decimal:
    """The average of a column's monthly ramp shares (a quarter column averages its three months)."""
    shares = [ramp_share(start_date, month, ramp) for month in column_months(column)]
    return sum(shares, Decimal(0)) / len(shares)


def is_in_ramp(start_date: dt.date | None, period_start: dt.date, ramp: Sequence[Decimal]) -> bool:
    """Whether a rep who started on ``start_date`` is still ramping (or not started) when the period starts."""
    return start_date is not None and bool(ramp) and add_months(month_start(start_date), len(ramp)) > period_start


def plan_copy_forward(
    grid: QuotaGrid,
    *,
    source: str,
    uplift: Decimal,
    ramp: Sequence[Decimal],
    new_rep_ids: set[int],
    full_quota: Decimal | None,
    overwrite: bool,
) -> CopyPlan:
    """The targets copy forward proposes for ``grid``'s period (one query for the source targets)."""
    previous = source_period(grid.period, source)
    source_columns = previous.columns
    targets = column_targets(
        owners=[row.owner for row in grid.all_rows],
        metric=grid.metric,
        activity_kind=grid.activity_kind,
        columns=source_columns,
    )
    factor = 1 + uplift / HUNDRED
    rows: list[PlannedRow] = []
    for row in grid.all_rows:
        is_new = row.owner.kind == "rep" and row.owner.id in new_rep_ids
        cells = []
        for cell, source_column in zip(row.cells, source_columns, strict=True):
            source_value = targets.get((row.owner.key, source_column.key))
            new = (source_value * factor).quantize(CENT, ROUND_HALF_UP) if source_value else None
            planned = PlannedCell(row.owner, cell.column, source_value, cell.value, new, Action.NONE)
            if not cell.editable:  # a quota of another period covers it: a new one would overlap
                planned.new, planned.note = None, _("covered by a quota of another period")
            cells.append(planned)
        rows.append(PlannedRow(row.owner, cells, is_new))

    # the full quota of a new rep, per column: typed in, else the average of the others' new targets
    for index, column in enumerate(grid.columns):
        months = len(column_months(column))
        if full_quota is not None:
            full: Decimal | None = full_quota * months
        else:
            others = [r.cells[index].new for r in rows if r.owner.kind == "rep" and not r.is_new and r.cells[index].new]
            full = sum(others, Decimal(0)) / len(others) if others else None
        for planned_row, grid_row in zip(rows, grid.all_rows, strict=True):
            if not planned_row.is_new or not grid_row.cells[index].editable:
                continue
            cell = planned_row.cells[index]
            share = column_ramp_share(planned_row.owner.start_date, column, ramp)
            if full is None or share == 0:
                cell.new = None
                cell.note = _("not started yet") if share == 0 else _("no full quota to ramp from")
            else:
                cell.new = (full * share / HUNDRED).quantize(CENT, ROUND_HALF_UP)
                cell.note = _("ramp: %(share)s %% of %(full)s") % {
                    "share": _percent(share),
                    "full": amount(full.quantize(CENT, ROUND_HALF_UP)),
                }

    for planned_row in rows:
        for cell in planned_row.cells:
            if cell.new is None:
                cell.action = Action.NONE
            elif cell.current is not None and not overwrite:
                cell.action, cell.note = Action.KEEP, _("kept: already set")
            elif cell.current == cell.new:
                cell.action = Action.NONE
            else:
                cell.action = Action.UPDATE if cell.current is not None else Action.CREATE
    return CopyPlan(previous, rows)


def column_months(column: Column) -> list[dt.date]:
    months, month = [], column.start
    while month <= column.end:
        months.append(month)
        month = add_months(month, 1)
    return months


def _percent(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.1')).normalize():f}"
