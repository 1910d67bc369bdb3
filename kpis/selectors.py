"""Reads of the KPI engine, shared by the API, the dashboards and the exports.

Interface (the dashboard work builds on it):

- ``kpi_table(*, user, start, end, group_by, team_id=None, today=None, rep_ids=None,
  metric="won_revenue", activity_kind="") -> list[dict]``: one dict per rep (group_by="rep")
  or team (group_by="team") that ``user`` may see, for the inclusive period ``start``..``end``.
  Keys: ``rep`` or ``team`` as ``{"id", "name"}``, then every KPI of docs/kpis.md under its
  exact name (``contacts``, ``discovery_meetings``, ..., ``win_rate``, ``offer_to_close``,
  ``contact_to_offer``, ``plan_completion``, ``avg_deal_size``, ``sales_cycle_days``), and
  ``actual``: the figure of ``metric`` (won revenue, deals won, offers submitted or done
  activities of ``activity_kind``). Money and ratios are ``Decimal``; an undefined ratio is
  ``None``. When a quota of that metric overlaps the period for that rep or team (for a team,
  its own or, on the days it has none, its members' and sub-teams'), also ``target`` (the
  period's prorated share, kpis.targets), ``attainment``, ``expected_to_date``, ``pace``,
  ``band``, ``open_pipeline``, ``weighted_pipeline``, ``coverage``, ``forecast`` (the last
  four only for won revenue, else None).
- ``weekly_series(*, user, rep_id=None, team_id=None, weeks=12, until=None) -> list[dict]``:
  one dict per ISO week (``week`` = its Monday), oldest first, with the weekly counts.
- ``last_computed_at(*, rep_ids=None) -> datetime | None``: when the rows were last written.

- ``team_overview(*, user, team_id, start, end, today=None, weeks=12, teams=None,
  metric="won_revenue", activity_kind="", previous=None, with_rep_series=True,
  defer_rep_rows=False)``: the rep rows, the team total, the weekly series and the freshness
  of one team at once (the team dashboard), equal to the reads above (with
  ``defer_rep_rows``, once its ``complete_rows`` has filled in the rows wanted).

The counts are read from the stored daily rows (kpis.models.KpiDay) and the medians from the
stored won-deal cycle counts (kpis.models.KpiWonCycle), which the services recompute after
every change (on commit). Tests that write through reps.services must let the on-commit
callbacks run (``django_capture_on_commit_callbacks(execute=True)``) or call
``kpis.services.kpi_recompute()`` before reading. The quota and pipeline figures are read live
from the base tables, since they depend on "today".
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from operator import itemgetter
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Case, DateField, DecimalField, ExpressionWrapper, F, Max, Q, Sum, Value, When
from django.db.models.functions import TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _

from kpis import sql, targets
from kpis.models import KpiDay, KpiStatus, QuotaMetric
from kpis.targets import calendar_days, working_days
from reps import access
from reps.models import ActivityKind, Opportunity, Rep, StageKind, Team, TeamMembership

# The counts of docs/kpis.md, in display order.
COUNT_KEYS: tuple[str, ...] = (
    "contacts",
    "discovery_meetings",
    "proposal_meetings",
    "activities_planned",
    "activities_done_as_planned",
    "opportunities_created",
    "offers_submitted",
    "deals_won",
    "won_revenue",
    "deals_lost",
    "lost_after_offer",
    "csat",
    "complaints",
)
RATIO_KEYS: tuple[str, ...] = (
    "win_rate",
    "offer_to_close",
    "contact_to_offer",
    "plan_completion",
    "avg_deal_size",
    "sales_cycle_days",
)
QUOTA_KEYS: tuple[str, ...] = (
    "target",
    "attainment",
    "expected_to_date",
    "pace",
    "band",
    "open_pipeline",
    "weighted_pipeline",
    "coverage",
    "forecast",
)

BAND_AT_RISK, BAND_CLOSE, BAND_ON_TARGET = "at_risk", "close", "on_target"

# The daily column holding the actual of each metric (activities: of each kind).
METRIC_COLUMNS: dict[str, str] = {
    QuotaMetric.WON_REVENUE: "won_revenue",
    QuotaMetric.DEALS_WON: "deals_won",
    QuotaMetric.OFFERS_SUBMITTED: "offers_submitted",
}
ACTIVITY_KIND_COLUMNS: dict[str, str] = {
    ActivityKind.CALL: "calls",
    ActivityKind.EMAIL: "emails",
    ActivityKind.DISCOVERY_MEETING: "discovery_meetings",
    ActivityKind.PROPOSAL_MEETING: "proposal_meetings",
    ActivityKind.OTHER_MEETING: "other_meetings",
    ActivityKind.TASK: "tasks",
}

CENT = Decimal("0.01")
RATIO = Decimal("0.0001")
TENTH = Decimal("0.1")
ZERO_MONEY = Decimal("0.00")

_SUMS = {name: Sum(name) for name in sql.COUNT_COLUMNS}
# What a table row needs of a rep (its id and Rep.name): hundreds of rows a page.
_REP_NAME_FIELDS = ("pk", "user__first_name", "user__last_name", "user__username")
# The counts a deferred rep row of team_overview holds before it is completed (the page asks
# whether any rep has activity from them).
_ACTIVITY_COUNTS = ("contacts", "activities_planned", "opportunities_created", "deals_won", "deals_lost", "offers_submitted")


# --- arithmetic on aggregated figures -------------------------------------------------------


def _ratio(numerator: Decimal | int, denominator: Decimal | int, places: Decimal = RATIO) -> Decimal | None:
    """numerator / denominator, or None (undefined, shown as "—") when the denominator is 0."""
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(places, rounding=ROUND_HALF_UP)


def _money(value: Any) -> Decimal:
    return Decimal(value or 0).quantize(CENT, rounding=ROUND_HALF_UP)


def median_of_counts(counts: Mapping[int, int]) -> Decimal | None:
    """The median of a multiset given as {value: how many times}; None if empty."""
    total = sum(counts.values())
    if total == 0:
        return None
    values = sorted(counts)
    wanted = [(total - 1) // 2, total // 2]  # the middle position(s), 0-based
    found: list[int] = []
    seen = 0
    for value in values:
        seen += counts[value]
        while len(found) < 2 and wanted[len(found)] < seen:
            found.append(value)
    return (Decimal(found[0] + found[1]) / 2).quantize(TENTH, rounding=ROUND_HALF_UP)


def figures(sums: Mapping[str, Any], cycles: Mapping[int, int] | None = None) -> dict[str, Any]:
    """The counts and ratios of docs/kpis.md from the summed daily columns of one rep or team."""
    n = {name: int(sums.get(name) or 0) for name in sql.COUNT_COLUMNS if name != "won_revenue"}
    revenue = _money(sums.get("won_revenue"))
    row: dict[str, Any] = {
        "contacts": n["contacts"],
        "discovery_meetings": n["discovery_meetings"],
        "proposal_meetings": n["proposal_meetings"],
        "activities_planned": n["activities_planned"],
        "activities_done_as_planned": n["activities_done_as_planned"],
        "opportunities_created": n["opportunities_created"],
        "offers_submitted": n["offers_submitted"],
        "deals_won": n["deals_won"],
        "won_revenue": revenue,
        "deals_lost": n["deals_lost"],
        "lost_after_offer": n["lost_after_offer"],
        "csat": _ratio(n["csat_sum"], n["csat_count"], CENT),
        "complaints": n["complaints"],
        "win_rate": _ratio(n["deals_won"], n["deals_won"] + n["deals_lost"]),
        "offer_to_close": _ratio(n["deals_won"], n["deals_won"] + n["lost_after_offer"]),
        "contact_to_offer": _ratio(n["created_reached_offer"], n["opportunities_created"]),
        "plan_completion": _ratio(n["activities_done_as_planned"], n["activities_planned"]),
        "avg_deal_size": _ratio(revenue, n["deals_won"], CENT),
        "sales_cycle_days": median_of_counts(cycles or {}),
    }
    return row


def _add(into: dict[str, Any], sums: Mapping[str, Any]) -> None:
    for name in sql.COUNT_COLUMNS:
        into[name] = into.get(name, 0) + (sums.get(name) or 0)


def check_metric(metric: str, activity_kind: str = "") -> None:
    """ValueError unless ``metric`` is a quota metric and ``activity_kind`` is given exactly for
    metric "activities" (one of the activity kinds)."""
    if metric not in QuotaMetric.values:
        raise ValueError(f"unknown metric {metric!r}")
    if metric == QuotaMetric.ACTIVITIES:
        if activity_kind not in ACTIVITY_KIND_COLUMNS:
            raise ValueError("metric 'activities' needs an activity kind")
    elif activity_kind:
        raise ValueError("an activity kind only goes with metric 'activities'")


def metric_actual(sums: Mapping[str, Any], metric: str, activity_kind: str = "") -> Decimal | int:
    """The actual of ``metric`` from summed daily columns: money for won revenue, else a count."""
    if metric == QuotaMetric.WON_REVENUE:
        return _money(sums.get("won_revenue"))
    column = ACTIVITY_KIND_COLUMNS[activity_kind] if metric == QuotaMetric.ACTIVITIES else METRIC_COLUMNS[metric]
    return int(sums.get(column) or 0)


def band(value: Decimal | Fraction | None) -> str | None:
    """The band of an attainment or a pace: compare the exact value, never a rounded one."""
    if value is None:
        return None
    if value < Fraction(4, 5):
        return BAND_AT_RISK
    if value < 1:
        return BAND_CLOSE
    return BAND_ON_TARGET


def round_half_up(value: Fraction | None, places: Decimal) -> Decimal | None:
    """An exact value rounded half up (away from zero) to ``places``, for display only."""
    if value is None:
        return None
    scale = _SCALES.get(places) or _SCALES.setdefault(places, 10 ** -int(places.as_tuple().exponent))
    # in integers (a region's page rounds thousands of these): |value| × scale = whole + rest / denominator
    whole, rest = divmod(abs(value.numerator) * scale, value.denominator)
    if 2 * rest >= value.denominator:
        whole += 1
    return (Decimal(-whole if value < 0 else whole) / scale).quantize(places)


_SCALES: dict[Decimal, int] = {}


def quota_figures(
    *,
    target: Fraction | Decimal,
    actual: Decimal | int,
    start: dt.date,
    end: dt.date,
    today: dt.date,
    open_amount: Any = 0,
    weighted: Any = 0,
    money: bool = True,
) -> dict[str, Any]:
    """Quota figures of docs/kpis.md, "Quota", for the exact ``target`` of start..end.

    Everything is computed on exact values and rounded only in the result: a band compares the
    exact attainment or pace (3,999.99 of 5,000 is at risk though shown as 80.0 %). A period
    without any working day spreads over its calendar days, as a quota without one does.
    ``money``: a won-revenue target, with the pipeline figures; else those are None.
    """
    exact = Fraction(target)
    done = Fraction(actual)
    total_days, elapsed = working_days(start, end), working_days(start, min(today, end))
    if not total_days:
        total_days, elapsed = calendar_days(start, end), calendar_days(start, min(today, end))
    expected = exact * elapsed / total_days
    attainment = done / exact if exact else None
    pace = done / expected if expected else None
    running = today <= end
    row: dict[str, Any] = {
        "target": round_half_up(exact, CENT),
        "attainment": round_half_up(attainment, RATIO),
        "expected_to_date": round_half_up(expected, CENT),
        "pace": round_half_up(pace, RATIO),
        "band": band(pace if running else attainment),
        "open_pipeline": None,
        "weighted_pipeline": None,
        "coverage": None,
        "forecast": None,
    }
    if money:
        open_pipeline, weighted_pipeline = _money(open_amount), _money(weighted)
        row["open_pipeline"] = open_pipeline
        row["weighted_pipeline"] = weighted_pipeline
        row["coverage"] = round_half_up(Fraction(open_pipeline) / (exact - done), RATIO) if done < exact else None
        row["forecast"] = _money(actual) + weighted_pipeline
    return row


# --- teams ----------------------------------------------------------------------------------


def _team_tree(known: Iterable[Team] | None = None) -> tuple[dict[int, Team], dict[int, set[int]]]:
    """The teams, and each team's subtree (itself and its sub-teams at any depth).

    One query, none when the caller already holds the teams (``known``: every team, or
    every team a user may see, which holds the subtree of each of them).
    """
    found_teams = known if known is not None else Team.objects.only("pk", "name", "parent_id")
    teams = {t.pk: t for t in found_teams}
    children: dict[int, list[int]] = defaultdict(list)
    for team in teams.values():
        if team.parent_id is not None:
            children[team.parent_id].append(team.pk)
    subtree: dict[int, set[int]] = {}
    for root in teams:
        found, stack = {root}, [root]
        while stack:
            for child in children[stack.pop()]:
                if child not in found:
                    found.add(child)
                    stack.append(child)
        subtree[root] = found
    return teams, subtree


def _membership_on_day(prefix: str = "rep__memberships__") -> Q:
    """The daily row's day lies within the membership (same join: use in one filter call)."""
    return Q(**{f"{prefix}start_date__lte": F("day")}) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": F("day")})
    )


