"""Planning the one-to-ones from the cadences: the window, each cadence, idempotence, and never
double-booking a manager (the planner moves to the next free slot; a clash is refused)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from coaching import planning, services
from coaching.models import Cadence, CoachingSession, SessionKind, SessionStatus
from tests.factories import RepFactory, TeamFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 25)  # a Wednesday: the window runs to Sunday 6 December


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


@pytest.fixture
def team():
    return TeamFactory()


def one_to_ones(rep) -> list[dt.datetime]:
    return list(
        CoachingSession.objects.filter(rep=rep, kind=SessionKind.ONE_TO_ONE)
        .order_by("scheduled_for")
        .values_list("scheduled_for", flat=True)
    )


def test_the_window_runs_from_tomorrow_to_the_end_of_next_week():
    assert planning.window(TODAY) == (dt.date(2026, 11, 26), dt.date(2026, 12, 6))


def test_a_rep_without_cadence_gets_weekly_one_to_ones_on_tuesday_at_nine(team):
    rep = RepFactory(team=team)
    result = planning.plan_one_to_ones(today=TODAY)
    assert one_to_ones(rep) == [at(dt.date(2026, 12, 1), 9)]  # this week's Tuesday has passed
    [session] = result.created
    assert (session.coach, session.minutes, session.status) == (team.manager, 45, SessionStatus.PLANNED)


def test_running_twice_plans_nothing_twice(team):
    reps = [RepFactory(team=team) for _ in range(3)]
    first = planning.plan_one_to_ones(today=TODAY)
    assert len(first.created) == 3
    assert planning.plan_one_to_ones(today=TODAY).created == []
    call_command("plan_one_to_ones", "--today", TODAY.isoformat())
    assert CoachingSession.objects.filter(rep__in=reps).count() == 3


def test_the_manager_is_never_double_booked(team):
    """Three reps on the same usual slot: the later ones move to the next free half hour."""
    reps = [RepFactory(team=team) for _ in range(3)]
    for rep in reps:
        services.cadence_set(rep=rep, by=team.manager, weekday=3, time=dt.time(10), minutes=45)
    planning.plan_one_to_ones(today=TODAY)
    starts = sorted(s for rep in reps for s in one_to_ones(rep) if s.date() == dt.date(2026, 11, 26))
    assert starts == [at(dt.date(2026, 11, 26), 10), at(dt.date(2026, 11, 26), 11), at(dt.date(2026, 11, 26), 12)]


def test_each_cadence(team):
    weekly, biweekly, monthly, none = (RepFactory(team=team) for _ in range(4))
    services.cadence_set(rep=weekly, by=team.manager, weekday=4, time=dt.time(9))
    services.cadence_set(rep=biweekly, by=team.manager, cadence=Cadence.BIWEEKLY, weekday=4, time=dt.time(11))
    services.cadence_set(rep=monthly, by=team.manager, cadence=Cadence.MONTHLY, weekday=4, time=dt.time(14))
    services.cadence_set(rep=none, by=team.manager, cadence=Cadence.NONE, weekday=4, time=dt.time(15))
    # the biweekly rep had one last week; the monthly rep one this month
    services.session_create(rep=biweekly, coach=team.manager, scheduled_for=at(dt.date(2026, 11, 20), 11), status="held")
    services.session_create(rep=monthly, coach=team.manager, scheduled_for=at(dt.date(2026, 11, 6), 14), status="held")
    planning.plan_one_to_ones(today=TODAY)
    fridays = [dt.date(2026, 11, 27), dt.date(2026, 12, 4)]
    assert [s.date() for s in one_to_ones(weekly)] == fridays
    assert [s.date() for s in one_to_ones(biweekly)][1:] == [dt.date(2026, 12, 4)]  # not the 27th: last week had one
    assert [s.date() for s in one_to_ones(monthly)][1:] == [dt.date(2026, 12, 4)]  # December's
    assert one_to_ones(none) == []


def test_a_cancelled_one_to_one_is_not_planned_again(team):
    rep = RepFactory(team=team)
    services.session_create(rep=rep, coach=team.manager, scheduled_for=at(dt.date(2026, 12, 2), 9), status="cancelled")
    planning.plan_one_to_ones(today=TODAY)
    assert CoachingSession.objects.filter(rep=rep).count() == 1


def test_a_team_lead_who_sells_is_not_planned_with_themselves(team):
    lead = RepFactory(team=team, user=team.manager)
    planning.plan_one_to_ones(today=TODAY)
    assert not CoachingSession.objects.filter(rep=lead).exists()


def test_planning_a_session_that_overlaps_another_of_the_coach_is_refused(team):
    rep, other = RepFactory(team=team), RepFactory(team=team)
    services.session_create(rep=rep, coach=team.manager, scheduled_for=at(dt.date(2026, 12, 1), 10), minutes=60)
    with pytest.raises(ValidationError) as error:
        services.session_create(rep=other, coach=team.manager, scheduled_for=at(dt.date(2026, 12, 1), 10, 30))
    assert "already has a session then" in error.value.message_dict["scheduled_for"][0]
    # right after it, or over a cancelled one: fine
    services.session_create(rep=other, coach=team.manager, scheduled_for=at(dt.date(2026, 12, 1), 11))
    cancelled = services.session_create(
        rep=other, coach=team.manager, scheduled_for=at(dt.date(2026, 12, 1), 15), status=SessionStatus.CANCELLED
    )
    services.session_create(rep=rep, coach=team.manager, scheduled_for=at(dt.date(2026, 12, 1), 15))
    with pytest.raises(ValidationError):  # taking it up again would clash now
        services.session_update(session=cancelled, status=SessionStatus.PLANNED)


def test_the_command_reports_what_it_did(team, capsys):
    RepFactory(team=team)
    call_command("plan_one_to_ones", "--today", TODAY.isoformat())
    assert "1 one-to-ones planned" in capsys.readouterr().out
