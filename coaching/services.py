"""Every write to the coaching records goes through these functions.

Who may write is checked by the callers (views and API, through ``coaching.rules``); these
validate the records themselves: a coach must be someone who may manage the rep, feedback has
all three parts, texts are trimmed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coaching import rules
from coaching.models import (
    AccountPlan,
    AccountPlanAction,
    ActionItem,
    Cadence,
    CoachingCadence,
    CoachingFeedback,
    CoachingSession,
    DealReview,
    EmailPreference,
    FrozenAgenda,
    Recognition,
    SessionKind,
    SessionStatus,
    StageTip,
)
from kpis.periods import EARLIEST_DAY, LATEST_DAY
from reps import access
from reps.models import Account, Opportunity, Rep, Stage, StageKind

SESSION_FIELDS = {"kind", "scheduled_for", "minutes", "status", "shared_notes", "private_notes"}
ACTION_FIELDS = {"title", "due_date"}


def _save(obj: Any) -> Any:
    obj.full_clean()
    obj.save()
    return obj


def _trimmed(fields: dict[str, Any]) -> dict[str, Any]:
    return {key: value.strip() if isinstance(value, str) else value for key, value in fields.items()}


def _check_coach(coach: Any, rep: Rep) -> None:
    if not rules.can_coach(coach, rep):
        own = access.rep_of(coach)
        if own is not None and own.pk == rep.pk:
            raise ValidationError({"rep": _("You cannot coach yourself: your own manager coaches you.")})
        raise ValidationError({"rep": _("You may only coach the reps of the teams you manage.")})


def _check_when(session: CoachingSession) -> None:
    """A real date (the agenda looks at the weeks around it), and held means it took place:
    today at the latest (coaching time counts what was done)."""
    if session.scheduled_for is None:
        return
    day = timezone.localdate(session.scheduled_for)
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise ValidationError({"scheduled_for": _("Pick a date between the years 1900 and 2999.")})
    if session.status == SessionStatus.HELD and day > timezone.localdate():
        raise ValidationError(
            {"status": _("A session on a later day cannot be held yet: change its date, or mark it held once it took place.")}
        )


MAX_SESSION_MINUTES = 480


def _check_clash(session: CoachingSession) -> None:
    """Never double-book a coach: a session (not cancelled) may not overlap another of the
    same coach. One query (sessions are at most eight hours long)."""
    if session.status == SessionStatus.CANCELLED or session.scheduled_for is None or not session.minutes:
        return
    start = session.scheduled_for
    end = start + dt.timedelta(minutes=session.minutes)
    others = (
        CoachingSession.objects.filter(
            coach_id=session.coach_id,
            scheduled_for__lt=end,
            scheduled_for__gt=start - dt.timedelta(minutes=MAX_SESSION_MINUTES),
        )
        .exclude(status=SessionStatus.CANCELLED)
        .exclude(pk=session.pk)
        .select_related("rep__user")
        .order_by("scheduled_for")
    )
    for other in others:
        if other.scheduled_for + dt.timedelta(minutes=other.minutes) > start:
            local = timezone.localtime(other.scheduled_for)
            until = local + dt.timedelta(minutes=other.minutes)
            raise ValidationError(
                {
                    "scheduled_for": _(
                        "The coach already has a session then: %(kind)s with %(rep)s on %(day)s from %(start)s to "
                        "%(end)s. Pick another time."
                    )
                    % {
                        "kind": other.get_kind_display(),
                        "rep": other.rep.name,
                        "day": local.date().isoformat(),
                        "start": local.strftime("%H:%M"),
                        "end": until.strftime("%H:%M"),
                    }
                }
            )


def _after_save(session: CoachingSession, was_held: bool, moved: bool) -> None:
    """A session marked held keeps its agenda as it was (stored); one no longer held drops it."""
    from coaching.agenda import agenda_freeze  # the agenda reads through selectors, which import the models only

    if session.status == SessionStatus.HELD and (not was_held or moved):
        agenda_freeze(session=session)
    elif session.status != SessionStatus.HELD and was_held:
        FrozenAgenda.objects.filter(session=session).delete()


@transaction.atomic
def session_create(
    *,
    rep: Rep,
    coach: Any,
    scheduled_for: dt.datetime,
    kind: str = SessionKind.ONE_TO_ONE,
    minutes: int = 30,
    status: str = SessionStatus.PLANNED,
    shared_notes: str = "",
    private_notes: str = "",
) -> CoachingSession:
    _check_coach(coach, rep)
    session = CoachingSession(
        rep=rep,
        coach=coach,
        kind=kind,
        scheduled_for=scheduled_for,
        minutes=minutes,
        status=status,
        **_trimmed({"shared_notes": shared_notes, "private_notes": private_notes}),
    )
    _check_when(session)
    _check_clash(session)
    _save(session)
    _after_save(session, was_held=False, moved=False)
    return session


@transaction.atomic
def session_update(*, session: CoachingSession, **fields: Any) -> CoachingSession:
    """Change what ``SESSION_FIELDS`` names (notes, when, length, status, kind)."""
    unknown = set(fields) - SESSION_FIELDS
    if unknown:
        raise ValueError(f"not session fields: {sorted(unknown)}")
    was_held = session.pk is not None and session.status == SessionStatus.HELD
    before = (session.scheduled_for, session.minutes, session.status)
    for name, value in _trimmed(fields).items():
        setattr(session, name, value)
    _check_when(session)
    if (session.scheduled_for, session.minutes, session.status) != before:
        _check_clash(session)  # notes alone never: an old overlap must not block saving them
    _save(session)
    _after_save(session, was_held=was_held, moved=session.scheduled_for != before[0])
    return session


def session_delete(*, session: CoachingSession) -> None:
    session.delete()


@transaction.atomic
def feedback_give(
    *,
    rep: Rep,
    given_by: Any,
    problem: str,
    consequence: str,
    improvement: str,
    session: CoachingSession | None = None,
    date: dt.date | None = None,
) -> CoachingFeedback:
    """Record 3-part feedback; each part is required (blank after trimming is refused)."""
    _check_coach(given_by, rep)
    if session is not None and session.rep_id != rep.pk:
        raise ValidationError({"session": _("This session is with another rep.")})
    parts = _trimmed({"problem": problem, "consequence": consequence, "improvement": improvement})
    feedback = CoachingFeedback(rep=rep, given_by=given_by, session=session, date=date or timezone.localdate(), **parts)
    return _save(feedback)


def feedback_delete(*, feedback: CoachingFeedback) -> None:
    feedback.delete()


@transaction.atomic
def action_item_create(
    *, rep: Rep, created_by: Any, title: str, due_date: dt.date | None = None, session: CoachingSession | None = None
) -> ActionItem:
    _check_coach(created_by, rep)
    if session is not None and session.rep_id != rep.pk:
        raise ValidationError({"session": _("This session is with another rep.")})
    item = ActionItem(rep=rep, created_by=created_by, session=session, due_date=due_date, title=title.strip())
    return _save(item)


@transaction.atomic
def action_item_update(*, item: ActionItem, **fields: Any) -> ActionItem:
    unknown = set(fields) - ACTION_FIELDS
    if unknown:
        raise ValueError(f"not action item fields: {sorted(unknown)}")
    for name, value in _trimmed(fields).items():
        setattr(item, name, value)
    return _save(item)


def action_item_set_done(*, item: ActionItem, done: bool, at: dt.datetime | None = None) -> ActionItem:
    """Mark done (now, or ``at``) or open again; marking a done item done keeps its date."""
    if done and item.done_at is None:
        item.done_at = at or timezone.now()
    elif not done:
        item.done_at = None
    item.save(update_fields=["done_at"])
    return item


def action_item_delete(*, item: ActionItem) -> None:
    item.delete()


# --- one-to-one cadence ---------------------------------------------------------------------

CADENCE_FIELDS = {"cadence", "weekday", "time", "minutes"}


@transaction.atomic
def cadence_set(
    *,
    rep: Rep,
    by: Any,
    cadence: str = Cadence.WEEKLY,
    weekday: int = 1,
    time: dt.time = dt.time(9),
    minutes: int = 45,
) -> CoachingCadence:
    """Set the rep's one-to-one cadence (create or replace). ``by`` must coach the rep."""
    _check_coach(by, rep)
    row = CoachingCadence.objects.filter(rep=rep).first() or CoachingCadence(rep=rep)
    row.cadence, row.weekday, row.time, row.minutes = cadence, weekday, time, minutes
    row.updated_by, row.updated_at = by, timezone.now()
    return _save(row)