# --- the table ------------------------------------------------------------------------------


def kpi_table(
    *,
    user: Any,
    start: dt.date,
    end: dt.date,
    group_by: str,
    team_id: int | None = None,
    today: dt.date | None = None,
    rep_ids: Iterable[int] | None = None,
    metric: str = QuotaMetric.WON_REVENUE,
    activity_kind: str = "",
) -> list[dict[str, Any]]:
    """Every KPI of docs/kpis.md per rep or per team for start..end (see the module docstring).

    ``team_id`` keeps, for group_by="rep", the reps who belonged to that team (or its
    sub-teams) during the period, with their figures (and their quotas' shares) while they
    belonged to it; for group_by="team", that team and its sub-teams. ``rep_ids``
    (group_by="rep" only) keeps only those reps' rows (a rep page needs one, not the team's).
    ``metric`` / ``activity_kind``: which quotas and actual the quota figures are of. Raises
    PermissionDenied for a team ``user`` may not see, ValueError for a bad metric. A constant
    number of queries whatever the number of rows.
    """
    if group_by not in ("rep", "team"):
        raise ValueError("group_by must be 'rep' or 'team'")
    check_metric(metric, activity_kind)
    measure = _Measure(metric, activity_kind)
    today = today or timezone.localdate()
    if group_by == "rep":
        return _rep_table(user=user, start=start, end=end, team_id=team_id, today=today, rep_ids=rep_ids, measure=measure)
    if rep_ids is not None:
        raise ValueError("rep_ids only applies to group_by='rep'")
    return _team_table(user=user, start=start, end=end, team_id=team_id, today=today, measure=measure)


