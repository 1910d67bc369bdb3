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
from types import SimpleNamespace
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
from reps.models import Opportunity, OpportunityOwnerChange, OpportunityStageChange, Rep, StageKind

DEALS_TO_REVIEW = 3  # per rep: a manager cannot review every deal, two or three they can
STALLED_MIN_DAYS = 14  # a deal is stalled after twice its stage's median days if at least this long,
STALLED_ANYWAY_DAYS = 45  # or after more than this in one stage whatever the others do (all deals crawl)
IDEAL_COACHING_SHARE = Decimal("0.5")  # half of a manager's time (seed 002)


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


CADENCE_DAYS = {"weekly": 7, "biweekly": 14, "monthly": 31}  # a one-to-one older than this is overdue
REVIEW_WEEKS = 4  # a deal worth a review not reviewed for this long needs one


def reviewed_deal_ids(*, rep_ids: Iterable[int], since: dt.date, deals: Iterable[Opportunity]) -> set[int]:
    """The deals (among ``deals``) reviewed since ``since``: with a deal review recorded (see
    :func:`deal_ids_reviewed`, the single place that says what "reviewed" means). One query.
    ``rep_ids`` is kept for the callers."""
    return deal_ids_reviewed(deal_ids=[deal.pk for deal in deals], since=since)


def reps_coaching_status(*, user: Any, team_ids: Iterable[int] | None, today: dt.date) -> list[Rep]:
    """The active reps ``user`` may coach (in ``team_ids`` if given), each annotated with
    ``last_one_to_one`` (the last held), ``days_since_one_to_one``, ``next_session`` (the next
    planned from today), ``open_actions``, ``overdue_actions``, ``cadence`` and
    ``unreviewed_deals`` (their deals worth a review not reviewed in ``REVIEW_WEEKS`` weeks),
    and ``attention``: what needs doing (a one-to-one older than the cadence allows, overdue
    actions, deals to review). ``needs_one_to_one`` is the first of those. A rep is up to
    date when ``attention`` is empty. Three queries."""
    sessions = CoachingSession.objects.filter(rep=OuterRef("pk")).order_by()
    last_held = sessions.filter(
        kind=SessionKind.ONE_TO_ONE, status=SessionStatus.HELD, scheduled_for__lt=day_start(today + dt.timedelta(days=1))
    ).values("rep")
    next_planned = sessions.filter(upcoming(today)).values("rep")
    actions = ActionItem.objects.filter(rep=OuterRef("pk"), done_at__isnull=True).order_by().values("rep")
    queryset = coachable_reps(user).select_related("coaching_cadence")
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
    rep_ids = [rep.pk for rep in reps]
    flagged = deals_to_review(user=SYSTEM, rep_ids=rep_ids, today=today) if reps else {}
    worth = [review.opportunity for reviews in flagged.values() for review in reviews]
    reviewed = reviewed_deal_ids(rep_ids=rep_ids, since=today - dt.timedelta(weeks=REVIEW_WEEKS), deals=worth) if worth else set()
    for rep in reps:
        row = getattr(rep, "coaching_cadence", None)
        cadence = row.cadence if row else "weekly"
        last = timezone.localdate(rep.last_one_to_one) if rep.last_one_to_one else None
        rep.days_since_one_to_one = (today - last).days if last else None  # type: ignore[attr-defined]
        rep.cadence = row.get_cadence_display() if row else _("Every week")  # type: ignore[attr-defined]
        limit = CADENCE_DAYS.get(cadence)
        rep.needs_one_to_one = limit is not None and (last is None or (today - last).days > limit)  # type: ignore[attr-defined]
        unreviewed = [r for r in flagged.get(rep.pk, []) if r.opportunity.pk not in reviewed]
        rep.unreviewed_deals = len(unreviewed)  # type: ignore[attr-defined]
        attention = []
        if rep.needs_one_to_one:  # type: ignore[attr-defined]
            attention.append(_("No one-to-one for over a week") if limit == 7 else _("One-to-one overdue"))
        if rep.overdue_actions:
            attention.append(
                ngettext("%(n)d overdue action item", "%(n)d overdue action items", rep.overdue_actions)
                % {"n": rep.overdue_actions}
            )
        if unreviewed:
            attention.append(
                ngettext(
                    "%(n)d deal worth a review not reviewed in %(weeks)d weeks",
                    "%(n)d deals worth a review not reviewed in %(weeks)d weeks",
                    len(unreviewed),
                )
                % {"n": len(unreviewed), "weeks": REVIEW_WEEKS}
            )
        rep.attention = attention  # type: ignore[attr-defined]
    return reps


