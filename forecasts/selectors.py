"""Reads of forecasts: the deals behind a call, the calls and how they moved, and accuracy.

Definitions: docs/kpis.md, "Forecasts". The result a call is compared with is won revenue as
the KPI engine counts it (kpis.selectors.kpi_table), never counted again here.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import CharField, Count, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone

from forecasts.models import ForecastSubmission
from kpis import selectors as kpi_selectors
from kpis.periods import Period, day_start
from reps.models import ForecastCategory, Opportunity, Rep, StageKind, Team

ZERO = Decimal("0.00")
CATEGORIES: tuple[str, ...] = tuple(ForecastCategory.values)


def category_expression() -> Coalesce:
    """An open deal's forecast category: its owner's choice, else its stage's."""
    return Coalesce(NullIf("forecast_category", Value("")), "stage__forecast_category", output_field=CharField())


def open_in_period(period: Period, today: dt.date) -> dict[str, Any]:
    """Open deals expected to close in the rest of the period (today to its end), like the
    open pipeline of docs/kpis.md, "Quota"."""
    return {
        "stage__kind": StageKind.OPEN,
        "expected_close_date__gte": max(period.start, today),
        "expected_close_date__lte": period.end,
    }


def deals_behind(*, rep_ids: Iterable[int], period: Period, today: dt.date) -> QuerySet[Opportunity]:
    """The open deals a call of these reps is made of, with their ``category``."""
    return (
        Opportunity.objects.filter(owner_id__in=list(rep_ids), **open_in_period(period, today))
        .annotate(category=category_expression())
        .select_related("owner__user", "account", "stage")
        .order_by("owner_id", "expected_close_date", "pk")
    )


@dataclass
class DealFigures:
    """What a rep's deals say about the period: won so far and open deals by category."""

    won: Decimal = ZERO
    open_by_category: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(CATEGORIES, ZERO))
    deals_by_category: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CATEGORIES, 0))

    @property
    def commit(self) -> Decimal:
        """The prefilled commit: won so far plus the open deals in commit."""
        return self.won + self.open_by_category[ForecastCategory.COMMIT]

    @property
    def best_case(self) -> Decimal:
        """The prefilled best case: the commit plus the open deals in best case."""
        return self.commit + self.open_by_category[ForecastCategory.BEST_CASE]

    @property
    def pipeline(self) -> Decimal:
        return self.open_by_category[ForecastCategory.PIPELINE]

    def add(self, other: DealFigures) -> None:
        self.won += other.won
        for key in CATEGORIES:
            self.open_by_category[key] += other.open_by_category[key]
            self.deals_by_category[key] += other.deals_by_category[key]


def deal_figures(*, user: Any, rep_ids: Sequence[int], period: Period, today: dt.date) -> dict[int, DealFigures]:
    """Per rep: won revenue of the period (the KPI engine's) and open deals by category."""
    result = {pk: DealFigures() for pk in rep_ids}
    if not rep_ids:
        return result
    rows = kpi_selectors.kpi_table(user=user, start=period.start, end=period.end, group_by="rep", rep_ids=rep_ids, today=today)
    for row in rows:
        if row["rep"]["id"] in result:
            result[row["rep"]["id"]].won = row["won_revenue"]
    sums = (
        Opportunity.objects.filter(owner_id__in=rep_ids, **open_in_period(period, today))
        .annotate(category=category_expression())
        .order_by()
        .values("owner_id", "category")
        .annotate(total=Sum("amount"), deals=Count("pk"))
    )
    for row in sums:
        figures = result[row["owner_id"]]
        figures.open_by_category[row["category"]] = row["total"] or ZERO
        figures.deals_by_category[row["category"]] = row["deals"]
    return result


# --- calls ----------------------------------------------------------------------------------


def submissions(
    *, period: Period, rep_ids: Iterable[int] | None = None, team_ids: Iterable[int] | None = None
) -> QuerySet[ForecastSubmission]:
    qs = ForecastSubmission.objects.filter(period_kind=period.kind.value, period_start=period.start)
    if rep_ids is not None:
        qs = qs.filter(rep_id__in=list(rep_ids))
    if team_ids is not None:
        qs = qs.filter(team_id__in=list(team_ids))
    return qs.select_related("submitted_by").order_by("submitted_at", "pk")