@dataclass(frozen=True)
class _Measure:
    """The metric the quota figures of a table are of."""

    metric: str
    activity_kind: str = ""

    @property
    def is_money(self) -> bool:
        return self.metric == QuotaMetric.WON_REVENUE

    def actual(self, sums: Mapping[str, Any]) -> Decimal | int:
        return metric_actual(sums, self.metric, self.activity_kind)

    @property
    def column(self) -> str:
        """The daily column holding the actual."""
        if self.metric == QuotaMetric.WON_REVENUE:
            return "won_revenue"
        return ACTIVITY_KIND_COLUMNS[self.activity_kind] if self.metric == QuotaMetric.ACTIVITIES else METRIC_COLUMNS[self.metric]


@dataclass(frozen=True)
class TeamOverview:
    """What the team dashboard shows of the KPI engine for one team (with its sub-teams)."""

    rows: list[dict[str, Any]]  # as kpi_table(group_by="rep", team_id=team)
    total: dict[str, Any]  # the team's row of kpi_table(group_by="team", team_id=team)
    series: list[dict[str, Any]]  # as weekly_series(team_id=team, weeks=weeks, until=min(end, today))
    computed_at: dt.datetime | None  # as last_computed_at(rep_ids=<the reps of rows>)
    # Each rep's actual of the metric per week of ``series`` (oldest first), for sparklines;
    # read in the same query as the series.
    rep_series: dict[int, list[Decimal | int]] = field(default_factory=dict)
    # The team's row of the ``previous`` period (as kpi_table(group_by="team") gives its sums and
    # quota figures; no won-cycle median), or None when not asked for.
    previous_total: dict[str, Any] | None = None
    # The team (of the subtree) each rep belonged to last during the period: a region's reps
    # are told apart by it (two reps may share a name).
    rep_teams: dict[int, int] = field(default_factory=dict)
    # For a region (a team with sub-teams): one row per direct sub-team (with its own sub-teams),
    # by name, as kpi_table(group_by="team") gives it; read with the rep rows, no query of its own.
    team_rows: list[dict[str, Any]] = field(default_factory=list)
    # For a region: the direct sub-team each team of its subtree belongs to (itself for those).
    sub_team_of: dict[int, int] = field(default_factory=dict)
    # Whether any rep row has a quota of the metric (with ``defer_rep_rows``, before the rows
    # are complete).
    has_rep_quota: bool = False
    # With ``defer_rep_rows``: fills in the figures of the rows given (rows of ``rows``, in
    # place; rows already filled are left alone). No query.
    complete_rows: Callable[[Iterable[dict[str, Any]]], None] = field(default=lambda rows: None, repr=False, compare=False)


