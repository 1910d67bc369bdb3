"""Who may see and do what in coaching, on top of ``reps.access``.

- A rep sees their own sessions (without the private notes), feedback and action items, and
  marks their own action items done or open.
- A manager of the rep's team (and an admin) sees everything of the rep, private notes
  included, and plans sessions, writes notes and feedback, and sets action items.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from coaching.models import ActionItem, CoachingFeedback, CoachingSession
from reps import access
from reps.models import Rep


def visible_sessions(user: Any) -> QuerySet[CoachingSession]:
    return access.scope(CoachingSession.objects.all(), user, "rep")


def visible_feedback(user: Any) -> QuerySet[CoachingFeedback]:
    return access.scope(CoachingFeedback.objects.all(), user, "rep")


def visible_action_items(user: Any) -> QuerySet[ActionItem]:
    return access.scope(ActionItem.objects.all(), user, "rep")


def can_coach(user: Any, rep: Rep) -> bool:
    """Plan sessions with, write notes and feedback for, and set action items of ``rep``."""
    return access.can_manage_rep(user, rep)


def can_see_private_notes(user: Any, session: CoachingSession) -> bool:
    return access.can_manage_rep(user, session.rep)


def can_tick_action_item(user: Any, item: ActionItem) -> bool:
    """Mark done or open again: the rep it is for, or their manager."""
    own = access.rep_of(user)
    return (own is not None and own.pk == item.rep_id) or access.can_manage_rep(user, item.rep)
