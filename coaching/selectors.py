"""Reads of the coaching area. This module holds the one-to-one agenda built from the rep's
numbers (as of the session's start) and the sessions a user sees; the other areas live beside it
and every public name of theirs is importable from here as before:

- ``coaching.status_selectors``: coaching time, the coaching share per week, the reps' coaching status;
- ``coaching.deal_selectors``: the deals worth a review, stage tips, deal reviews;
- ``coaching.record_selectors``: recognition and account plans.

Every read is scoped through ``coaching.rules`` / ``reps.access`` and set-based (a fixed number
of queries whatever the number of reps or deals).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from coaching import rules
from coaching.deal_selectors import (
    DEALS_TO_REVIEW,
    STALLED_ANYWAY_DAYS,
    STALLED_MIN_DAYS,
    DealToReview,
    deal_ids_reviewed,
    deals_to_review,
    last_reviews,
    score_deals,
    stage_tip,
    stage_tips,
)
from coaching.models import (
    AccountPlanAction,
    ActionItem,
    CoachingFeedback,
    CoachingSession,
)
from coaching.record_selectors import (
    RECOGNITION_FROM,
    account_plans_of,
    account_plans_of_account,
    open_plan_actions,
    plan_actions_as_of,
    recognition_and_feedback,
    recognition_candidates,
)
from coaching.status_selectors import (
    CADENCE_DAYS,
    IDEAL_COACHING_SHARE,
    REVIEW_WEEKS,
    SYSTEM,
    coachable_reps,
    coaching_share_by_week,
    coaching_time,
    reps_coaching_status,
    reviewed_deal_ids,
    upcoming,
    working_minutes,
)
from kpis import dashboard_selectors as reads
from kpis import selectors as kpi
from kpis.models import Quota, QuotaMetric
from kpis.periods import Period, PeriodKind, day_start
from reps.models import Opportunity, OpportunityOwnerChange, OpportunityStageChange, Rep, StageKind

# --- the one-to-one agenda ------------------------------------------------------------------


@dataclass
class Agenda:
    """What a one-to-one goes through, in order (seed 004): activity done vs plan, activity
    planned next, the order book and the deals worth a review, attainment vs quota, actions."""

    last_week: Period
    this_week: Period
    last_week_figures: dict[str, Any] | None
    last_week_plan: list[dict[str, Any]]  # planned and done last week
    next_plan: list[dict[str, Any]]  # planned and done this week, planned next week
    quota_period: Period | None
    quota_figures: dict[str, Any] | None
    pipeline_by_stage: list[dict[str, Any]]
    overdue_next_steps: int
    deals_to_review: list[DealToReview]
    open_actions: list[ActionItem]
    recent_feedback: list[CoachingFeedback]
    satisfaction: dict[str, Any] | None  # csat and complaints of the last four weeks
    account_plan_actions: list[AccountPlanAction] = field(default_factory=list)  # open, with the order book


def _quota_period(rep: Rep, day: dt.date) -> Period | None:
    """The period of the rep's revenue quota in force on ``day`` (the shortest, if several)."""
    quota = (
        Quota.objects.filter(rep=rep, metric=QuotaMetric.WON_REVENUE, start_date__lte=day, end_date__gte=day)
        .order_by(F("end_date") - F("start_date"), "start_date")
        .values("start_date", "end_date")
        .first()
    )
    if quota is None:
        return None
    return Period(PeriodKind.CUSTOM, quota["start_date"], quota["end_date"])


def _row(rep: Rep, start: dt.date, end: dt.date, today: dt.date) -> dict[str, Any] | None:
    rows = kpi.kpi_table(user=SYSTEM, start=start, end=end, group_by="rep", rep_ids=[rep.pk], today=today)
    return rows[0] if rows else None


def as_of(session: CoachingSession, now: dt.datetime | None = None) -> dt.datetime:
    """The moment a session's agenda describes: its start, or now for a session still ahead."""
    return min(session.scheduled_for, now or timezone.now())


