"""Reads the dashboards need beyond the KPI table: pipeline snapshots, deal lists, plans.

The KPI figures themselves come from ``kpis.selectors``; these are the lists and snapshots
around them (open pipeline by stage and close month, open deals with days in stage,
overdue next steps, activities planned vs done, the week's pipeline changes). Every
function is set-based (a fixed number of queries whatever the team size) and scoped
through ``reps.access``. Open pipeline is a snapshot of *now*, so it is attributed to the
current owner and their current team.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.utils import timezone

from kpis.models import ActivityTarget
from kpis.periods import day_start
from reps.access import scope, visible_teams
from reps.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    Opportunity,
    OpportunityStageChange,
    Rep,
    Stage,
    StageKind,
    Team,
)

ZERO = Decimal("0.00")


# --- teams ----------------------------------------------------------------------------------


def team_choices(user: Any) -> list[Team]:
    """The teams ``user`` may pick on a dashboard, each region before its teams (one query).

    Each team gets ``depth`` (0 for a team whose parent the user does not see) for indenting.
    """
    teams = list(visible_teams(user).only("pk", "name", "parent_id", "manager_id").order_by("name"))
    by_parent: dict[int | None, list[Team]] = defaultdict(list)
    ids = {team.pk for team in teams}
    for team in teams:
        by_parent[team.parent_id if team.parent_id in ids else None].append(team)
    ordered: list[Team] = []

    def walk(parent: int | None, depth: int) -> None:
        for team in by_parent.get(parent, []):
            team.depth = depth  # type: ignore[attr-defined]
            ordered.append(team)
            walk(team.pk, depth + 1)

    walk(None, 0)
    return ordered


def team_and_below(team_id: int, teams: Iterable[Team]) -> set[int]:
    """``team_id`` and the ids of the teams below it (a region rolls up its teams)."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for team in teams:
        children[team.parent_id].append(team.pk)
    found, frontier = {team_id}, [team_id]
    while frontier:
        frontier = [child for parent in frontier for child in children.get(parent, []) if child not in found]
        found.update(frontier)
    return found


# --- open pipeline --------------------------------------------------------------------------


def _open_opportunities(
    user: Any,
    *,
    rep_ids: Sequence[int] | None = None,
    team_ids: Iterable[int] | None = None,
    stage_ids: Sequence[int] | None = None,
) -> QuerySet:
    # The open stages as a subquery, not a join: the pipeline index then serves on its own.
    # ``stage_ids``: the open stages, read already (as values the planner sees them).
    open_stages = Stage.objects.filter(kind=StageKind.OPEN).values("pk") if stage_ids is None else stage_ids
    queryset = scope(Opportunity.objects.filter(stage_id__in=open_stages), user, "owner")
    if rep_ids is not None:
        queryset = queryset.filter(owner_id__in=rep_ids)
    if team_ids is not None:
        queryset = queryset.filter(owner__team_id__in=list(team_ids))
    return queryset


def pipeline_snapshot(
    *, user: Any, rep_ids: Sequence[int] | None = None, team_ids: Iterable[int] | None = None
) -> tuple[list[dict], list[dict]]:
    """Open pipeline now, by stage (pipeline order) and by expected close month (None: no date).

    One query for the open stages, one grouped by stage and expected close date (plain columns:
    no per-row arithmetic in SQL); the two views are sums of those groups in Python. Each
    row: ``count``, ``amount`` and ``weighted`` (amount × stage probability, exact: the
    probability is the same for every deal of a stage).
    """
    # The open stages first, their ids passed as values: with a subquery the planner could not
    # tell how many deals they hold, and read a region's deals (a million at 2,000 reps) from
    # the table; with the ids it reads the open ones from the pipeline index alone
    # (opportunity_pipeline_idx: stage, owner, with the close date and amount).
    open_stages = {
        stage["pk"]: stage
        for stage in Stage.objects.filter(kind=StageKind.OPEN).values("pk", "name", "order", "probability", "pipeline__name")
    }
    groups = (
        list(
            _open_opportunities(user, rep_ids=rep_ids, team_ids=team_ids, stage_ids=sorted(open_stages))
            .values("stage_id", "expected_close_date")
            .annotate(count=Count("*"), total=Sum("amount"))  # COUNT(*): read from the index alone
            .order_by()
        )
        if open_stages
        else []
    )
    stages = {group["stage_id"]: open_stages[group["stage_id"]] for group in groups}
    several_pipelines = len({stage["pipeline__name"] for stage in stages.values()}) > 1
    by_stage: dict[tuple, dict] = {}
    by_month: dict[Any, dict] = {}
    for group in groups:
        stage = stages[group["stage_id"]]
        name = f"{stage['pipeline__name']}: {stage['name']}" if several_pipelines else stage["name"]
        stage_key = (stage["pipeline__name"], stage["order"], stage["pk"])
        day = group["expected_close_date"]
        month = day.replace(day=1) if day else None
        amount = group["total"] or ZERO
        weighted = amount * stage["probability"] / 100
        for bucket, key, label in ((by_stage, stage_key, {"stage": name}), (by_month, month, {"month": month})):
            row = bucket.setdefault(key, {**label, "count": 0, "amount": ZERO, "weighted": Decimal(0)})
            row["count"] += group["count"]
            row["amount"] += amount
            row["weighted"] += weighted
    stages_rows = [by_stage[key] for key in sorted(by_stage)]
    months = [by_month[key] for key in sorted(by_month, key=lambda m: (m is None, m or dt.date.min))]
    for row in (*stages_rows, *months):
        row["weighted"] = Decimal(row["weighted"]).quantize(ZERO)
    return stages_rows, months


