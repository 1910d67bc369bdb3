"""Reads of the weekly activity target grid: the targets in effect on a chosen Monday for a
team's reps (and a region's teams) and the team itself, with their history.

The rows are the owners of the quota grid (``kpis.quota_grids.owners_of``); a rep's empty
cell shows their own team's default. Set-based: three queries whatever the number of reps.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from kpis.models import ActivityTarget
from kpis.periods import week_start
from kpis.quota_grids import Owner, owner_filter, owner_key, owners_of
from kpis.quotas import activity_target_history
from reps.models import ActivityKind, Team

ACTIVITY_KINDS = list(ActivityKind)


@dataclass
class TargetCell:
    owner: Owner
    kind: str
    label: str
    current: ActivityTarget | None = None  # the target in effect on the chosen Monday
    following: ActivityTarget | None = None  # the next one starting after that Monday
    default: int | None = None  # a rep's team default, shown when the rep has none
    history: list[Any] = field(default_factory=list)
    raw: str | None = None
    error: str | None = None

    @property
    def name(self) -> str:
        return f"target-{self.owner.key}-{self.kind}"

    @property
    def value(self) -> int | None:
        return self.current.per_week if self.current is not None else None

    @property
    def effective(self) -> int | None:
        return self.value if self.value is not None else self.default

    @property
    def shown(self) -> str:
        if self.raw is not None:
            return self.raw
        return "" if self.value is None else str(self.value)


@dataclass
class TargetRow:
    owner: Owner
    cells: list[TargetCell]


@dataclass
class TargetGrid:
    team: Team
    monday: dt.date
    kinds: list[tuple[str, str]]
    rows: list[TargetRow]
    team_row: TargetRow

    @property
    def all_rows(self) -> list[TargetRow]:
        return [*self.rows, self.team_row]

    def cells(self) -> Iterable[TargetCell]:
        for row in self.all_rows:
            yield from row.cells

    @property
    def totals(self) -> list[int | None]:
        """Per kind, the reps' weekly targets in effect (their own, else their team's) added up."""
        result = []
        for index in range(len(self.kinds)):
            values = [row.cells[index].effective for row in self.rows if row.owner.kind == "rep"]
            present = [value for value in values if value is not None]
            result.append(sum(present) if present else None)
        return result


def monday_of(day: dt.date) -> dt.date:
    return week_start(day)


def activity_target_grid(*, team: Team, teams: Sequence[Team], monday: dt.date) -> TargetGrid:
    """The weekly activity targets in effect on ``monday`` for the team's reps (and sub-teams)
    and the team itself (three queries: members, targets, their history)."""
    members = owners_of(team, teams, monday, monday + dt.timedelta(days=6))
    team_owner = Owner("team", team.pk, team.name)
    kinds = [(kind.value, str(kind.label)) for kind in ACTIVITY_KINDS]
    rows = [TargetRow(o, [TargetCell(o, kind, label) for kind, label in kinds]) for o in [*members, team_owner]]
    cells = {(row.owner.key, cell.kind): cell for row in rows for cell in row.cells}
    targets = ActivityTarget.objects.filter(
        owner_filter([*members, team_owner]), Q(end_date__isnull=True) | Q(end_date__gte=monday)
    ).order_by("start_date")
    for target in targets:
        cell = cells.get((owner_key(target), target.kind))
        if cell is None:
            continue
        if target.start_date <= monday:
            cell.current = target
        elif cell.following is None:
            cell.following = target
    shown = {cell.current.pk: cell for cell in cells.values() if cell.current is not None}
    for pk, entries in (activity_target_history(shown) if shown else {}).items():
        shown[pk].history = list(entries)
    defaults = {(row.owner.id, cell.kind): cell.value for row in rows if row.owner.kind == "team" for cell in row.cells}
    for row in rows[:-1]:
        if row.owner.kind == "rep":
            for cell in row.cells:
                cell.default = defaults.get((row.owner.team_id_of_rep, cell.kind))
    return TargetGrid(team, monday, kinds, rows[:-1], rows[-1])


def grid_targets(grid: TargetGrid) -> list[ActivityTarget]:
    """The weekly activity targets a grid shows: in effect on its Monday, or starting later."""
    shown = [t for cell in grid.cells() for t in (cell.current, cell.following) if t is not None]
    ids = [t.pk for t in shown]
    return list(
        ActivityTarget.objects.filter(pk__in=ids)
        .select_related("rep__user", "team")
        .order_by("team__name", "rep__user__username", "kind", "start_date")
    )