def team_overview(
    *,
    user: Any,
    team_id: int,
    start: dt.date,
    end: dt.date,
    today: dt.date | None = None,
    weeks: int = 12,
    teams: Iterable[Team] | None = None,
    metric: str = QuotaMetric.WON_REVENUE,
    activity_kind: str = "",
    previous: tuple[dt.date, dt.date] | None = None,
    with_rep_series: bool = True,
    defer_rep_rows: bool = False,
) -> TeamOverview:
    """The rep rows, the team total, the weekly series and the freshness of one team, equal to
    what the separate reads give, in a fixed handful of queries (the dashboard's budget).

    ``teams``: the teams ``user`` may see, when the caller has them (saves reading the tree).
    ``previous`` (start, end before ``start``): also the team's total of that period, for the
    change against it; one more query (its quotas), its daily sums read with the series.
    ``with_rep_series=False``: no ``rep_series`` (a region's page reads them for the reps it
    shows with :func:`rep_weekly_actuals`), so the series' query stays a row a week.
    ``defer_rep_rows=True``: ``rows`` hold each rep's name and activity counts only, until
    ``complete_rows`` is called on them (a region's page completes the 50 reps it shows, not
    its 2,000: the per-rep quota shares and figures were most of its time); the totals, the
    subtotals and the series are the same either way.
    Raises PermissionDenied for a team ``user`` may not see, ValueError for a bad metric.
    """
    check_metric(metric, activity_kind)
    measure = _Measure(metric, activity_kind)
    today = today or timezone.localdate()
    known = list(teams) if teams is not None else None
    teams_by_id, subtree = _team_tree(known)
    team = _check_team(user, team_id, teams_by_id)
    ids = sorted(subtree[team_id])
    weeks, first, last = _week_range(min(end, today), weeks)

    if previous is not None and not previous[0] <= previous[1] < start:
        raise ValueError("previous must end before start")
    read_from = previous[0] if previous is not None else start
    every_membership = targets.memberships_overlapping(ids, read_from, end)
    memberships = [m for m in every_membership if m[2] <= end and (m[3] is None or m[3] >= start)]
    # The reps of those memberships as a subquery, not as a list of ids: a region's 2,000 ids
    # cost more to pass, compile and parse than the database's semi-join of its memberships.
    members = _members_query(ids, start, end)
    visible_members = access.visible_reps(user).filter(pk__in=members)
    # Read as values (a name and a stamp a rep), not as Rep and User objects: a region has 2,000.
    reps = [
        _RepName(pk, _rep_name(first_name, last_name, username), stamp)
        for pk, first_name, last_name, username, stamp in visible_members.values_list(
            "pk", "user__first_name", "user__last_name", "user__username", "kpi_status__computed_at"
        )
    ]
    rep_ids = [rep.pk for rep in reps]
    in_team = KpiDay.objects.filter(_membership_on_day(), rep__memberships__team_id__in=ids)
    # Every member's sums, visible or not: the team total counts them all. Summed per rep and
    # the team they were in on the day, so a region's sub-team totals come from the same query;
    # read as tuples and added up column by column (a region: 2,000 reps, 200 teams).
    names = sql.COUNT_COLUMNS
    rep_totals: dict[int, list[Any]] = {}
    team_totals: dict[int, list[Any]] = {}
    for rep_id, team_of_day, *values in (
        in_team.filter(day__gte=start, day__lte=end)
        .order_by()
        .values("rep_id", "rep__memberships__team_id")
        .annotate(**_SUMS)
        .values_list("rep_id", "rep__memberships__team_id", *names)
    ):
        values = [value or 0 for value in values]
        for totals, key in ((rep_totals, rep_id), (team_totals, team_of_day)):
            before = totals.get(key)
            totals[key] = values if before is None else [a + b for a, b in zip(before, values, strict=True)]
    sums: dict[int, dict[str, Any]] = {rep_id: dict(zip(names, totals, strict=True)) for rep_id, totals in rep_totals.items()}
    # One histogram for the period and the weeks of the series.
    histogram = sql.won_cycle_histogram(start=min(start, first), end=max(end, last), rep_ids=None, team_ids=ids, group_by="rep")
    # The teams seen hold the whole subtree of team_id (a user sees a team's sub-teams).
    children = targets.children_of(teams_by_id.values())
    # A region's sub-teams (each with its own sub-teams): the page shows a subtotal for each.
    sub_teams = sorted(children.get(team_id, ()), key=lambda pk: (teams_by_id[pk].name, pk))
    top_of = {member: sub for sub in sub_teams for member in subtree[sub]}
    stints: dict[int, list[tuple[int, dt.date, dt.date | None]]] = defaultdict(list)
    for rep_id, team_, first_day, last_day in memberships:
        if team_ in top_of:
            stints[rep_id].append((top_of[team_], first_day, last_day))

    cycles: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    total_cycles: dict[int, int] = defaultdict(int)
    sub_cycles: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for rep_id, day, cycle, count in histogram:
        if start <= day <= end:
            cycles[rep_id][cycle] += count
            total_cycles[cycle] += count
            # the sub-team the rep was in on the day (memberships of one rep do not overlap)
            for sub, first_day, last_day in stints.get(rep_id, ()):
                if first_day <= day and (last_day is None or day <= last_day):
                    sub_cycles[sub][cycle] += count
                    break
    # One read of the quotas for the period and the previous one (the dashboard's query budget).
    involved = targets.subtree_of([team_id], children)
    book = targets.read_quota_book(
        metric=metric,
        activity_kind=activity_kind,
        start=read_from,
        end=end,
        rep_ids=rep_ids,
        team_ids=involved,
        memberships=[m for m in every_membership if m[1] in involved],
        children=children,
        # every rep above is one of these members (a subquery, not 2,000 ids)
        rep_query=_members_query(involved, read_from, end),
    )
    found = targets.period_targets(
        metric=metric,
        activity_kind=activity_kind,
        start=start,
        end=end,
        rep_ids=[] if defer_rep_rows else rep_ids,
        team_ids=[team_id, *sub_teams],
        rep_scope=ids,
        memberships=memberships,
        children=children,
        book=book,
    )
    team_target = found.teams.get(team_id)
    # a rep has a quota of the period when one overlaps their days in the team (no arithmetic)
    has_rep_quota = bool(found.reps) or (
        defer_rep_rows and targets.any_rep_target(book, rep_ids, start, end, memberships=memberships, rep_scope=ids)
    )

    pipeline_rows = []
    if measure.is_money and (found.teams or has_rep_quota):
        pipeline_rows = _open_pipeline(
            start=start,
            end=end,
            today=today,
            where=Q(owner_id__in=visible_members.values("pk")) | Q(owner__team_id__in=ids),
            groups=["owner_id", "owner__team_id"],
        )
    rep_pipeline = _pipeline_by(pipeline_rows, itemgetter("owner_id"))  # reps in rep_ids have no other rows
    complete_rows: Callable[[Iterable[dict[str, Any]]], None] = lambda rows: None  # noqa: E731
    if not defer_rep_rows:
        rows = _rep_rows(reps, sums, cycles, found.reps, rep_pipeline, start=start, end=end, today=today, measure=measure)
    else:
        reps_by_id = {rep.pk: rep for rep in reps}
        rows = [
            {
                "rep": {"id": rep.pk, "name": rep.name},
                **{key: int(sums.get(rep.pk, {}).get(key) or 0) for key in _ACTIVITY_COUNTS},
            }
            for rep in reps
        ]

        def complete_rows(wanted: Iterable[dict[str, Any]]) -> None:
            todo = [row for row in wanted if "actual" not in row]
            if not todo:
                return
            page_reps = [reps_by_id[row["rep"]["id"]] for row in todo]
            rep_targets = targets.period_targets(
                metric=metric,
                activity_kind=activity_kind,
                start=start,
                end=end,
                rep_ids=[rep.pk for rep in page_reps],
                rep_scope=ids,
                memberships=memberships,
                children=children,
                book=book,
            ).reps
            done = _rep_rows(
                page_reps, sums, cycles, rep_targets, rep_pipeline, start=start, end=end, today=today, measure=measure
            )
            for row, filled in zip(todo, done, strict=True):
                row.update(filled)

    # the same daily rows as the reps' sums, added up per team (a region: 200 teams, 2,000 reps)
    total_sums: dict[str, Any] = dict(zip(names, _column_sums(team_totals.values(), len(names)), strict=True))
    total: dict[str, Any] = {"team": {"id": team.pk, "name": team.name}, **figures(total_sums, total_cycles)}
    total["actual"] = measure.actual(total_sums)
    if team_target is not None:
        in_subtree = subtree[team_id]
        team_pipeline = _pipeline_by(pipeline_rows, lambda row: team_id if row["owner__team_id"] in in_subtree else None)
        open_amount, weighted = team_pipeline.get(team_id, (0, 0))
        _add_quota(total, team_target, open_amount, weighted, start=start, end=end, today=today, measure=measure)

    sub_rows = []
    sub_pipeline = _pipeline_by(pipeline_rows, lambda row: top_of.get(row["owner__team_id"]))
    for sub in sub_teams:
        sub_sums = dict(
            zip(names, _column_sums((team_totals[t] for t in subtree[sub] if t in team_totals), len(names)), strict=True)
        )
        sub_row: dict[str, Any] = {"team": {"id": sub, "name": teams_by_id[sub].name}, **figures(sub_sums, sub_cycles.get(sub))}
        sub_row["actual"] = measure.actual(sub_sums)
        if sub in found.teams:
            open_amount, weighted = sub_pipeline.get(sub, (0, 0))
            _add_quota(sub_row, found.teams[sub], open_amount, weighted, start=start, end=end, today=today, measure=measure)
        sub_rows.append(sub_row)

    series_rows = in_team.filter(day__gte=min(first, read_from), day__lte=last)
    series, rep_series, previous_sums = _series_with_reps(
        series_rows,
        (row for row in histogram if first <= row[1] <= last),
        first=first,
        weeks=weeks,
        measure=measure,
        previous=previous,
        per_rep=with_rep_series,
    )
    previous_total = None
    if previous is not None:
        before_start, before_end = previous
        previous_total = {"team": {"id": team.pk, "name": team.name}, **figures(previous_sums)}
        previous_total["actual"] = measure.actual(previous_sums)
        before = targets.period_targets(
            metric=metric,
            activity_kind=activity_kind,
            start=before_start,
            end=before_end,
            team_ids=[team_id],
            memberships=[m for m in every_membership if m[2] <= before_end and (m[3] is None or m[3] >= before_start)],
            children=children,
            book=book,
        ).teams.get(team_id)
        if before is not None:
            # the pipeline counts toward the rest of a period only, so none for an ended one
            _add_quota(previous_total, before, 0, 0, start=before_start, end=before_end, today=today, measure=measure)
    stamps = [rep.computed_at for rep in reps if rep.computed_at is not None]  # the reps' KpiStatus
    return TeamOverview(
        rows=rows,
        total=total,
        series=series,
        computed_at=max(stamps) if stamps else None,
        rep_series=rep_series,
        previous_total=previous_total,
        rep_teams={rep: team_ for rep, team_, _first, _last in sorted(memberships, key=lambda m: m[2])},
        team_rows=sub_rows,
        sub_team_of=top_of,
        has_rep_quota=has_rep_quota,
        complete_rows=complete_rows,
    )