def open_opportunities(*, user: Any, rep: Rep, today: dt.date) -> QuerySet[Opportunity]:
    """A rep's open opportunities by stage, longest in stage first, with ``days_in_stage``."""
    return (
        _open_opportunities(user, rep_ids=[rep.pk])
        .select_related("stage", "account", "pipeline")
        .order_by("pipeline__name", "stage__order", "stage_changed_at", "pk")
    )


def days_in_stage(opportunity: Opportunity, today: dt.date) -> int:
    return max(0, (today - timezone.localdate(opportunity.stage_changed_at)).days)


def overdue_next_steps(*, user: Any, rep: Rep, today: dt.date) -> QuerySet[Opportunity]:
    """Open opportunities whose next step was due before today, oldest first."""
    return (
        _open_opportunities(user, rep_ids=[rep.pk])
        .filter(next_step_date__lt=today)
        .select_related("stage", "account")
        .order_by("next_step_date", "pk")
    )


# --- activity plan --------------------------------------------------------------------------


def activity_plan(*, user: Any, rep: Rep, week_start: dt.date, as_of: dt.datetime | None = None) -> list[dict]:
    """Per activity kind: weekly target, planned and done this week, planned next week.

    With ``as_of``, as things stood then: an activity done later counts as not done yet (a past
    one-to-one's agenda). Creation times are not used: imported and seeded activities carry
    the time of the import.

    *Planned* counts activities whose planned date is in the week, whatever their status
    (the shared KPI definition of activities_planned); *done* counts those done in the week
    by done date, planned or not. Two queries.
    """
    this_end = week_start + dt.timedelta(days=7)
    next_end = this_end + dt.timedelta(days=7)
    activities = scope(Activity.objects.filter(owner=rep), user, "owner")
    is_done = Q(status=ActivityStatus.DONE)
    if as_of is not None:
        is_done &= Q(done_at__lte=as_of)
    counts = (
        activities.filter(
            Q(planned_date__gte=week_start, planned_date__lt=next_end)
            | Q(done_at__gte=day_start(week_start), done_at__lt=day_start(this_end))
        )
        .values("kind")
        .annotate(
            planned_this=Count("pk", filter=Q(planned_date__gte=week_start, planned_date__lt=this_end)),
            planned_done_this=Count(
                "pk",
                filter=Q(planned_date__gte=week_start, planned_date__lt=this_end) & is_done,
            ),
            done_this=Count(
                "pk",
                filter=is_done & Q(done_at__gte=day_start(week_start), done_at__lt=day_start(this_end)),
            ),
            planned_next=Count("pk", filter=Q(planned_date__gte=this_end, planned_date__lt=next_end)),
        )
    )
    by_kind = {row["kind"]: row for row in counts}
    targets = _weekly_targets(rep, week_start)
    rows = []
    for kind in ActivityKind:
        row = by_kind.get(kind.value, {})
        target = targets.get(kind.value)
        if not row and target is None:
            continue
        rows.append(
            {
                "kind": kind.value,
                "label": kind.label,
                "target": target,
                "planned_this": row.get("planned_this", 0),
                "planned_done_this": row.get("planned_done_this", 0),
                "done_this": row.get("done_this", 0),
                "planned_next": row.get("planned_next", 0),
            }
        )
    return rows