def latest(rows: Iterable[ForecastSubmission], key: str) -> dict[int, ForecastSubmission]:
    """The last call per rep or team (``key`` = "rep_id" or "team_id") of rows in time order."""
    found: dict[int, ForecastSubmission] = {}
    for row in rows:
        found[getattr(row, key)] = row
    return found


def last_moves(rows: Iterable[ForecastSubmission], key: str) -> dict[int, Move]:
    """The last call per rep or team of rows in time order, with its move from the call before
    (``history``'s last entry per owner)."""
    by_owner: dict[int, list[ForecastSubmission]] = defaultdict(list)
    for row in rows:
        by_owner[getattr(row, key)].append(row)
    return {owner: history(calls[-2:])[-1] for owner, calls in by_owner.items()}


@dataclass
class Move:
    """One call in a history, with how far it moved from the call before."""

    submission: ForecastSubmission
    week: dt.date
    commit_change: Decimal | None
    best_case_change: Decimal | None


def history(rows: Iterable[ForecastSubmission]) -> list[Move]:
    """Calls in time order, each with its week (Monday, local) and its move from the previous one."""
    moves: list[Move] = []
    previous: ForecastSubmission | None = None
    for row in rows:
        local = timezone.localtime(row.submitted_at).date()
        moves.append(
            Move(
                submission=row,
                week=local - dt.timedelta(days=local.weekday()),
                commit_change=None if previous is None else row.commit - previous.commit,
                best_case_change=None if previous is None else row.best_case - previous.best_case,
            )
        )
        previous = row
    return moves


@dataclass
class TeamForecast:
    team: Team
    period: Period
    reps: list[dict[str, Any]]
    sub_teams: list[dict[str, Any]]
    roll_up_commit: Decimal
    roll_up_best_case: Decimal
    deals: DealFigures
    history: list[Move]


def team_forecast(*, user: Any, team: Team, period: Period, today: dt.date) -> TeamForecast:
    """A team's page: each current rep's deals and last call, each sub-team's last call, the
    roll-up (the sum of those last calls, a rep without a call counting their deals'
    figures) and the team's own calls. A constant number of queries."""
    reps = list(Rep.objects.filter(team=team, is_active=True).select_related("user"))
    children = list(Team.objects.filter(parent=team).order_by("name"))
    figures = deal_figures(user=user, rep_ids=[r.pk for r in reps], period=period, today=today)
    rep_calls = last_moves(submissions(period=period, rep_ids=[r.pk for r in reps]), "rep_id")
    team_rows = list(submissions(period=period, team_ids=[team.pk, *(c.pk for c in children)]))
    team_calls = last_moves(team_rows, "team_id")
    commit = best = ZERO
    total = DealFigures()
    rep_rows = []
    for rep in reps:
        move = rep_calls.get(rep.pk)
        call = move.submission if move else None
        deals = figures[rep.pk]
        total.add(deals)
        commit += call.commit if call else deals.commit
        best += call.best_case if call else deals.best_case
        rep_rows.append({"rep": rep, "deals": deals, "call": call, "move": move})
    sub_rows = []
    for child in children:
        move = team_calls.get(child.pk)
        call = move.submission if move else None
        if call:
            commit += call.commit
            best += call.best_case
        sub_rows.append({"team": child, "call": call, "move": move})
    own = [row for row in team_rows if row.team_id == team.pk]
    return TeamForecast(team, period, rep_rows, sub_rows, commit, best, total, history(own))


# --- accuracy -------------------------------------------------------------------------------