@dataclass(frozen=True, slots=True)
class _RepName:
    """What a rep row needs of a rep: its id and name (as Rep.name), and when its KPI rows were computed."""

    pk: int
    name: str
    computed_at: dt.datetime | None = None


def _rep_name(first_name: str, last_name: str, username: str) -> str:
    """Rep.name from its user's columns (User.get_full_name(), else the username)."""
    return f"{first_name} {last_name}".strip() or username


def _members_query(team_ids: Iterable[int], start: dt.date, end: dt.date) -> Any:
    """The ids of the reps with a membership of one of ``team_ids`` overlapping start..end, as
    a subquery (the reps of targets.memberships_overlapping(team_ids, start, end))."""
    return (
        TeamMembership.objects.filter(team_id__in=list(team_ids), start_date__lte=end)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
        .values("rep_id")
    )


def _column_sums(rows: Iterable[Sequence[Any]], width: int) -> list[Any]:
    """The column-wise sums of rows of ``width`` numbers (zeros when there is no row)."""
    totals: list[Any] = [0] * width
    for row in rows:
        totals = [a + b for a, b in zip(totals, row, strict=True)]
    return totals


def _check_team(user: Any, team_id: int, teams: Mapping[int, Team]) -> Team:
    team = teams.get(team_id)
    if team is None or not access.can_see_team(user, team):
        raise PermissionDenied(_("You may not see this team."))
    return team