def _weekly_targets(rep: Rep, week_start: dt.date) -> dict[str, int]:
    """The rep's weekly activity targets in force on ``week_start``; the rep's own win over the team's."""
    targets = ActivityTarget.objects.filter(
        Q(rep=rep) | Q(team_id=rep.team_id) if rep.team_id else Q(rep=rep),
        start_date__lte=week_start,
    ).filter(Q(end_date__isnull=True) | Q(end_date__gte=week_start))
    found: dict[str, tuple[bool, dt.date, int]] = {}
    for target in targets.values("kind", "rep_id", "start_date", "per_week"):
        key = (target["rep_id"] is not None, target["start_date"], target["per_week"])
        if target["kind"] not in found or key[:2] > found[target["kind"]][:2]:
            found[target["kind"]] = key
    return {kind: value[2] for kind, value in found.items()}


# --- the week's team meeting ----------------------------------------------------------------


def week_meetings(*, user: Any, team_ids: Iterable[int], start: dt.date, end: dt.date) -> QuerySet[Activity]:
    """Discovery and proposal meetings done in ``start``..``end`` by the team's current reps."""
    return (
        scope(Activity.objects.all(), user, "owner")
        .filter(
            owner__team_id__in=list(team_ids),
            status=ActivityStatus.DONE,
            kind__in=[ActivityKind.DISCOVERY_MEETING, ActivityKind.PROPOSAL_MEETING],
            done_at__gte=day_start(start),
            done_at__lt=day_start(end + dt.timedelta(days=1)),
        )
        .select_related("owner__user", "account", "opportunity")
        .order_by("done_at", "pk")
    )


def pipeline_changes(*, user: Any, team_ids: Iterable[int], start: dt.date, end: dt.date, today: dt.date) -> list[Opportunity]:
    """The week's pipeline changes of the team's current reps, each opportunity tagged with
    ``change``: ``won``, ``lost`` (closed in the period), ``new`` (created in it), ``advanced``
    (moved to a later stage in it), or ``slipped`` (moved back to an earlier open stage in
    it, or still open although its expected close date has passed by the period's end).

    One query; an opportunity appears once, under the first change of that order.
    """
    stop = min(end, today)
    window = Q(changed_at__gte=day_start(start), changed_at__lt=day_start(end + dt.timedelta(days=1)))
    moves = OpportunityStageChange.objects.filter(window, opportunity=OuterRef("pk"), from_stage__isnull=False)
    forward = moves.filter(to_stage__order__gt=F("from_stage__order")).exclude(to_stage__kind=StageKind.LOST)
    backward = moves.filter(to_stage__order__lt=F("from_stage__order"), to_stage__kind=StageKind.OPEN)
    is_open = Q(stage__kind=StageKind.OPEN)
    queryset = (
        scope(Opportunity.objects.all(), user, "owner")
        .filter(owner__team_id__in=list(team_ids))
        .annotate(moved_forward=Exists(forward), moved_back=Exists(backward))
        .filter(
            Q(close_date__range=(start, end))
            | Q(created_date__range=(start, end))
            | Q(moved_forward=True)
            | Q(moved_back=True)
            | (is_open & Q(expected_close_date__lt=stop))
        )
        .select_related("owner__user", "stage", "account")
        .order_by("owner_id", "-amount", "pk")
    )
    result = []
    for opportunity in queryset:
        opportunity.change = _change_of(opportunity, start, end)  # type: ignore[attr-defined]
        result.append(opportunity)
    return result


CHANGE_ORDER = ("won", "lost", "new", "advanced", "slipped")


def _change_of(opportunity: Any, start: dt.date, end: dt.date) -> str:
    closed_in_period = opportunity.close_date is not None and start <= opportunity.close_date <= end
    if closed_in_period and opportunity.stage.kind == StageKind.WON:
        return "won"
    if closed_in_period and opportunity.stage.kind == StageKind.LOST:
        return "lost"
    if start <= opportunity.created_date <= end:
        return "new"
    if opportunity.moved_forward:
        return "advanced"
    return "slipped"


__all__ = [
    "CHANGE_ORDER",
    "activity_plan",
    "days_in_stage",
    "open_opportunities",
    "overdue_next_steps",
    "pipeline_changes",
    "pipeline_snapshot",
    "team_and_below",
    "team_choices",
    "week_meetings",
]
