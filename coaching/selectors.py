"""Reads of the coaching area: coaching time, the reps' coaching status, the deals worth a
review, and the one-to-one agenda built from the rep's numbers.

Every read is scoped through ``coaching.rules`` / ``reps.access`` and set-based (a fixed number
of queries whatever the number of reps or deals).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Max, Min, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from coaching import rules
from coaching.models import (
    AccountPlan,
    AccountPlanAction,
    ActionItem,
    CoachingFeedback,
    CoachingSession,
    DealReview,
    Recognition,
    SessionKind,
    SessionStatus,
    StageTip,
)
from kpis import dashboard_selectors as reads
from kpis import selectors as kpi
from kpis.models import Quota, QuotaMetric
from kpis.periods import Period, PeriodKind, day_start
from reps import access
from reps.models import Opportunity, Rep, StageKind

DEALS_TO_REVIEW = 3  # per rep: a manager cannot review every deal, two or three they can
STALLED_MIN_DAYS = 14  # a deal is stalled after twice its stage's median days if at least this long,
STALLED_ANYWAY_DAYS = 45  # or after more than this in one stage whatever the others do (all deals crawl)
ONE_TO_ONE_EVERY_DAYS = 7  # weekly one-to-ones: a rep without one for longer is flagged


def _in_days(start: dt.date, end: dt.date) -> Q:
    """Sessions scheduled on a local day in start..end."""
    return Q(scheduled_for__gte=day_start(start), scheduled_for__lt=day_start(end + dt.timedelta(days=1)))


def upcoming(today: dt.date) -> Q:
    """Sessions still planned from today on (one whose day has passed is due to be marked held
    or cancelled, not upcoming)."""
    return Q(status=SessionStatus.PLANNED, scheduled_for__gte=day_start(today))


# --- coaching time --------------------------------------------------------------------------


def working_minutes(start: dt.date, end: dt.date) -> int:
    return kpi.working_days(start, end) * settings.COACHING_WORKDAY_HOURS * 60


def coaching_time(
    *,
    user: Any,
    start: dt.date,
    end: dt.date,
    coach_ids: Iterable[int] | None = None,
    team_ids: Iterable[int] | None = None,
) -> list[dict[str, Any]]:
    """Per coach: the minutes of the sessions they held in start..end (with the reps ``user``
    may see; with the reps now in ``team_ids`` if given), how many, and their share of the
    working time of the period. One query.

    Rows: ``coach`` ({"id", "name"}), ``minutes``, ``sessions``, ``one_to_ones``, ``share``
    (a ratio, None for a period without working days); most coaching first.
    """
    held = rules.visible_sessions(user).filter(_in_days(start, end), status=SessionStatus.HELD)
    if coach_ids is not None:
        held = held.filter(coach_id__in=list(coach_ids))
    if team_ids is not None:
        held = held.filter(rep__team_id__in=list(team_ids))
    groups = (
        held.order_by()
        .values("coach_id", "coach__first_name", "coach__last_name", "coach__username")
        .annotate(
            minutes=Sum("minutes"),
            sessions=Count("pk"),
            one_to_ones=Count("pk", filter=Q(kind=SessionKind.ONE_TO_ONE)),
        )
    )
    available = working_minutes(start, end)
    rows = []
    for group in groups:
        name = f"{group['coach__first_name']} {group['coach__last_name']}".strip() or group["coach__username"]
        rows.append(
            {
                "coach": {"id": group["coach_id"], "name": name},
                "minutes": group["minutes"],
                "sessions": group["sessions"],
                "one_to_ones": group["one_to_ones"],
                "share": (Decimal(group["minutes"]) / available).quantize(kpi.RATIO, rounding=ROUND_HALF_UP)
                if available
                else None,
            }
        )
    rows.sort(key=lambda row: (-row["minutes"], row["coach"]["name"]))
    return rows


# --- the reps' coaching status --------------------------------------------------------------


def coachable_reps(user: Any) -> QuerySet[Rep]:
    """The active reps ``user`` may coach: those of the teams they manage (and below); all for
    an admin. Seeing is not enough: a rep sees themselves but does not coach themselves."""
    reps = Rep.objects.filter(is_active=True).exclude(user_id=user.pk).select_related("user", "team")  # not oneself
    return reps if access.is_admin(user) else reps.filter(team_id__in=access.managed_team_ids(user))


def reps_coaching_status(*, user: Any, team_ids: Iterable[int] | None, today: dt.date) -> list[Rep]:
    """The active reps ``user`` may coach (in ``team_ids`` if given), each annotated with
    ``last_one_to_one`` (the last held), ``next_session`` (the next planned from today),
    ``open_actions`` and ``overdue_actions``, and flagged ``needs_one_to_one`` when the last
    one-to-one is older than a week (or there was none). One query."""
    sessions = CoachingSession.objects.filter(rep=OuterRef("pk")).order_by()
    last_held = sessions.filter(
        kind=SessionKind.ONE_TO_ONE, status=SessionStatus.HELD, scheduled_for__lt=day_start(today + dt.timedelta(days=1))
    ).values("rep")
    next_planned = sessions.filter(upcoming(today)).values("rep")
    actions = ActionItem.objects.filter(rep=OuterRef("pk"), done_at__isnull=True).order_by().values("rep")
    queryset = coachable_reps(user)
    if team_ids is not None:
        queryset = queryset.filter(team_id__in=list(team_ids))
    reps = list(
        queryset.annotate(
            last_one_to_one=Subquery(last_held.annotate(last=Max("scheduled_for")).values("last")),
            next_session=Subquery(next_planned.annotate(first=Min("scheduled_for")).values("first")),
            open_actions=Coalesce(Subquery(actions.annotate(n=Count("pk")).values("n")), 0),
            overdue_actions=Coalesce(Subquery(actions.filter(due_date__lt=today).annotate(n=Count("pk")).values("n")), 0),
        )
    )
    threshold = today - dt.timedelta(days=ONE_TO_ONE_EVERY_DAYS)
    for rep in reps:
        last = timezone.localdate(rep.last_one_to_one) if rep.last_one_to_one else None
        rep.needs_one_to_one = last is None or last < threshold  # type: ignore[attr-defined]
    return reps


# --- deals worth a review -------------------------------------------------------------------


@dataclass
class DealToReview:
    opportunity: Opportunity
    days_in_stage: int
    reasons: list[str] = field(default_factory=list)
    score: int = 0
    tip: str = ""  # the stage's coaching tip (StageTip), shown beside the deal


def deals_to_review(
    *, user: Any, rep_ids: Sequence[int], today: dt.date, per_rep: int = DEALS_TO_REVIEW
) -> dict[int, list[DealToReview]]:
    """Per rep, the (at most ``per_rep``) open deals most worth a review, each with the reasons.

    A deal earns points for a next step that is overdue or missing, an expected close date
    that has passed or is missing, being stalled (longer in its stage than twice the median of
    the open deals in that stage here and at least two weeks, or over 45 days whatever the
    others do; or longer than the stage's own limit, ``StageTip.stall_after_days``, when an
    admin set one), and being one of the rep's
    three largest in a late stage (probability 50 % or more). Deals with no point are not
    flagged; ties go to the larger amount. Two queries (the deals, the stages' tips).
    """
    deals = list(
        access.scope(Opportunity.objects.filter(stage__kind=StageKind.OPEN, owner_id__in=list(rep_ids)), user, "owner")
        .select_related("stage", "account")
        .order_by("owner_id", "-amount", "pk")
    )
    days = {deal.pk: reads.days_in_stage(deal, today) for deal in deals}
    by_stage: dict[int, list[int]] = defaultdict(list)
    for deal in deals:
        by_stage[deal.stage_id].append(days[deal.pk])
    twice_median = {stage: 2 * statistics.median(values) for stage, values in by_stage.items()}
    tips = stage_tips(by_stage)
    largest: dict[int, set[int]] = defaultdict(set)
    for deal in deals:  # ordered by amount within each rep
        if len(largest[deal.owner_id]) < 3 and deal.amount > 0:
            largest[deal.owner_id].add(deal.pk)

    flagged: dict[int, list[DealToReview]] = defaultdict(list)
    for deal in deals:
        tip = tips.get(deal.stage_id)
        review = DealToReview(opportunity=deal, days_in_stage=days[deal.pk], tip=tip.tip if tip else "")
        if deal.next_step_date is not None and deal.next_step_date < today:
            late = (today - deal.next_step_date).days
            review.reasons.append(ngettext("next step %(n)d day overdue", "next step %(n)d days overdue", late) % {"n": late})
            review.score += 3
        elif not deal.next_step and deal.next_step_date is None:
            review.reasons.append(_("no next step"))
            review.score += 2
        if deal.expected_close_date is not None and deal.expected_close_date < today:
            review.reasons.append(_("expected close date has passed"))
            review.score += 3
        elif deal.expected_close_date is None:
            review.reasons.append(_("no expected close date"))
            review.score += 1
        days_here = review.days_in_stage
        limit = tip.stall_after_days if tip else None
        if limit is not None:
            if days_here > limit:
                review.reasons.append(
                    _("%(days)d days in %(stage)s (stalled: the stage's limit is %(limit)d days)")
                    % {"days": days_here, "stage": deal.stage.name, "limit": limit}
                )
                review.score += 2
        elif (days_here > twice_median[deal.stage_id] and days_here >= STALLED_MIN_DAYS) or days_here > STALLED_ANYWAY_DAYS:
            review.reasons.append(
                _("%(days)d days in %(stage)s (stalled)") % {"days": review.days_in_stage, "stage": deal.stage.name}
            )
            review.score += 2
        if deal.pk in largest[deal.owner_id] and deal.stage.probability >= 50:
            review.reasons.append(_("one of the largest deals, late in the process"))
            review.score += 1
        if review.score:
            flagged[deal.owner_id].append(review)
    return {
        rep_id: sorted(reviews, key=lambda r: (-r.score, -r.opportunity.amount, r.opportunity.pk))[:per_rep]
        for rep_id, reviews in flagged.items()
    }


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


def _row(user: Any, rep: Rep, start: dt.date, end: dt.date, today: dt.date) -> dict[str, Any] | None:
    rows = kpi.kpi_table(user=user, start=start, end=end, group_by="rep", rep_ids=[rep.pk], today=today)
    return rows[0] if rows else None


def agenda(*, user: Any, session: CoachingSession, today: dt.date | None = None) -> Agenda:
    """The agenda of ``session`` from the rep's numbers around its date."""
    today = today or timezone.localdate()
    rep = session.rep
    day = timezone.localdate(session.scheduled_for)
    this_week = Period.containing(PeriodKind.WEEK, day)
    last_week = this_week.previous()
    quota_period = _quota_period(rep, day)
    four_weeks = Period(PeriodKind.CUSTOM, this_week.start - dt.timedelta(weeks=4), this_week.start - dt.timedelta(days=1))
    by_stage, _by_month = reads.pipeline_snapshot(user=user, rep_ids=[rep.pk])
    reviews = deals_to_review(user=user, rep_ids=[rep.pk], today=today).get(rep.pk, [])
    return Agenda(
        last_week=last_week,
        this_week=this_week,
        last_week_figures=_row(user, rep, last_week.start, last_week.end, today),
        last_week_plan=reads.activity_plan(user=user, rep=rep, week_start=last_week.start),
        next_plan=reads.activity_plan(user=user, rep=rep, week_start=this_week.start),
        quota_period=quota_period,
        quota_figures=_row(user, rep, quota_period.start, quota_period.end, today) if quota_period else None,
        pipeline_by_stage=by_stage,
        overdue_next_steps=reads.overdue_next_steps(user=user, rep=rep, today=today).count(),
        deals_to_review=reviews,
        open_actions=list(rules.visible_action_items(user).filter(rep=rep, done_at__isnull=True).select_related("session")),
        recent_feedback=list(rules.visible_feedback(user).filter(rep=rep).select_related("given_by")[:3]),
        satisfaction=_row(user, rep, four_weeks.start, four_weeks.end, today),
        account_plan_actions=open_plan_actions(user=user, rep_id=rep.pk),
    )


# --- lists ----------------------------------------------------------------------------------


def sessions_of(*, user: Any, rep_ids: Iterable[int] | None = None) -> QuerySet[CoachingSession]:
    queryset = rules.visible_sessions(user).select_related("rep__user", "coach")
    if rep_ids is not None:
        queryset = queryset.filter(rep_id__in=list(rep_ids))
    return queryset


__all__ = [
    "Agenda",
    "DealToReview",
    "agenda",
    "coachable_reps",
    "coaching_time",
    "deals_to_review",
    "reps_coaching_status",
    "sessions_of",
    "upcoming",
    "working_minutes",
]


# --- stage tips, deal reviews, recognition, account plans -------------------------------------

RECOGNITION_FROM = Decimal(1)  # at or above 100 % of the target: worth recognising (seed 003)


def stage_tips(stage_ids: Iterable[int]) -> dict[int, StageTip]:
    """The coaching tips of these stages, by stage id (stages without one are left out). One query."""
    return {tip.stage_id: tip for tip in StageTip.objects.filter(stage_id__in=list(stage_ids))}


def stage_tip(stage_id: int) -> StageTip | None:
    return StageTip.objects.filter(stage_id=stage_id).first()


def last_reviews(*, user: Any, opportunity_ids: Iterable[int]) -> dict[int, DealReview]:
    """The last review ``user`` may see of each of these deals, by deal id. One query."""
    latest: dict[int, DealReview] = {}
    reviews = (
        rules.visible_deal_reviews(user)
        .filter(opportunity_id__in=list(opportunity_ids))
        .select_related("reviewed_by")
        .order_by("opportunity_id", "-date", "-pk")
    )
    for review in reviews:
        latest.setdefault(review.opportunity_id, review)
    return latest


def deal_ids_reviewed(*, deal_ids: Iterable[int], since: dt.date) -> set[int]:
    """The deals (among ``deal_ids``) with a deal review recorded on ``since`` or later. One query.
    What "reviewed" means wherever the coaching status or the agenda counts reviewed deals."""
    return set(
        DealReview.objects.filter(opportunity_id__in=list(deal_ids), date__gte=since).values_list("opportunity_id", flat=True)
    )


def recognition_candidates(
    *,
    user: Any,
    team_id: int,
    start: dt.date,
    end: dt.date,
    today: dt.date,
    rows: Sequence[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """The reps of the team (and sub-teams) ``user`` may coach whose attainment of start..end is
    at or above 100 % (docs/kpis.md, "Quota"), best first, each with ``recognised_on``: the last
    recognition they got in the period, if any. Rows: ``rep`` ({"id", "name"}), ``attainment``.
    ``rows``: the team's ``kpi_table`` rows of that period when the caller already has them."""
    if rows is None:
        rows = kpi.kpi_table(user=user, start=start, end=end, group_by="rep", team_id=team_id, today=today)
    coachable = set(coachable_reps(user).values_list("pk", flat=True))
    top = [
        row
        for row in rows
        if row.get("attainment") is not None and row["attainment"] >= RECOGNITION_FROM and row["rep"]["id"] in coachable
    ]
    if not top:
        return []
    recognised = dict(
        Recognition.objects.filter(rep_id__in=[row["rep"]["id"] for row in top], date__gte=start, date__lte=end)
        .order_by()
        .values("rep_id")
        .annotate(last=Max("date"))
        .values_list("rep_id", "last")
    )
    found = [
        {"rep": row["rep"], "attainment": row["attainment"], "recognised_on": recognised.get(row["rep"]["id"])} for row in top
    ]
    found.sort(key=lambda row: (-row["attainment"], row["rep"]["name"]))
    return found


def recognition_and_feedback(*, user: Any, rep_id: int, limit: int = 20) -> list[dict[str, Any]]:
    """The recognition and the 3-part feedback a rep received, latest first (two queries).
    Entries: ``kind`` ("recognition" or "feedback"), ``date``, ``record``."""
    recognitions = rules.visible_recognitions(user).filter(rep_id=rep_id).select_related("given_by")[:limit]
    feedback = rules.visible_feedback(user).filter(rep_id=rep_id).select_related("given_by")[:limit]
    entries = [{"kind": "recognition", "date": r.date, "record": r, "order": r.created_at} for r in recognitions]
    entries += [{"kind": "feedback", "date": f.date, "record": f, "order": f.created_at} for f in feedback]
    entries.sort(key=lambda entry: (entry["date"], entry["order"]), reverse=True)
    return entries[:limit]


def open_plan_actions(*, user: Any, rep_id: int) -> list[AccountPlanAction]:
    """The open actions of the rep's account plans, soonest due first. One query."""
    return list(
        AccountPlanAction.objects.filter(
            plan__in=rules.visible_account_plans(user).filter(rep_id=rep_id), done_at__isnull=True
        ).select_related("plan__account", "owner")
    )


def _plans(user: Any) -> QuerySet[AccountPlan]:
    return (
        rules.visible_account_plans(user)
        .select_related("account")
        .prefetch_related(Prefetch("actions", queryset=AccountPlanAction.objects.select_related("owner")))
    )


def account_plans_of(*, user: Any, rep_id: int) -> list[AccountPlan]:
    """The rep's account plans with their actions and owners (three queries)."""
    return list(_plans(user).filter(rep_id=rep_id))


def account_plans_of_account(*, user: Any, account_id: int) -> list[AccountPlan]:
    """The plans of one customer that ``user`` may see, with their actions (three queries at most)."""
    return list(_plans(user).filter(account_id=account_id))


__all__ += [
    "account_plans_of",
    "account_plans_of_account",
    "deal_ids_reviewed",
    "last_reviews",
    "open_plan_actions",
    "recognition_and_feedback",
    "recognition_candidates",
    "stage_tip",
    "stage_tips",
]