def counted_calls(
    rows: Iterable[ForecastSubmission], period: Period
) -> tuple[ForecastSubmission | None, ForecastSubmission | None]:
    """The call that counts at the period's midpoint (the last submitted before 00:00 of day
    start + days // 2) and at its end (the last submitted before 00:00 of the day after)."""
    midpoint = day_start(period.start + dt.timedelta(days=period.days // 2))
    end = day_start(period.end + dt.timedelta(days=1))
    at_mid = at_end = None
    for row in rows:  # in time order
        if row.submitted_at < midpoint:
            at_mid = row
        if row.submitted_at < end:
            at_end = row
    return at_mid, at_end


def _ratio(value: Decimal, base: Decimal) -> Decimal | None:
    return None if base == 0 else (value / base).quantize(Decimal("0.0001"))


def _mean(values: Iterable[Decimal | None]) -> Decimal | None:
    known = [v for v in values if v is not None]
    return (sum(known, Decimal(0)) / len(known)).quantize(Decimal("0.0001")) if known else None


def accuracy(
    *, user: Any, kind: str, today: dt.date, rep_ids: Sequence[int] = (), team_ids: Sequence[int] = (), periods: int = 6
) -> dict[tuple[str, int], dict[str, Any]]:
    """Per ("rep", id) and ("team", id): over the last ``periods`` ended months or quarters,
    each period's won revenue, counted calls, error (call − won) and percentage error and
    bias ((call − won) / won), then ``mape_mid``/``mape_end`` (mean of |error| / won) and
    ``bias_mid``/``bias_end`` (mean of (call − won) / won) over the periods where they are
    defined. Queries: two per period plus one."""
    last = Period.containing(kind, today).previous()
    spans = [last.shifted(-i) for i in range(periods)][::-1]
    calls = list(
        ForecastSubmission.objects.filter(
            period_kind=kind, period_start__gte=spans[0].start, period_start__lte=last.start
        ).filter(rep_id__in=list(rep_ids))
        | ForecastSubmission.objects.filter(
            period_kind=kind, period_start__gte=spans[0].start, period_start__lte=last.start, team_id__in=list(team_ids)
        )
    )
    calls.sort(key=lambda row: (row.submitted_at, row.pk))
    by_owner: dict[tuple[str, int, dt.date], list[ForecastSubmission]] = defaultdict(list)
    for row in calls:
        owner = ("rep", row.rep_id) if row.rep_id else ("team", row.team_id)
        by_owner[(*owner, row.period_start)].append(row)  # type: ignore[arg-type]
    result: dict[tuple[str, int], dict[str, Any]] = {
        **{("rep", pk): {"periods": []} for pk in rep_ids},
        **{("team", pk): {"periods": []} for pk in team_ids},
    }
    for span in spans:
        won: dict[tuple[str, int], Decimal] = {}
        if rep_ids:
            for row in kpi_selectors.kpi_table(
                user=user, start=span.start, end=span.end, group_by="rep", rep_ids=rep_ids, today=today
            ):
                won[("rep", row["rep"]["id"])] = row["won_revenue"]
        for team_id in team_ids:
            for row in kpi_selectors.kpi_table(
                user=user, start=span.start, end=span.end, group_by="team", team_id=team_id, today=today
            ):
                if row["team"]["id"] == team_id:
                    won[("team", team_id)] = row["won_revenue"]
        for key, entry in result.items():
            actual = won.get(key, ZERO)
            mid, end = counted_calls(by_owner.get((*key, span.start), []), span)  # type: ignore[arg-type]
            entry["periods"].append(
                {
                    "period": span,
                    "won": actual,
                    "call_mid": mid.commit if mid else None,
                    "call_end": end.commit if end else None,
                    "error_mid": None if mid is None else mid.commit - actual,
                    "error_end": None if end is None else end.commit - actual,
                    "pct_error_mid": None if mid is None else _ratio(abs(mid.commit - actual), actual),
                    "pct_error_end": None if end is None else _ratio(abs(end.commit - actual), actual),
                    "bias_mid": None if mid is None else _ratio(mid.commit - actual, actual),
                    "bias_end": None if end is None else _ratio(end.commit - actual, actual),
                }
            )
    for entry in result.values():
        rows = entry["periods"]
        for when in ("mid", "end"):
            entry[f"mape_{when}"] = _mean(r[f"pct_error_{when}"] for r in rows)
            entry[f"bias_{when}"] = _mean(r[f"bias_{when}"] for r in rows)
    return result