def _rep_table(
    *,
    user: Any,
    start: dt.date,
    end: dt.date,
    team_id: int | None,
    today: dt.date,
    rep_ids: Iterable[int] | None,
    measure: _Measure,
) -> list[dict[str, Any]]:
    rows_qs = KpiDay.objects.filter(day__gte=start, day__lte=end)
    reps_qs = access.visible_reps(user).select_related("user").only(*_REP_NAME_FIELDS)
    if rep_ids is not None:
        reps_qs = reps_qs.filter(pk__in=list(rep_ids))
    memberships = None
    scope: list[int] | None = None
    if team_id is not None:
        teams, subtree = _team_tree()
        _check_team(user, team_id, teams)
        scope = sorted(subtree[team_id])
        # With their dates: a rep's quota counts on the days they were in the team.
        memberships = targets.memberships_overlapping(scope, start, end)
        reps_qs = reps_qs.filter(pk__in={rep_id for rep_id, _team, _first, _last in memberships})
        rows_qs = rows_qs.filter(_membership_on_day(), rep__memberships__team_id__in=scope)
    else:
        reps_qs = reps_qs.filter(Q(is_active=True) | Q(pk__in=rows_qs.values("rep_id")))
    reps = list(reps_qs)
    if not reps:
        return []
    rep_ids = [r.pk for r in reps]
    sums = {row["rep_id"]: row for row in rows_qs.filter(rep_id__in=rep_ids).order_by().values("rep_id").annotate(**_SUMS)}
    cycles: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    histogram = sql.won_cycle_histogram(start=start, end=end, rep_ids=rep_ids, team_ids=scope, group_by="rep")
    for rep_id, _day, cycle, count in histogram:
        cycles[rep_id][cycle] += count

    found = targets.period_targets(
        metric=measure.metric,
        activity_kind=measure.activity_kind,
        start=start,
        end=end,
        rep_ids=rep_ids,
        rep_scope=scope,
        memberships=memberships,
        children={},
    ).reps
    pipeline = {}
    if found and measure.is_money:
        pipeline_rows = _open_pipeline(start=start, end=end, today=today, where=Q(owner_id__in=rep_ids), groups=["owner_id"])
        pipeline = _pipeline_by(pipeline_rows, itemgetter("owner_id"))
    return _rep_rows(reps, sums, cycles, found, pipeline, start=start, end=end, today=today, measure=measure)


def _rep_rows(
    reps: Iterable[Rep | _RepName],
    sums: Mapping[int, Mapping[str, Any]],
    cycles: Mapping[int, Mapping[int, int]],
    rep_targets: Mapping[int, Fraction],
    pipeline: Mapping[int, tuple[Any, Any]],
    *,
    start: dt.date,
    end: dt.date,
    today: dt.date,
    measure: _Measure,
) -> list[dict[str, Any]]:
    """One table row per rep from the figures read in bulk (keyed by rep id)."""
    table = []
    for rep in reps:
        rep_sums = sums.get(rep.pk, {})
        row: dict[str, Any] = {"rep": {"id": rep.pk, "name": rep.name}}
        row.update(figures(rep_sums, cycles.get(rep.pk)))
        row["actual"] = measure.actual(rep_sums)
        if rep.pk in rep_targets:
            open_amount, weighted = pipeline.get(rep.pk, (0, 0))
            _add_quota(row, rep_targets[rep.pk], open_amount, weighted, start=start, end=end, today=today, measure=measure)
        table.append(row)
    return table


def _add_quota(
    row: dict[str, Any],
    target: Fraction,
    open_amount: Any,
    weighted: Any,
    *,
    start: dt.date,
    end: dt.date,
    today: dt.date,
    measure: _Measure,
) -> None:
    row.update(
        quota_figures(
            target=target,
            actual=row["actual"],
            start=start,
            end=end,
            today=today,
            open_amount=open_amount,
            weighted=weighted,
            money=measure.is_money,
        )
    )


