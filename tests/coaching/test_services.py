"""Coaching writes: who may coach whom, 3-part feedback, action items done and open again."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from coaching import services
from coaching.models import ActionItem, CoachingFeedback, CoachingSession, SessionStatus

pytestmark = pytest.mark.django_db


def test_a_manager_plans_a_session_with_a_rep_of_their_team(cworld):
    session = services.session_create(rep=cworld.rep, coach=cworld.manager, scheduled_for=timezone.now(), minutes=60)
    assert session.status == SessionStatus.PLANNED and session.coach == cworld.manager


@pytest.mark.parametrize("who", ["other_manager", "teammate_user", "nobody"])
def test_only_the_reps_managers_may_coach_them(cworld, who):
    coach = {
        "other_manager": cworld.other_rep.team.manager,
        "teammate_user": cworld.teammate.user,
        "nobody": cworld.nobody,
    }[who]
    before = CoachingSession.objects.count()
    with pytest.raises(ValidationError) as error:
        services.session_create(rep=cworld.rep, coach=coach, scheduled_for=timezone.now())
    assert "rep" in error.value.message_dict
    assert CoachingSession.objects.count() == before


def test_an_admin_may_coach_anyone(cworld):
    session = services.session_create(rep=cworld.other_rep, coach=cworld.admin, scheduled_for=timezone.now())
    assert session.pk


@pytest.mark.parametrize("minutes", [0, 4, 481])
def test_a_session_lasts_5_to_480_minutes(cworld, minutes):
    with pytest.raises(ValidationError) as error:
        services.session_create(rep=cworld.rep, coach=cworld.manager, scheduled_for=timezone.now(), minutes=minutes)
    assert "minutes" in error.value.message_dict


def test_notes_are_trimmed_and_the_update_takes_only_session_fields(cworld):
    session = services.session_update(session=cworld.held["rep"], shared_notes="  agreed  ", status=SessionStatus.HELD)
    assert session.shared_notes == "agreed" and session.status == SessionStatus.HELD
    with pytest.raises(ValueError):
        services.session_update(session=session, rep=cworld.teammate)


def test_a_session_on_a_later_day_cannot_be_held_yet(cworld):
    with pytest.raises(ValidationError) as error:
        services.session_update(session=cworld.planned["rep"], status=SessionStatus.HELD)
    assert "status" in error.value.message_dict
    later_today = services.session_create(
        rep=cworld.rep, coach=cworld.manager, scheduled_for=timezone.now(), status=SessionStatus.HELD
    )  # held a little earlier than planned: fine
    assert later_today.pk


@pytest.mark.parametrize("blank", ["problem", "consequence", "improvement"])
def test_feedback_needs_all_three_parts(cworld, blank):
    parts = {"problem": "Talked over the customer", "consequence": "Missed the pain", "improvement": "Ask, then listen"}
    parts[blank] = "   "
    before = CoachingFeedback.objects.count()
    with pytest.raises(ValidationError) as error:
        services.feedback_give(rep=cworld.rep, given_by=cworld.manager, **parts)
    assert blank in error.value.message_dict
    assert CoachingFeedback.objects.count() == before


def test_feedback_and_actions_must_belong_to_the_sessions_rep(cworld):
    with pytest.raises(ValidationError):
        services.feedback_give(
            rep=cworld.teammate,
            given_by=cworld.manager,
            session=cworld.held["rep"],
            problem="p",
            consequence="c",
            improvement="i",
        )
    with pytest.raises(ValidationError):
        services.action_item_create(rep=cworld.teammate, created_by=cworld.manager, session=cworld.held["rep"], title="x")


def test_an_action_item_is_done_then_open_again(cworld):
    item = cworld.actions["rep"]
    moment = timezone.now() - dt.timedelta(hours=2)
    services.action_item_set_done(item=item, done=True, at=moment)
    services.action_item_set_done(item=item, done=True)  # again: keeps the first date
    assert ActionItem.objects.get(pk=item.pk).done_at == moment
    services.action_item_set_done(item=item, done=False)
    assert not ActionItem.objects.get(pk=item.pk).is_done


def test_an_action_item_needs_a_title(cworld):
    with pytest.raises(ValidationError) as error:
        services.action_item_create(rep=cworld.rep, created_by=cworld.manager, title="  ")
    assert "title" in error.value.message_dict
