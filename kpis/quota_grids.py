"""Reads of the quota workspace: the quota grid (the weekly activity target grid, built on the
same owners, is in ``kpis.activity_target_grids``).

A grid's rows are the *owners* of a team's targets: its reps (the reps who belong to it
during the period, or now), the sub-teams of a region, and the team itself. A quota grid's
columns are the months (or quarters) of the chosen quarter or year; a cell is the quota
whose start and end are exactly the column's. A quota of another shape that overlaps a cell
(a quarter's quota on a month grid) is shown read-only with its share of the column, after
the shared KPI definitions ("Target of any period": target × working days inside / working
days of the quota), so it is neither lost nor silently split.

Every read is set-based: the number of queries does not grow with the number of reps.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from functools import cached_property
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kpis.dashboard_selectors import team_and_below
from kpis.models import Quota, QuotaMetric
from kpis.periods import add_months
from kpis.quotas import quota_history
from kpis.selectors import working_days
from reps.models import Rep, Team

CENT = Decimal("0.01")
MIN_YEAR, MAX_YEAR = 1900, 2999


# --- periods and columns --------------------------------------------------------------------


class Span(StrEnum):
    QUARTER = "quarter"
    YEAR = "year"


class By(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"


SPAN_LABELS = {Span.QUARTER: gettext_lazy("Quarter"), Span.YEAR: gettext_lazy("Year")}
BY_LABELS = {By.MONTH: gettext_lazy("Months"), By.QUARTER: gettext_lazy("Quarters")}


@dataclass(frozen=True)
class Column:
    """One column of a grid: a month or a quarter, ``start``..``end`` inclusive."""

    key: str  # "2027-04" or "2027-Q2": part of the cell's input name
    label: str
    start: dt.date
    end: dt.date


def month_column(start: dt.date) -> Column:
    return Column(f"{start:%Y-%m}", date_format(start, "M Y"), start, add_months(start, 1) - dt.timedelta(days=1))


def quarter_column(start: dt.date) -> Column:
    number = (start.month - 1) // 3 + 1
    label = _("Q%(quarter)s %(year)s") % {"quarter": number, "year": start.year}
    return Column(f"{start.year}-Q{number}", label, start, add_months(start, 3) - dt.timedelta(days=1))


@dataclass(frozen=True)
class GridPeriod:
    """The quarter or year a quota grid shows, in months or in quarters."""

    span: Span
    year: int
    quarter: int  # 1 when span is a year
    by: By

    @classmethod
    def containing(cls, day: dt.date, span: Span = Span.QUARTER, by: By = By.MONTH) -> GridPeriod:
        return cls(span, day.year, (day.month - 1) // 3 + 1 if span == Span.QUARTER else 1, by)

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * (self.quarter - 1) + 1, 1)

    @property
    def end(self) -> dt.date:
        months = 3 if self.span == Span.QUARTER else 12
        return add_months(self.start, months) - dt.timedelta(days=1)

    @property
    def label(self) -> str:
        if self.span == Span.YEAR:
            return str(self.year)
        return _("Q%(quarter)s %(year)s") % {"quarter": self.quarter, "year": self.year}

    @property
    def columns(self) -> list[Column]:
        step = 1 if self.by == By.MONTH else 3
        make = month_column if self.by == By.MONTH else quarter_column
        result, day = [], self.start
        while day <= self.end:
            result.append(make(day))
            day = add_months(day, step)
        return result

    def shifted(self, steps: int) -> GridPeriod:
        """The quarter (or year) ``steps`` later, shown the same way."""
        if self.span == Span.YEAR:
            return GridPeriod(self.span, self.year + steps, 1, self.by)
        start = add_months(self.start, 3 * steps)
        return GridPeriod(self.span, start.year, (start.month - 1) // 3 + 1, self.by)

    def last_year(self) -> GridPeriod:
        return GridPeriod(self.span, self.year - 1, self.quarter, self.by)

    def query(self) -> dict[str, Any]:
        params: dict[str, Any] = {"period": self.span.value, "year": self.year, "by": self.by.value}
        if self.span == Span.QUARTER:
            params["quarter"] = self.quarter
        return params


def grid_period_from_params(params: Mapping[str, str], *, today: dt.date) -> tuple[GridPeriod, str | None]:
    """The period in ``?period=quarter|year&year=&quarter=&by=month|quarter``; the current quarter
    (and a message saying why) when a value is not understood."""
    default = GridPeriod.containing(today)
    try:
        span = Span(params.get("period") or Span.QUARTER)
        by = By(params.get("by") or By.MONTH)
        year = int(params.get("year") or today.year)
        quarter = int(params.get("quarter") or (default.quarter if year == today.year else 1)) if span == Span.QUARTER else 1
    except ValueError:
        return default, _("That period is not understood.")
    if not MIN_YEAR <= year <= MAX_YEAR:
        return default, _("Pick a year between %(min)s and %(max)s.") % {"min": MIN_YEAR, "max": MAX_YEAR}
    if not 1 <= quarter <= 4:
        return default, _("A quarter is 1, 2, 3 or 4.")
    return GridPeriod(span, year, quarter, by), None


def quota_share(target: Decimal, start: dt.date, end: dt.date, *, within: tuple[dt.date, dt.date]) -> Decimal:
    """A quota's share of the period ``within`` (docs/kpis.md, "Target of any period"):
    target × its working days inside the period / its working days (days, when it has none)."""
    low, high = max(start, within[0]), min(end, within[1])
    if high < low:
        return Decimal(0)
    total = working_days(start, end)
    if total:
        return target * working_days(low, high) / total
    return target * ((high - low).days + 1) / ((end - start).days + 1)


# --- owners ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Owner:
    """Who a row's targets are for: a rep, or a team (the grid's team or a region's sub-team)."""

    kind: str  # "rep" or "team"
    id: int
    name: str
    start_date: dt.date | None = None  # a rep's start date (for the ramp)
    team_id_of_rep: int | None = None  # a rep's team within the grid's team (a region's sub-team)
    group: str = ""  # a rep's team name, shown on a region's grid

    @property
    def key(self) -> str:
        return f"{'r' if self.kind == 'rep' else 't'}{self.id}"

    @property
    def rep_id(self) -> int | None:
        return self.id if self.kind == "rep" else None

    @property
    def team_id(self) -> int | None:
        return self.id if self.kind == "team" else None