def _team_table(
    *, user: Any, start: dt.date, end: dt.date, team_id: int | None, today: dt.date, measure: _Measure
) -> list[dict[str, Any]]:
    teams, subtree = _team_tree()
    visible = set(access.visible_teams(user).values_list("pk", flat=True))
    if team_id is not None:
        _check_team(user, team_id, teams)
        wanted = [t for t in subtree[team_id] if t in visible]
    else:
        wanted = list(visible)
    if not wanted:
        return []
    wanted.sort(key=lambda pk: (teams[pk].name, pk))
    involved = set().union(*(subtree[t] for t in wanted))

    # Daily rows summed per team the rep belonged to on the day; parents add their sub-teams.
    direct = {
        row["rep__memberships__team_id"]: row
        for row in KpiDay.objects.filter(
            _membership_on_day(), day__gte=start, day__lte=end, rep__memberships__team_id__in=involved
        )
        .order_by()
        .values("rep__memberships__team_id")
        .annotate(**_SUMS)
    }
    direct_cycles: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for tid, _day, cycle, count in sql.won_cycle_histogram(start=start, end=end, rep_ids=None, team_ids=sorted(involved)):
        direct_cycles[tid][cycle] += count

    # Targets by the per-day rule: the team's own quota, else its members' and sub-teams'.
    found = targets.period_targets(
        metric=measure.metric,
        activity_kind=measure.activity_kind,
        start=start,
        end=end,
        team_ids=wanted,
        memberships=targets.memberships_overlapping(involved, start, end),
        children=targets.children_of(teams.values()),
    ).teams
    pipeline: dict[Any, tuple[Decimal, Decimal]] = {}
    if found and measure.is_money:
        pipeline_rows = _open_pipeline(
            start=start, end=end, today=today, where=Q(owner__team_id__in=involved), groups=["owner__team_id"]
        )
        pipeline = _pipeline_by(pipeline_rows, itemgetter("owner__team_id"))

    table = []
    for tid in wanted:
        sums: dict[str, Any] = {}
        cycles: dict[int, int] = defaultdict(int)
        open_amount, weighted = Decimal(0), Decimal(0)
        for sub in subtree[tid]:
            _add(sums, direct.get(sub, {}))
            for cycle, count in direct_cycles.get(sub, {}).items():
                cycles[cycle] += count
            sub_open, sub_weighted = pipeline.get(sub, (0, 0))
            open_amount += Decimal(sub_open or 0)
            weighted += Decimal(sub_weighted or 0)
        row: dict[str, Any] = {"team": {"id": tid, "name": teams[tid].name}}
        row.update(figures(sums, cycles))
        row["actual"] = measure.actual(sums)
        if tid in found:
            _add_quota(row, found[tid], open_amount, weighted, start=start, end=end, today=today, measure=measure)
        table.append(row)
    return table


def _open_pipeline(*, start: dt.date, end: dt.date, today: dt.date, where: Q, groups: Sequence[str]) -> list[dict[str, Any]]:
    """Open amount and probability-weighted amount of the open deals (matching ``where``)
    expected to close in the rest of the period (max(today, start)..end), grouped by ``groups``
    (fields of the deal: its current owner, the owner's current team). One query, none once
    the period has ended."""
    rest_start = max(today, start)
    if rest_start > end:
        return []
    qs = Opportunity.objects.filter(
        where, stage__kind=StageKind.OPEN, expected_close_date__gte=rest_start, expected_close_date__lte=end
    )
    weighted = ExpressionWrapper(
        F("amount") * F("stage__probability") / Decimal(100), output_field=DecimalField(max_digits=20, decimal_places=4)
    )
    return list(qs.order_by().values(*groups).annotate(open_amount=Sum("amount"), weighted=Sum(weighted)))


def _pipeline_by(
    rows: Iterable[Mapping[str, Any]], group_of: Callable[[Mapping[str, Any]], Any]
) -> dict[Any, tuple[Decimal, Decimal]]:
    """The open and weighted amounts of :func:`_open_pipeline` rows summed per ``group_of(row)``
    (rows whose group is None are left out)."""
    sums: dict[Any, tuple[Decimal, Decimal]] = {}
    for row in rows:
        group = group_of(row)
        if group is None:
            continue
        open_amount, weighted = sums.get(group, (Decimal(0), Decimal(0)))
        sums[group] = (open_amount + Decimal(row["open_amount"] or 0), weighted + Decimal(row["weighted"] or 0))
    return sums


# --- weekly series --------------------------------------------------------------------------


def weekly_series(
    *,
    user: Any,
    rep_id: int | None = None,
    team_id: int | None = None,
    weeks: int = 12,
    until: dt.date | None = None,
) -> list[dict[str, Any]]:
    """The last ``weeks`` ISO weeks up to the one holding ``until`` (default today), oldest first.

    For one rep, one team (with its sub-teams, by membership on each day) or, with neither,
    every rep ``user`` may see. Each dict: ``week`` (its Monday), the counts and the ratios.
    Raises PermissionDenied for a rep or team ``user`` may not see.
    """
    weeks, first, last = _week_range(until or timezone.localdate(), weeks)
    rows_qs = KpiDay.objects.filter(day__gte=first, day__lte=last)
    cycle_rows: list[tuple[int, dt.date, int, int]]
    if rep_id is not None:
        rep = Rep.objects.filter(pk=rep_id).first()
        if rep is None or not access.can_see_rep(user, rep):
            raise PermissionDenied(_("You may not see this rep."))
        rows_qs = rows_qs.filter(rep_id=rep_id)
        cycle_rows = sql.won_cycle_histogram(start=first, end=last, rep_ids=[rep_id])
    elif team_id is not None:
        teams, subtree = _team_tree()
        _check_team(user, team_id, teams)
        ids = sorted(subtree[team_id])
        rows_qs = rows_qs.filter(_membership_on_day(), rep__memberships__team_id__in=ids)
        cycle_rows = sql.won_cycle_histogram(start=first, end=last, rep_ids=None, team_ids=ids)
    else:
        rep_ids = list(access.visible_reps(user).values_list("pk", flat=True))
        rows_qs = rows_qs.filter(rep_id__in=rep_ids)
        cycle_rows = sql.won_cycle_histogram(start=first, end=last, rep_ids=rep_ids)
    return _series(rows_qs, cycle_rows, first=first, weeks=weeks)


def _week_range(until: dt.date, weeks: int) -> tuple[int, dt.date, dt.date]:
    """The number of weeks (1..260), the Monday of the first and the Sunday of the last."""
    weeks = max(1, min(int(weeks), 260))
    last_monday = until - dt.timedelta(days=until.weekday())
    return weeks, last_monday - dt.timedelta(weeks=weeks - 1), last_monday + dt.timedelta(days=6)