def deals_as_of(rep: Rep, moment: dt.datetime) -> list[Opportunity]:
    """The rep's open deals at ``moment``, each with the stage it was in then (``stage``, in
    memory only) and ``entered_stage`` (the day it entered it), from the stage and owner history.

    Fields without history (amount, expected close date, next step) are today's values; a
    held session's frozen agenda keeps them as they were. Three queries.
    """
    day = timezone.localdate(moment)
    owned = OpportunityOwnerChange.objects.filter(Q(from_owner=rep) | Q(to_owner=rep)).values("opportunity_id")
    candidates = list(
        Opportunity.objects.filter(Q(owner=rep) | Q(pk__in=owned), created_date__lte=day)
        .select_related("stage__pipeline", "account")
        .order_by("-amount", "pk")
    )
    ids = [deal.pk for deal in candidates]
    stage_changes: dict[int, list[Any]] = defaultdict(list)
    for change in OpportunityStageChange.objects.filter(opportunity_id__in=ids).select_related(
        "from_stage__pipeline", "to_stage"
    ):
        stage_changes[change.opportunity_id].append(change)
    owner_changes: dict[int, list[Any]] = defaultdict(list)
    for change in OpportunityOwnerChange.objects.filter(opportunity_id__in=ids).order_by("changed_at", "pk"):
        owner_changes[change.opportunity_id].append(change)
    found = []
    for deal in candidates:
        later_owner = next((c for c in owner_changes[deal.pk] if c.changed_at > moment), None)
        owner_id = later_owner.from_owner_id if later_owner else deal.owner_id
        if owner_id != rep.pk:
            continue
        changes = stage_changes[deal.pk]
        later = next((c for c in changes if c.changed_at > moment), None)
        if later is None:  # nothing changed since: the deal as it is
            stage, entered = deal.stage, timezone.localdate(deal.stage_changed_at)
        elif later.from_stage is None:  # created after the moment
            continue
        else:
            before = [c for c in changes if c.changed_at <= moment]
            stage = later.from_stage
            entered = timezone.localdate(before[-1].changed_at) if before else deal.created_date
        if stage.kind != StageKind.OPEN:
            continue
        if deal.close_date is not None and deal.close_date < day and deal.stage.kind != StageKind.OPEN:
            continue  # closed with an earlier close date: closed then (shared KPI definitions, "Stages")
        deal.stage = stage
        deal.owner_id = rep.pk
        deal.entered_stage = entered  # type: ignore[attr-defined]
        found.append(deal)
    return found


def _pipeline_rows(deals: Sequence[Opportunity]) -> list[dict[str, Any]]:
    """Open pipeline by stage (pipeline order), as ``dashboard_selectors.pipeline_snapshot``."""
    rows: dict[tuple, dict[str, Any]] = {}
    several = len({deal.pipeline_id for deal in deals}) > 1
    for deal in deals:
        stage = deal.stage
        key = (deal.pipeline_id, stage.order, stage.pk)
        name = f"{stage.pipeline.name}: {stage.name}" if several else stage.name
        row = rows.setdefault(key, {"stage": name, "count": 0, "amount": Decimal(0), "weighted": Decimal(0)})
        row["count"] += 1
        row["amount"] += deal.amount
        row["weighted"] += deal.amount * stage.probability / 100
    for row in rows.values():
        row["weighted"] = Decimal(row["weighted"]).quantize(Decimal("0.01"))
    return [rows[key] for key in sorted(rows)]


def _quota_row(rep: Rep, period: Period, day: dt.date, deals: Sequence[Opportunity]) -> dict[str, Any] | None:
    """The quota period's figures as of ``day``: won revenue up to that day, pace on that day,
    the pipeline of the deals open then."""
    whole = _row(rep, period.start, period.end, day)
    if whole is None or whole.get("target") is None:
        return whole
    row = whole if day >= period.end else (_row(rep, period.start, day, day) or whole)
    rest = [
        d for d in deals if d.expected_close_date is not None and max(day, period.start) <= d.expected_close_date <= period.end
    ]
    open_amount = sum((d.amount for d in rest), Decimal(0))
    weighted = sum((d.amount * d.stage.probability / 100 for d in rest), Decimal(0))
    row = dict(row)
    row.update(
        kpi.quota_figures(
            target=whole["target"],
            actual=row["won_revenue"],
            start=period.start,
            end=period.end,
            today=day,
            open_amount=open_amount,
            weighted=weighted,
        )
    )
    return row