def owners_of(team: Team, teams: Sequence[Team], start: dt.date, end: dt.date) -> list[Owner]:
    """The members whose targets a team's grid shows (one query): the reps who belong to the
    team or one of its sub-teams at any time in start..end (or now), then the sub-teams of a
    region (any depth); the team itself is not among them."""
    below = team_and_below(team.pk, teams)
    names = {t.pk: t.name for t in teams}
    overlapping = Q(memberships__team_id__in=below, memberships__start_date__lte=end) & (
        Q(memberships__end_date__isnull=True) | Q(memberships__end_date__gte=start)
    )
    reps = (
        Rep.objects.filter(Q(team_id__in=below, is_active=True) | overlapping)
        .select_related("user")
        .only("pk", "start_date", "team_id", "user__first_name", "user__last_name", "user__username")
        .distinct()
    )
    region = len(below) > 1
    members = []
    for rep in reps:
        team_id = rep.team_id if rep.team_id in below else team.pk
        group = names.get(team_id, team.name) if region else ""
        members.append(Owner("rep", rep.pk, rep.name, rep.start_date, team_id, group))
    members.sort(key=lambda owner: (owner.group.casefold(), owner.name.casefold()))
    sub_teams = sorted((t for t in teams if t.pk in below and t.pk != team.pk), key=lambda t: t.name.casefold())
    return members + [Owner("team", t.pk, t.name) for t in sub_teams]


def owner_filter(owners: Iterable[Owner]) -> Q:
    owners = list(owners)
    return Q(rep_id__in=[o.id for o in owners if o.kind == "rep"]) | Q(team_id__in=[o.id for o in owners if o.kind == "team"])


def owner_key(row: Any) -> str:
    return f"r{row.rep_id}" if row.rep_id is not None else f"t{row.team_id}"


# --- the quota grid -------------------------------------------------------------------------


@dataclass
class Cell:
    owner: Owner
    column: Column
    quota_id: int | None = None
    value: Decimal | None = None  # the target of the quota of exactly this column
    others: list[Quota] = field(default_factory=list)  # quotas of another shape overlapping it
    share: Decimal = Decimal(0)  # their share of this column
    history: list[Any] = field(default_factory=list)
    raw: str | None = None  # what was typed, when a save is refused
    error: str | None = None

    @property
    def name(self) -> str:
        return f"cell-{self.owner.key}-{self.column.key}"

    @property
    def editable(self) -> bool:
        # a quota of another shape covers this column: a new one here would overlap it
        return not self.others or self.value is not None

    @property
    def amount(self) -> Decimal | None:
        """What the cell adds to the totals: its own target, else the share of overlapping quotas."""
        if self.value is not None:
            return self.value
        return self.share.quantize(CENT, ROUND_HALF_UP) if self.others else None

    @property
    def saved(self) -> str:
        """The stored target as typed into the cell ("" for none)."""
        return "" if self.value is None else plain_number(self.value)

    @property
    def shown(self) -> str:
        return self.raw if self.raw is not None else self.saved


@dataclass
class Row:
    owner: Owner
    cells: list[Cell]

    @property
    def total(self) -> Decimal | None:
        amounts = [cell.amount for cell in self.cells if cell.amount is not None]
        return sum(amounts, Decimal(0)) if amounts else None