@transaction.atomic
def cadence_update(*, row: CoachingCadence, by: Any, **fields: Any) -> CoachingCadence:
    unknown = set(fields) - CADENCE_FIELDS
    if unknown:
        raise ValueError(f"not cadence fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(row, name, value)
    row.updated_by, row.updated_at = by, timezone.now()
    return _save(row)


def cadence_delete(*, row: CoachingCadence) -> None:
    """Back to the default (weekly)."""
    row.delete()


# --- email preferences ----------------------------------------------------------------------

EMAIL_PREFERENCE_FIELDS = {"one_to_one_reminders", "overdue_action_reminders", "weekly_team_summary"}


@transaction.atomic
def email_preferences_update(*, user: Any, **fields: Any) -> EmailPreference:
    unknown = set(fields) - EMAIL_PREFERENCE_FIELDS
    if unknown:
        raise ValueError(f"not email preferences: {sorted(unknown)}")
    row, _created = EmailPreference.objects.get_or_create(user=user)
    for name, value in fields.items():
        setattr(row, name, bool(value))
    return _save(row)


# --- stage tips -------------------------------------------------------------------------------

STAGE_TIP_FIELDS = {"tip", "contact_every_days", "stall_after_days"}


@transaction.atomic
def stage_tip_save(*, stage: Stage, **fields: Any) -> StageTip:
    """Create or change the coaching tip of ``stage`` (admins only: checked by the callers)."""
    unknown = set(fields) - STAGE_TIP_FIELDS
    if unknown:
        raise ValueError(f"not stage tip fields: {sorted(unknown)}")
    tip = StageTip.objects.select_for_update().filter(stage=stage).first() or StageTip(stage=stage)
    for name, value in _trimmed(fields).items():
        setattr(tip, name, value)
    tip.updated_at = timezone.now()
    return _save(tip)


def stage_tip_delete(*, tip: StageTip) -> None:
    tip.delete()


# --- deal reviews -----------------------------------------------------------------------------

REVIEW_FIELDS = {"in_control", "missing", "next_step", "private_notes", "date"}


@dataclass(frozen=True)
class ActionInput:
    """An action item agreed in a review: created for the deal's owner."""

    title: str
    due_date: dt.date | None = None


def _check_session(session: CoachingSession | None, rep: Rep) -> None:
    if session is not None and session.rep_id != rep.pk:
        raise ValidationError({"session": _("This session is with another rep.")})


@transaction.atomic
def deal_review_record(
    *,
    opportunity: Opportunity,
    reviewed_by: Any,
    in_control: str,
    missing: str = "",
    next_step: str = "",
    private_notes: str = "",
    session: CoachingSession | None = None,
    date: dt.date | None = None,
    actions: Sequence[ActionInput] = (),
) -> DealReview:
    """Record a review of an open deal by one of its owner's managers, with the action items
    agreed in it (each created for the owner, tied to the review and to ``session``)."""
    rep = opportunity.owner
    _check_coach(reviewed_by, rep)
    if opportunity.stage.kind != StageKind.OPEN:
        raise ValidationError({"opportunity": _("This deal is closed: review the open ones.")})
    _check_session(session, rep)
    review = DealReview(
        opportunity=opportunity,
        rep=rep,
        reviewed_by=reviewed_by,
        session=session,
        date=date or timezone.localdate(),
        in_control=in_control,
        **_trimmed({"missing": missing, "next_step": next_step, "private_notes": private_notes}),
    )
    _save(review)
    items = []
    for index, action in enumerate(actions):
        title = (action.title or "").strip()
        if not title:
            continue
        item = ActionItem(rep=rep, created_by=reviewed_by, session=session, title=title, due_date=action.due_date)
        try:
            item.full_clean()
        except ValidationError as error:
            raise ValidationError(
                {"actions": _("Action %(n)d: %(errors)s") % {"n": index + 1, "errors": "; ".join(error.messages)}}
            ) from error
        items.append(item)
    if items:
        ActionItem.objects.bulk_create(items)
        review.action_items.add(*items)
    return review


@transaction.atomic
def deal_review_update(*, review: DealReview, **fields: Any) -> DealReview:
    unknown = set(fields) - REVIEW_FIELDS
    if unknown:
        raise ValueError(f"not deal review fields: {sorted(unknown)}")
    for name, value in _trimmed(fields).items():
        setattr(review, name, value)
    return _save(review)


def deal_review_delete(*, review: DealReview) -> None:
    """Delete the review; the action items agreed in it stay (the rep may be working on them)."""
    review.delete()


# --- recognition ------------------------------------------------------------------------------

RECOGNITION_FIELDS = {"text", "shared_with_team", "date"}


@transaction.atomic
def recognition_give(
    *, rep: Rep, given_by: Any, text: str, shared_with_team: bool = False, date: dt.date | None = None
) -> Recognition:
    _check_coach(given_by, rep)
    recognition = Recognition(
        rep=rep,
        given_by=given_by,
        text=(text or "").strip(),
        shared_with_team=shared_with_team,
        date=date or timezone.localdate(),
    )
    return _save(recognition)


@transaction.atomic
def recognition_update(*, recognition: Recognition, **fields: Any) -> Recognition:
    unknown = set(fields) - RECOGNITION_FIELDS
    if unknown:
        raise ValueError(f"not recognition fields: {sorted(unknown)}")
    for name, value in _trimmed(fields).items():
        setattr(recognition, name, value)
    return _save(recognition)


def recognition_delete(*, recognition: Recognition) -> None:
    recognition.delete()


# --- account plans ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanActionInput:
    """One action of an account plan. ``id`` keeps an existing action (its done date too)."""

    title: str
    owner: Any
    due_date: dt.date | None = None
    done: bool = False
    id: int | None = None


def _check_plan_account(account: Account, rep: Rep) -> None:
    if account.owner_id is not None and account.owner_id != rep.pk:
        raise ValidationError({"account": _("This account belongs to another rep: plan it with its owner.")})


def _save_plan_actions(plan: AccountPlan, actions: Sequence[PlanActionInput]) -> None:
    """Replace the plan's actions by ``actions`` (all or nothing: every row is checked first)."""
    existing = {action.pk: action for action in plan.actions.all()} if plan.pk else {}
    rep = plan.rep
    errors: list[str] = []
    rows: list[AccountPlanAction] = []
    now = timezone.now()
    for index, given in enumerate(actions, start=1):
        title = (given.title or "").strip()
        if given.id is not None and given.id not in existing:
            errors.append(_("Action %(n)d: no action with id %(id)s in this plan.") % {"n": index, "id": given.id})
            continue
        row = existing.get(given.id) if given.id is not None else AccountPlanAction(plan=plan)
        row.title, row.owner, row.due_date = title, given.owner, given.due_date
        if given.done and row.done_at is None:
            row.done_at = now
        elif not given.done:
            row.done_at = None
        owner = given.owner
        if owner is None or not (owner.pk == rep.user_id or access.can_manage_rep(owner, rep)):
            errors.append(_("Action %(n)d: its owner must be the rep or one of their managers.") % {"n": index})
        try:
            row.full_clean(exclude=["plan", "owner"])
        except ValidationError as error:
            errors.append(_("Action %(n)d: %(errors)s") % {"n": index, "errors": "; ".join(error.messages)})
        rows.append(row)
    if errors:
        raise ValidationError({"actions": errors})
    kept = {row.pk for row in rows if row.pk}
    plan.actions.exclude(pk__in=kept).delete()
    for row in rows:
        row.plan = plan
    AccountPlanAction.objects.bulk_update([r for r in rows if r.pk], ["title", "owner", "due_date", "done_at"])
    AccountPlanAction.objects.bulk_create([r for r in rows if not r.pk])


@transaction.atomic
def account_plan_create(
    *, account: Account, created_by: Any, goal: str, actions: Sequence[PlanActionInput] = (), rep: Rep | None = None
) -> AccountPlan:
    """A plan for ``account``, followed up with its owner (``rep`` for a shared account)."""
    rep = rep or account.owner
    if rep is None:
        raise ValidationError({"rep": _("This account has no owner: say which rep follows the plan up.")})
    _check_coach(created_by, rep)
    _check_plan_account(account, rep)
    plan = _save(AccountPlan(account=account, rep=rep, created_by=created_by, goal=(goal or "").strip()))
    _save_plan_actions(plan, actions)
    return plan


@transaction.atomic
def account_plan_update(
    *, plan: AccountPlan, goal: str | None = None, actions: Sequence[PlanActionInput] | None = None
) -> AccountPlan:
    """Change the goal and/or replace the actions (those given with an ``id`` are kept)."""
    if goal is not None:
        plan.goal = goal.strip()
        _save(plan)
    if actions is not None:
        _save_plan_actions(plan, actions)
    return plan


def account_plan_delete(*, plan: AccountPlan) -> None:
    plan.delete()


def account_plan_action_set_done(*, action: AccountPlanAction, done: bool) -> AccountPlanAction:
    """Mark done (now) or open again; marking a done action done keeps its date."""
    if done and action.done_at is None:
        action.done_at = timezone.now()
    elif not done:
        action.done_at = None
    action.save(update_fields=["done_at"])
    return action
