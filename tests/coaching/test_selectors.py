"""Coaching reads: coaching time, the reps' coaching status, deals worth a review, the agenda."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coaching import selectors, services
from coaching.models import SessionKind, SessionStatus
from kpis.models import Quota
from reps import services as sales
from tests.factories import RepFactory, make_pipeline, stage

pytestmark = pytest.mark.django_db


def test_coaching_time_counts_held_sessions_as_a_share_of_working_time(cworld, settings):
    settings.COACHING_WORKDAY_HOURS = 8
    today = timezone.localdate()
    start, end = today - dt.timedelta(days=13), today  # two weeks: 10 working days, 4 800 minutes
    services.session_create(
        rep=cworld.teammate,
        coach=cworld.manager,
        scheduled_for=timezone.now() - dt.timedelta(days=2),
        minutes=30,
        kind=SessionKind.DEBRIEF,
        status=SessionStatus.HELD,
    )
    services.session_create(  # cancelled: no coaching time
        rep=cworld.rep,
        coach=cworld.manager,
        scheduled_for=timezone.now() - dt.timedelta(days=1),
        minutes=60,
        status=SessionStatus.CANCELLED,
    )
    rows = selectors.coaching_time(user=cworld.manager, start=start, end=end)
    assert len(rows) == 1
    row = rows[0]
    assert row["coach"]["id"] == cworld.manager.pk
    assert (row["minutes"], row["sessions"], row["one_to_ones"]) == (120, 3, 2)  # 45 + 45 + 30
    assert row["share"] == Decimal("0.0250")  # 120 / 4 800


def test_coaching_time_is_scoped_to_the_reps_the_user_may_see(cworld):
    today = timezone.localdate()
    as_admin = selectors.coaching_time(user=cworld.admin, start=today - dt.timedelta(days=30), end=today)
    assert {row["coach"]["id"] for row in as_admin} == {cworld.manager.pk, cworld.other_rep.team.manager.pk}
    as_rep = selectors.coaching_time(user=cworld.rep.user, start=today - dt.timedelta(days=30), end=today)
    assert [row["minutes"] for row in as_rep] == [45]  # their own session only


def test_reps_coaching_status_flags_a_rep_without_a_recent_one_to_one(cworld):
    today = timezone.localdate()
    cworld.held["teammate"].scheduled_for = timezone.now() - dt.timedelta(days=20)
    cworld.held["teammate"].save()
    services.action_item_create(rep=cworld.rep, created_by=cworld.manager, title="Late", due_date=today - dt.timedelta(days=1))
    reps = {rep.pk: rep for rep in selectors.reps_coaching_status(user=cworld.manager, team_ids=None, today=today)}
    assert set(reps) == {cworld.rep.pk, cworld.teammate.pk}  # not the other team's rep
    assert reps[cworld.rep.pk].needs_one_to_one is False
    assert reps[cworld.teammate.pk].needs_one_to_one is True
    assert (reps[cworld.rep.pk].open_actions, reps[cworld.rep.pk].overdue_actions) == (2, 1)
    assert reps[cworld.rep.pk].next_session == cworld.planned["rep"].scheduled_for


def test_reps_coaching_status_makes_four_queries_whatever_the_team_size(cworld):
    today = timezone.localdate()
    with CaptureQueriesContext(connection) as few:
        selectors.reps_coaching_status(user=cworld.admin, team_ids=None, today=today)
    for _ in range(5):
        RepFactory(team=cworld.team)
    with CaptureQueriesContext(connection) as many:
        assert len(selectors.reps_coaching_status(user=cworld.admin, team_ids=None, today=today)) == 8
    assert len(few) == len(many) == 4  # the reps with their counts, their open deals, their stages' tips, deal reviews


def _deal(rep, name, *, amount="1000.00", **fields):
    return sales.opportunity_create(
        owner=rep, name=name, amount=Decimal(amount), stage=stage(make_pipeline(), "Prospecting"), **fields
    )


def test_deals_to_review_picks_at_most_three_with_their_reasons(cworld):
    today = timezone.localdate()
    rep = cworld.rep
    cworld.opportunities["rep"].next_step, cworld.opportunities["rep"].next_step_date = "Call back", today + dt.timedelta(days=2)
    cworld.opportunities["rep"].save()  # in order: not flagged
    overdue = _deal(
        rep,
        "Overdue step",
        next_step="Send offer",
        next_step_date=today - dt.timedelta(days=4),
        expected_close_date=today + dt.timedelta(days=10),
    )
    slipped = _deal(
        rep,
        "Slipped",
        next_step="Call",
        next_step_date=today + dt.timedelta(days=1),
        expected_close_date=today - dt.timedelta(days=3),
    )
    both = _deal(
        rep,
        "Both",
        amount="50.00",
        next_step="Call",
        next_step_date=today - dt.timedelta(days=1),
        expected_close_date=today - dt.timedelta(days=1),
    )
    no_step = _deal(rep, "No step", expected_close_date=today + dt.timedelta(days=30))
    flagged = selectors.deals_to_review(user=cworld.manager, rep_ids=[rep.pk], today=today)[rep.pk]
    assert [review.opportunity for review in flagged] == [both, overdue, slipped]  # 6, then 3 and 3 by amount
    assert flagged[0].reasons == ["next step 1 day overdue", "expected close date has passed"]
    assert flagged[1].reasons == ["next step 4 days overdue"]
    assert no_step not in [review.opportunity for review in flagged]  # 2 points: fourth


def test_a_stalled_deal_is_flagged_against_its_stages_median(cworld):
    today = timezone.localdate()
    rep = cworld.teammate
    cworld.opportunities["teammate"].delete()
    fresh = [_deal(rep, f"Fresh {i}", next_step="Call", next_step_date=today, expected_close_date=today) for i in range(3)]
    old = _deal(rep, "Old", next_step="Call", next_step_date=today, expected_close_date=today)
    old.stage_changed_at = timezone.now() - dt.timedelta(days=40)
    old.save()
    flagged = selectors.deals_to_review(user=cworld.manager, rep_ids=[rep.pk], today=today)[rep.pk]
    assert [review.opportunity for review in flagged] == [old]
    assert flagged[0].reasons == ["40 days in Prospecting (stalled)"]
    assert all(deal not in [r.opportunity for r in flagged] for deal in fresh)


def test_a_deal_over_45_days_in_a_stage_is_stalled_even_if_all_the_reps_deals_are(cworld):
    today = timezone.localdate()
    rep = cworld.teammate
    cworld.opportunities["teammate"].delete()
    slow = []
    for days in (60, 60, 80):
        deal = _deal(rep, f"Slow {days}", next_step="Call", next_step_date=today, expected_close_date=today)
        deal.stage_changed_at = timezone.now() - dt.timedelta(days=days)
        deal.save()
        slow.append(deal)
    flagged = selectors.deals_to_review(user=cworld.manager, rep_ids=[rep.pk], today=today)[rep.pk]
    assert {review.opportunity for review in flagged} == set(slow)


def test_deals_to_review_are_scoped(cworld):
    today = timezone.localdate()
    found = selectors.deals_to_review(user=cworld.manager, rep_ids=[cworld.other_rep.pk], today=today)
    assert found == {}


def test_the_agenda_uses_the_quota_in_force_and_the_reps_numbers(cworld):
    rep = cworld.rep
    session = cworld.planned["rep"]
    day = timezone.localdate(session.scheduled_for)
    month_start = day.replace(day=1)
    next_month = (month_start + dt.timedelta(days=32)).replace(day=1)
    Quota.objects.create(rep=rep, start_date=month_start, end_date=next_month - dt.timedelta(days=1), target=Decimal("5000.00"))
    Quota.objects.create(
        rep=rep,
        start_date=month_start - dt.timedelta(days=400),
        end_date=month_start - dt.timedelta(days=1),
        target=Decimal("99999.00"),
    )  # an earlier one (quotas of one metric never overlap): not in force on the day
    agenda = selectors.agenda(user=cworld.manager, session=session)
    assert agenda.quota_period.start == month_start
    assert agenda.quota_figures["target"] == Decimal("5000.00")
    assert agenda.this_week.start <= day <= agenda.this_week.end
    assert agenda.last_week.end == agenda.this_week.start - dt.timedelta(days=1)
    assert [item.title for item in agenda.open_actions] == ["Action of rep"]
    assert [fb.problem for fb in agenda.recent_feedback] == ["Problem of rep"]
    assert agenda.pipeline_by_stage and agenda.pipeline_by_stage[0]["count"] == 1


def test_the_agenda_without_a_quota_says_so(cworld):
    agenda = selectors.agenda(user=cworld.manager, session=cworld.planned["teammate"])
    assert agenda.quota_period is None and agenda.quota_figures is None