@dataclass
class QuotaGrid:
    team: Team
    metric: str
    activity_kind: str
    period: GridPeriod
    columns: list[Column]
    rows: list[Row]  # the members
    team_row: Row

    @property
    def all_rows(self) -> list[Row]:
        return [*self.rows, self.team_row]

    def cells(self) -> Iterable[Cell]:
        for row in self.all_rows:
            yield from row.cells

    @cached_property
    def member_totals(self) -> list[Decimal | None]:
        """The sum of the reps' targets per column."""
        result = []
        for index in range(len(self.columns)):
            amounts = [row.cells[index].amount for row in self.reps if row.cells[index].amount is not None]
            result.append(sum(amounts, Decimal(0)) if amounts else None)
        return result

    @property
    def reps(self) -> list[Row]:
        return [row for row in self.rows if row.owner.kind == "rep"]

    @property
    def sub_teams(self) -> list[Row]:
        """A region's teams (their own quotas; not added to the members' sum, their reps are)."""
        return [row for row in self.rows if row.owner.kind == "team"]

    @property
    def member_total(self) -> Decimal | None:
        amounts = [total for total in self.member_totals if total is not None]
        return sum(amounts, Decimal(0)) if amounts else None

    @cached_property
    def differences(self) -> list[Decimal | None]:
        """Team's own quota minus the sum of its members', per column (None where either is missing)."""
        result = []
        for cell, members in zip(self.team_row.cells, self.member_totals, strict=True):
            own = cell.amount
            result.append(own - members if own is not None and members is not None else None)
        return result

    @property
    def difference_total(self) -> Decimal | None:
        """The differences added up, over the columns where the team has its own quota."""
        known = [diff for diff in self.differences if diff is not None]
        return sum(known, Decimal(0)) if known else None

    @property
    def has_differences(self) -> bool:
        return any(diff for diff in self.differences if diff is not None)


def plain_number(value: Decimal) -> str:
    """A target as typed into a cell: no thousands separator, no trailing ".00"."""
    value = value.quantize(CENT)
    return f"{value:f}".removesuffix(".00")


def quota_grid(*, team: Team, teams: Sequence[Team], metric: str, activity_kind: str, period: GridPeriod) -> QuotaGrid:
    """The quota grid of ``team`` for ``period`` (three queries: members, quotas, history)."""
    members = owners_of(team, teams, period.start, period.end)
    team_owner = Owner("team", team.pk, team.name)
    columns = period.columns
    rows = [Row(owner, [Cell(owner, column) for column in columns]) for owner in [*members, team_owner]]
    by_owner = {row.owner.key: row for row in rows}
    quotas = Quota.objects.filter(
        owner_filter([*members, team_owner]),
        metric=metric,
        activity_kind=activity_kind if metric == QuotaMetric.ACTIVITIES else "",
        start_date__lte=period.end,
        end_date__gte=period.start,
    ).only("pk", "rep_id", "team_id", "start_date", "end_date", "target")
    exact: list[tuple[Cell, Quota]] = []
    for quota in quotas:
        row = by_owner[owner_key(quota)]
        for cell in row.cells:
            column = cell.column
            if quota.start_date == column.start and quota.end_date == column.end:
                cell.quota_id, cell.value = quota.pk, quota.target
                exact.append((cell, quota))
            elif quota.start_date <= column.end and quota.end_date >= column.start:
                cell.others.append(quota)
                cell.share += quota_share(quota.target, quota.start_date, quota.end_date, within=(column.start, column.end))
    history = quota_history([quota.pk for _cell, quota in exact]) if exact else {}
    for cell, quota in exact:
        cell.history = list(history.get(quota.pk, []))
    return QuotaGrid(team, metric, activity_kind, period, columns, rows[:-1], rows[-1])


def grid_quotas(grid: QuotaGrid) -> QuerySet[Quota]:
    """The quotas a grid shows (of any shape), ready for the quota file writer (one query)."""
    return (
        Quota.objects.filter(
            owner_filter(row.owner for row in grid.all_rows),
            metric=grid.metric,
            activity_kind=grid.activity_kind if grid.metric == QuotaMetric.ACTIVITIES else "",
            start_date__lte=grid.period.end,
            end_date__gte=grid.period.start,
        )
        .select_related("rep__user", "team")
        .order_by("team__name", "rep__user__username", "start_date")
    )


def column_targets(
    *, owners: Sequence[Owner], metric: str, activity_kind: str, columns: Sequence[Column]
) -> dict[tuple[str, str], Decimal]:
    """Each owner's target of each column, from whatever quotas cover it (one query): the
    figures copy forward starts from. Keys are (owner key, column key)."""
    if not columns:
        return {}
    quotas = Quota.objects.filter(
        owner_filter(owners),
        metric=metric,
        activity_kind=activity_kind if metric == QuotaMetric.ACTIVITIES else "",
        start_date__lte=max(c.end for c in columns),
        end_date__gte=min(c.start for c in columns),
    ).only("rep_id", "team_id", "start_date", "end_date", "target")
    result: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for quota in quotas:
        for column in columns:
            if quota.start_date <= column.end and quota.end_date >= column.start:
                share = quota_share(quota.target, quota.start_date, quota.end_date, within=(column.start, column.end))
                result[(owner_key(quota), column.key)] += share
    return {key: value.quantize(CENT, ROUND_HALF_UP) for key, value in result.items()}
