"""Who may see and do what in coaching, on top of ``reps.access``.

- A rep sees their own sessions (without the private notes), feedback and action items, and
  marks their own action items done or open.
- A manager of the rep's team (and an admin) sees everything of the rep, private notes
  included (a new manager inherits the coaching history), and plans sessions, writes notes
  and feedback, and sets action items.
- A coach always sees the sessions they held, notes included, even once the rep has moved on.
- Nobody coaches themselves: a team lead who also sells is coached by their own manager, and
  never reads the private notes about themselves.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from coaching.models import (
    AccountPlan,
    ActionItem,
    CoachingFeedback,
    CoachingSession,
    DealReview,
    Recognition,
)
from reps import access
from reps.models import Rep


def visible_sessions(user: Any) -> QuerySet[CoachingSession]:
    if not user.is_authenticated:
        return CoachingSession.objects.none()
    if access.is_admin(user):
        return CoachingSession.objects.all()
    # (Q() | x would be x alone: an admin's empty filter is handled above.)
    return CoachingSession.objects.filter(access.rep_filter(user, "rep") | Q(coach_id=user.pk))


def visible_feedback(user: Any) -> QuerySet[CoachingFeedback]:
    return access.scope(CoachingFeedback.objects.all(), user, "rep")


def visible_action_items(user: Any) -> QuerySet[ActionItem]:
    return access.scope(ActionItem.objects.all(), user, "rep")


def _is_self(user: Any, rep_id: int) -> bool:
    own = access.rep_of(user)
    return own is not None and own.pk == rep_id


def can_coach(user: Any, rep: Rep) -> bool:
    """Plan sessions with, write notes and feedback for, and set action items of ``rep``."""
    return access.can_manage_rep(user, rep) and not _is_self(user, rep.pk)


def can_see_private_notes(user: Any, session: CoachingSession) -> bool:
    if _is_self(user, session.rep_id):
        return False
    return session.coach_id == user.pk or access.can_manage_rep(user, session.rep)


def can_tick_action_item(user: Any, item: ActionItem) -> bool:
    """Mark done or open again: the rep it is for, or their manager."""
    own = access.rep_of(user)
    return (own is not None and own.pk == item.rep_id) or access.can_manage_rep(user, item.rep)


# --- deal reviews, recognition, account plans -------------------------------------------------


def visible_deal_reviews(user: Any) -> QuerySet[DealReview]:
    """The reviews of the deals of the reps ``user`` sees (the deal's owner when reviewed)."""
    return access.scope(DealReview.objects.all(), user, "rep")


def can_see_review_notes(user: Any, review: DealReview) -> bool:
    """A review's private notes: its reviewer and the rep's managers, never the rep."""
    if _is_self(user, review.rep_id):
        return False
    return review.reviewed_by_id == user.pk or access.can_manage_rep(user, review.rep)


def visible_recognitions(user: Any) -> QuerySet[Recognition]:
    """A rep's own recognition and what was shared with their team; a manager's reps'; all for admins."""
    if not user.is_authenticated:
        return Recognition.objects.none()
    if access.is_admin(user):
        return Recognition.objects.all()
    allowed = access.rep_filter(user, "rep")
    own = access.rep_of(user)
    if own is not None and own.team_id is not None:
        allowed |= Q(shared_with_team=True, rep__team_id=own.team_id)
    return Recognition.objects.filter(allowed)


def visible_account_plans(user: Any) -> QuerySet[AccountPlan]:
    return access.scope(AccountPlan.objects.all(), user, "rep")
