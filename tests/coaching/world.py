"""The access-test world (tests/api/world.py) with coaching records for each rep.

For ``rep`` and ``teammate`` (team A, coached by ``manager``) and ``other_rep`` (team B,
coached by its own manager): one held one-to-one six days ago with shared and private notes,
one planned tomorrow (an hour apart per rep: a coach is never double-booked), one piece of
3-part feedback and one open action item.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from coaching import services
from coaching.models import ActionItem, CoachingFeedback, CoachingSession, SessionStatus
from tests.api.world import World, make_world


@dataclass
class CoachingWorld:
    world: World
    held: dict[str, CoachingSession]
    planned: dict[str, CoachingSession]
    feedback: dict[str, CoachingFeedback]
    actions: dict[str, ActionItem]

    def __getattr__(self, name: str):  # world.rep, world.manager, ... straight through
        return getattr(self.world, name)


def make_coaching_world() -> CoachingWorld:
    world = make_world()
    now = timezone.now()
    held, planned, feedback, actions = {}, {}, {}, {}
    for offset, key in enumerate(("rep", "teammate", "other_rep")):
        rep = world.rep_named(key)
        coach = rep.team.manager
        hour = dt.timedelta(hours=offset)  # a coach is never booked twice at once
        held[key] = services.session_create(
            rep=rep,
            coach=coach,
            scheduled_for=now - dt.timedelta(days=6) + hour,
            minutes=45,
            status=SessionStatus.HELD,
            shared_notes=f"Shared notes of {key}",
            private_notes=f"Private notes of {key}",
        )
        planned[key] = services.session_create(rep=rep, coach=coach, scheduled_for=now + dt.timedelta(days=1) + hour)
        feedback[key] = services.feedback_give(
            rep=rep,
            given_by=coach,
            session=held[key],
            problem=f"Problem of {key}",
            consequence=f"Consequence of {key}",
            improvement=f"Improvement of {key}",
        )
        actions[key] = services.action_item_create(
            rep=rep,
            created_by=coach,
            session=held[key],
            title=f"Action of {key}",
            due_date=timezone.localdate() + dt.timedelta(days=3),
        )
    return CoachingWorld(world=world, held=held, planned=planned, feedback=feedback, actions=actions)