def coaching_share_by_week(*, coach_id: int, today: dt.date, weeks: int = 12) -> list[dict[str, Any]]:
    """The coach's coaching time per ISO week over the last ``weeks`` weeks (this one included):
    ``week`` (its Monday), ``minutes`` held and ``share`` of the week's working time. One query."""
    monday = today - dt.timedelta(days=today.weekday())
    first = monday - dt.timedelta(weeks=weeks - 1)
    minutes: dict[dt.date, int] = defaultdict(int)
    for when, length in CoachingSession.objects.filter(
        _in_days(first, monday + dt.timedelta(days=6)), coach_id=coach_id, status=SessionStatus.HELD
    ).values_list("scheduled_for", "minutes"):
        day = timezone.localdate(when)
        minutes[day - dt.timedelta(days=day.weekday())] += length
    rows = []
    for i in range(weeks):
        week = first + dt.timedelta(weeks=i)
        available = working_minutes(week, week + dt.timedelta(days=6))
        share = (Decimal(minutes[week]) / available).quantize(kpi.RATIO, rounding=ROUND_HALF_UP) if available else None
        rows.append({"week": week, "minutes": minutes[week], "share": share})
    return rows


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
    return score_deals(deals, today=today, per_rep=per_rep)


def score_deals(deals: Sequence[Opportunity], *, today: dt.date, per_rep: int = DEALS_TO_REVIEW) -> dict[int, list[DealToReview]]:
    """The scoring of :func:`deals_to_review` over open deals already read (the agenda passes
    the deals as they were on the session's day; ``entered_stage`` overrides ``stage_changed_at``)."""
    deals = sorted(deals, key=lambda deal: (deal.owner_id, -deal.amount, deal.pk))
    days = {
        deal.pk: max(0, (today - deal.entered_stage).days) if hasattr(deal, "entered_stage") else reads.days_in_stage(deal, today)
        for deal in deals
    }
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


SYSTEM = SimpleNamespace(is_authenticated=True, is_superuser=True, is_staff=True, pk=None)
"""Reads everything: the agenda is the same for the rep and each of their coaches (none of it is
private), so it is built once whoever asks; who may see the session is checked by the caller."""


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
    "SYSTEM",
    "Agenda",
    "DealToReview",
    "agenda",
    "as_of",
    "coachable_reps",
    "coaching_share_by_week",
    "coaching_time",
    "deals_as_of",
    "deals_to_review",
    "reps_coaching_status",
    "reviewed_deal_ids",
    "score_deals",
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


def plan_actions_as_of(*, rep: Rep, moment: dt.datetime) -> list[AccountPlanAction]:
    """The actions of the rep's account plans open at ``moment`` (created by then, not done by
    then), soonest due first; the agenda's list, as of the session's start. Actions carry no
    creation time: those of a plan made by then count. One query."""
    actions = list(
        AccountPlanAction.objects.filter(plan__rep=rep, plan__created_at__lte=moment)
        .filter(Q(done_at__isnull=True) | Q(done_at__gt=moment))
        .select_related("plan__account", "owner")
        .order_by(F("due_date").asc(nulls_last=True), "pk")
    )
    for action in actions:
        action.done_at = None  # open then (in memory only)
    return actions


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