def _series(
    rows_qs: Any, cycle_rows: Iterable[tuple[int, dt.date, int, int]], *, first: dt.date, weeks: int
) -> list[dict[str, Any]]:
    """The weekly figures from the daily rows of the weeks (one query) and their won-deal cycles."""
    # Summed per day in SQL (a plain column: truncating every row to its week cost more) and
    # per week here, from at most 7 × weeks rows.
    by_week: dict[dt.date, dict[str, Any]] = defaultdict(dict)
    for row in rows_qs.order_by().values("day").annotate(**_SUMS):
        day = row.pop("day")
        _add(by_week[day - dt.timedelta(days=day.weekday())], row)
    cycles: dict[dt.date, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for _group, day, cycle, count in cycle_rows:
        cycles[day - dt.timedelta(days=day.weekday())][cycle] += count
    series = []
    for index in range(weeks):
        monday = first + dt.timedelta(weeks=index)
        series.append({"week": monday, **figures(by_week.get(monday, {}), cycles.get(monday))})
    return series


def _series_with_reps(
    rows_qs: Any,
    cycle_rows: Iterable[tuple[int, dt.date, int, int]],
    *,
    first: dt.date,
    weeks: int,
    measure: _Measure,
    previous: tuple[dt.date, dt.date] | None = None,
    per_rep: bool = True,
) -> tuple[list[dict[str, Any]], dict[int, list[Decimal | int]], dict[str, Any]]:
    """As :func:`_series`, each rep's actual of ``measure`` per week, and the sums of the days
    of ``previous``, from one query summed per rep and week (the team's weeks are the sums of
    its reps' weeks, as in ``_series``)."""
    names = sql.COUNT_COLUMNS
    column = names.index(measure.column)
    # Summed per rep and week in SQL (a region has 2,000 reps: per day they were 100 rows a rep),
    # the days of ``previous`` apart, read as tuples and added up column by column: this loop
    # runs for every rep and week of a region. ``first`` is a Monday, so a week lies wholly
    # before it or not.
    groups: dict[str, Any] = {"monday": TruncWeek("day", output_field=DateField())}
    if previous is not None:
        groups["in_previous"] = Case(
            When(day__gte=previous[0], day__lte=previous[1], then=Value(True)), default=Value(False), output_field=BooleanField()
        )
    week_totals: dict[dt.date, list[Any]] = {}
    previous_totals: list[Any] | None = None  # None: no day of ``previous`` has a row
    by_rep_week: dict[int, dict[dt.date, Any]] = defaultdict(lambda: defaultdict(int))
    if per_rep:
        rows = rows_qs.order_by().values("rep_id", **groups).annotate(**_SUMS).values_list("rep_id", *groups, *names)
    else:
        # The team's weeks only: summed per day in SQL (a plain column groups faster than its
        # week: a region's 12 weeks are 49,000 daily rows at 2,000 reps), per week here.
        def by_day(day: dt.date) -> tuple[Any, ...]:
            monday = day - dt.timedelta(days=day.weekday())
            return (monday, previous[0] <= day <= previous[1]) if previous is not None else (monday,)

        rows = (
            (None, *by_day(day), *values)
            for day, *values in rows_qs.order_by().values("day").annotate(**_SUMS).values_list("day", *names)
        )
    for rep_id, monday, *values in rows:
        in_previous = values.pop(0) if previous is not None else False
        if in_previous:
            before = previous_totals or [0] * len(names)
            previous_totals = [total + (value or 0) for total, value in zip(before, values, strict=True)]
        if monday < first:
            continue
        totals = week_totals.get(monday, [0] * len(names))
        week_totals[monday] = [total + (value or 0) for total, value in zip(totals, values, strict=True)]
        if per_rep:
            by_rep_week[rep_id][monday] += values[column] or 0
    by_week = {monday: dict(zip(names, totals, strict=True)) for monday, totals in week_totals.items()}
    previous_sums: dict[str, Any] = dict(zip(names, previous_totals, strict=True)) if previous_totals else {}
    cycles: dict[dt.date, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for _group, day, cycle, count in cycle_rows:
        cycles[day - dt.timedelta(days=day.weekday())][cycle] += count
    mondays = [first + dt.timedelta(weeks=index) for index in range(weeks)]
    series = [{"week": monday, **figures(by_week.get(monday, {}), cycles.get(monday))} for monday in mondays]
    rep_series = {
        rep_id: [measure.actual({measure.column: weeks_.get(monday, 0)}) for monday in mondays]
        for rep_id, weeks_ in by_rep_week.items()
    }
    return series, rep_series, previous_sums


def rep_weekly_actuals(
    *,
    rep_ids: Iterable[int],
    team_ids: Iterable[int],
    mondays: Sequence[dt.date],
    metric: str = QuotaMetric.WON_REVENUE,
    activity_kind: str = "",
) -> dict[int, list[Decimal | int]]:
    """Each rep's actual of the metric per week (``mondays``, consecutive), counting the days
    they were in one of ``team_ids``: the ``rep_series`` of :func:`team_overview`, for the
    reps a page shows. One query. The callers pass reps a user may see (team_overview's rows)."""
    check_metric(metric, activity_kind)
    measure = _Measure(metric, activity_kind)
    rep_ids = list(rep_ids)
    if not rep_ids or not mondays:
        return {}
    rows = (
        KpiDay.objects.filter(
            _membership_on_day(),
            rep__memberships__team_id__in=list(team_ids),
            rep_id__in=rep_ids,
            day__gte=mondays[0],
            day__lte=mondays[-1] + dt.timedelta(days=6),
        )
        .order_by()
        .values("rep_id", monday=TruncWeek("day", output_field=DateField()))
        .annotate(actual=Sum(measure.column))
        .values_list("rep_id", "monday", "actual")
    )
    by_rep_week: dict[int, dict[dt.date, Any]] = defaultdict(dict)
    for rep_id, monday, actual in rows:
        by_rep_week[rep_id][monday] = actual
    return {
        rep_id: [measure.actual({measure.column: weeks.get(monday)}) for monday in mondays]
        for rep_id, weeks in by_rep_week.items()
    }


def last_computed_at(*, rep_ids: Iterable[int] | None = None) -> dt.datetime | None:
    """When the KPI rows of ``rep_ids`` (all reps if None) were last recomputed; None if never."""
    qs = KpiStatus.objects.all()
    if rep_ids is not None:
        qs = qs.filter(rep_id__in=list(rep_ids))
    return qs.aggregate(latest=Max("computed_at"))["latest"]