def agenda(*, session: CoachingSession, user: Any = None, now: dt.datetime | None = None) -> Agenda:
    """The agenda of ``session`` as of its start (now, for a session still ahead): every part is
    what was true then, so a past session does not list later feedback or deals. ``user`` is
    not needed (see ``SYSTEM``) and kept for callers that pass it."""
    rep = session.rep
    moment = as_of(session, now)
    day = timezone.localdate(moment)
    this_week = Period.containing(PeriodKind.WEEK, timezone.localdate(session.scheduled_for))
    last_week = this_week.previous()
    quota_period = _quota_period(rep, day)
    four_weeks = Period(PeriodKind.CUSTOM, this_week.start - dt.timedelta(weeks=4), this_week.start - dt.timedelta(days=1))
    deals = deals_as_of(rep, moment)
    reviews = score_deals(deals, today=day).get(rep.pk, [])
    actions = (
        ActionItem.objects.filter(rep=rep, created_at__lte=moment)
        .filter(Q(done_at__isnull=True) | Q(done_at__gt=moment))
        .exclude(session=session)
        .select_related("session")
    )
    open_actions = list(actions)
    for item in open_actions:
        item.done_at = None  # open then (in memory only)
    feedback = (
        CoachingFeedback.objects.filter(rep=rep, date__lte=day, created_at__lt=day_start(day + dt.timedelta(days=1)))
        .exclude(session=session)
        .select_related("given_by")
    )
    return Agenda(
        last_week=last_week,
        this_week=this_week,
        last_week_figures=_row(rep, last_week.start, last_week.end, day),
        last_week_plan=reads.activity_plan(user=SYSTEM, rep=rep, week_start=last_week.start, as_of=moment),
        next_plan=reads.activity_plan(user=SYSTEM, rep=rep, week_start=this_week.start, as_of=moment),
        quota_period=quota_period,
        quota_figures=_quota_row(rep, quota_period, day, deals) if quota_period else None,
        pipeline_by_stage=_pipeline_rows(deals),
        overdue_next_steps=sum(1 for d in deals if d.next_step_date is not None and d.next_step_date < day),
        deals_to_review=reviews,
        open_actions=open_actions,
        recent_feedback=list(feedback[:3]),
        satisfaction=_row(rep, four_weeks.start, four_weeks.end, day),
        account_plan_actions=plan_actions_as_of(rep=rep, moment=moment),
    )


# --- lists ----------------------------------------------------------------------------------


def sessions_of(*, user: Any, rep_ids: Iterable[int] | None = None) -> QuerySet[CoachingSession]:
    queryset = rules.visible_sessions(user).select_related("rep__user", "coach")
    if rep_ids is not None:
        queryset = queryset.filter(rep_id__in=list(rep_ids))
    return queryset


__all__ = [
    "CADENCE_DAYS",
    "DEALS_TO_REVIEW",
    "IDEAL_COACHING_SHARE",
    "RECOGNITION_FROM",
    "REVIEW_WEEKS",
    "STALLED_ANYWAY_DAYS",
    "STALLED_MIN_DAYS",
    "SYSTEM",
    "Agenda",
    "DealToReview",
    "account_plans_of",
    "account_plans_of_account",
    "agenda",
    "as_of",
    "coachable_reps",
    "coaching_share_by_week",
    "coaching_time",
    "deal_ids_reviewed",
    "deals_as_of",
    "deals_to_review",
    "last_reviews",
    "open_plan_actions",
    "plan_actions_as_of",
    "recognition_and_feedback",
    "recognition_candidates",
    "reps_coaching_status",
    "reviewed_deal_ids",
    "score_deals",
    "sessions_of",
    "stage_tip",
    "stage_tips",
    "upcoming",
    "working_minutes",
]
