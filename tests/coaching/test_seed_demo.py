"""``seed_demo``'s coaching history: with the reps' own managers, deterministic, reset with the rest."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from coaching.models import ActionItem, CoachingFeedback, CoachingSession, SessionKind, SessionStatus
from reps import demo

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 25)  # a Wednesday


def seed(*extra: str, reps: int = 4, weeks: int = 10) -> None:
    call_command(
        "seed_demo", "--reps", str(reps), "--weeks", str(weeks), "--seed", "1", "--password", "x", "--today", str(TODAY), *extra
    )


def fingerprint() -> dict:
    return {
        "sessions": list(
            CoachingSession.objects.order_by("rep__user__username", "scheduled_for", "kind").values_list(
                "rep__user__username", "coach__username", "kind", "status", "scheduled_for", "minutes", "shared_notes"
            )
        ),
        "feedback": list(
            CoachingFeedback.objects.order_by("rep__user__username", "date", "problem").values_list(
                "rep__user__username", "date", "problem"
            )
        ),
        "actions": list(
            ActionItem.objects.order_by("rep__user__username", "due_date", "title").values_list(
                "rep__user__username", "title", "due_date", "done_at"
            )
        ),
    }


def test_every_rep_has_weekly_one_to_ones_with_their_own_manager():
    seed()
    sessions = CoachingSession.objects.all()
    assert sessions.exists()
    assert not sessions.exclude(coach=F("rep__team__manager")).exists()
    assert not CoachingFeedback.objects.exclude(given_by=F("rep__team__manager")).exists()
    assert not ActionItem.objects.exclude(created_by=F("rep__team__manager")).exists()
    one_to_ones = sessions.filter(kind=SessionKind.ONE_TO_ONE)
    for rep_id in sessions.values_list("rep", flat=True).distinct():
        mine = one_to_ones.filter(rep_id=rep_id)
        assert mine.filter(status=SessionStatus.HELD).count() >= 5  # most of the last eight weeks
        next_monday = TODAY + dt.timedelta(days=7 - TODAY.weekday())
        assert mine.filter(status=SessionStatus.PLANNED, scheduled_for__date__gte=next_monday).count() == 1
    assert sessions.filter(
        kind__in=[SessionKind.PRE_CALL, SessionKind.DEBRIEF, SessionKind.DEAL_REVIEW, SessionKind.FIELD_VISIT]
    ).exists()
    assert not sessions.filter(status=SessionStatus.PLANNED, scheduled_for__date__lt=TODAY).exists()
    assert not sessions.filter(status=SessionStatus.HELD, scheduled_for__date__gte=TODAY).exists()
    assert (
        sessions.filter(status=SessionStatus.HELD, kind=SessionKind.ONE_TO_ONE, minutes__range=(30, 60)).count()
        == one_to_ones.filter(status=SessionStatus.HELD).count()
    )


def test_feedback_has_three_parts_and_actions_are_mostly_done_some_overdue():
    seed(reps=12)
    assert CoachingFeedback.objects.exists()
    assert not CoachingFeedback.objects.filter(problem="").exists()
    assert not CoachingFeedback.objects.filter(session__status__in=[SessionStatus.CANCELLED, SessionStatus.PLANNED]).exists()
    done = ActionItem.objects.filter(done_at__isnull=False).count()
    open_ = ActionItem.objects.filter(done_at__isnull=True)
    assert done > open_.count() > 0
    assert open_.filter(due_date__lt=TODAY).exists()  # overdue
    assert open_.filter(due_date__gte=TODAY).exists()  # due soon


def test_the_same_seed_gives_the_same_coaching_history():
    seed()
    first = fingerprint()
    seed("--reset")
    assert fingerprint() == first
    assert len(first["sessions"]) == CoachingSession.objects.count()


def test_reset_deletes_the_coaching_rows():
    seed()
    demo.reset_sales_data()
    assert not CoachingSession.objects.exists()
    assert not CoachingFeedback.objects.exists()
    assert not ActionItem.objects.exists()


def test_coaching_is_written_in_bulk():
    def coaching_queries(reps: int) -> list[str]:
        builder = demo.DemoBuilder(rep_count=reps, weeks=10, seed=1, password="x", today=TODAY)
        builder.build_people()
        with CaptureQueriesContext(connection) as queries:
            builder.build_coaching()
        demo.reset_sales_data()
        return [query["sql"] for query in queries]

    assert len(coaching_queries(3)) == 4  # cadences, sessions, feedback, action items
    # More rows only split an insert where the database limits the size of one statement (SQLite).
    many = coaching_queries(30)
    assert len(many) < 10
    assert all(sql.startswith("INSERT") for sql in many)


def test_the_demo_has_cadences_and_next_weeks_one_to_ones_without_clashes():
    seed(reps=12)
    from coaching.models import CoachingCadence

    assert CoachingCadence.objects.count() == 12
    next_monday = TODAY + dt.timedelta(days=7 - TODAY.weekday())
    planned = CoachingSession.objects.filter(
        kind=SessionKind.ONE_TO_ONE, status=SessionStatus.PLANNED, scheduled_for__date__gte=next_monday
    )
    assert planned.count() == 12  # one per rep, from their cadence
    for cadence in CoachingCadence.objects.select_related("rep"):
        session = planned.get(rep=cadence.rep)
        assert session.scheduled_for.weekday() == cadence.weekday
    # nobody is double-booked: no two sessions of a coach overlap (cancelled ones aside)
    by_coach: dict = {}
    for s in CoachingSession.objects.exclude(status=SessionStatus.CANCELLED).order_by("scheduled_for"):
        by_coach.setdefault(s.coach_id, []).append((s.scheduled_for, s.scheduled_for + dt.timedelta(minutes=s.minutes)))
    for intervals in by_coach.values():
        for (_start, end), (next_start, _end) in itertools.pairwise(intervals):
            assert end <= next_start
    # planning again (as beat does) plans nothing more
    call_command("plan_one_to_ones", "--today", TODAY.isoformat())
    assert planned.count() == 12


def test_the_demo_has_stage_tips_reviews_recognition_and_account_plans():
    from coaching.models import AccountPlan, DealReview, Recognition, StageTip
    from reps.models import StageKind

    seed()
    assert set(StageTip.objects.values_list("stage__name", flat=True)) == set(demo.OPEN_STAGE_NAMES)
    reviews = DealReview.objects.all()
    assert reviews.exists() and not reviews.exclude(reviewed_by=F("rep__team__manager")).exists()
    assert not reviews.exclude(opportunity__stage__kind=StageKind.OPEN).exists()
    assert not reviews.exclude(rep=F("opportunity__owner")).exists()
    assert ActionItem.objects.filter(deal_reviews__isnull=False).exists()
    assert Recognition.objects.exists() and not Recognition.objects.exclude(given_by=F("rep__team__manager")).exists()
    assert AccountPlan.objects.filter(actions__isnull=False).exists()
    demo.reset_sales_data()
    assert not (DealReview.objects.exists() or Recognition.objects.exists() or AccountPlan.objects.exists())
    assert not StageTip.objects.exists()


def test_the_coaching_records_are_written_in_bulk():
    def record_queries(reps: int) -> int:
        builder = demo.DemoBuilder(rep_count=reps, weeks=10, seed=1, password="x", today=TODAY)
        builder.build_people()
        builder.build_catalogue()
        builder.build_opportunities()
        with CaptureQueriesContext(connection) as queries:
            builder.build_coaching_records()
        demo.reset_sales_data()
        return len(queries)

    few = record_queries(3)
    assert few <= 8  # tips, reviews, their action items and links, recognition, plans, plan actions
    assert record_queries(30) < 16  # more rows only split inserts (SQLite's statement size)


def test_the_demo_teams_write_in_the_offered_languages():
    """Each team works in one language (its people's interface language); part of what its
    manager writes is in it, the rest English. Same seed, same texts."""
    from accounts.models import Profile
    from coaching.models import Recognition
    from reps.demo_texts import DEMO_LANGUAGES, TRANSLATIONS
    from reps.models import Team

    seed(reps=36, weeks=6)  # six teams: one per language
    teams = Team.objects.filter(parent__isnull=False).order_by("pk")
    languages = dict(Profile.objects.values_list("user__username", "language"))
    assert [languages[team.manager.username] for team in teams] == list(DEMO_LANGUAGES)
    for team in teams:
        assert {languages[rep.user.username] for rep in team.reps.all()} == {languages[team.manager.username]}

    def written_in(language: str) -> set[str]:
        texts = set(CoachingSession.objects.filter(rep__user__profile__language=language).values_list("shared_notes", flat=True))
        texts |= set(CoachingFeedback.objects.filter(rep__user__profile__language=language).values_list("problem", flat=True))
        texts |= set(ActionItem.objects.filter(rep__user__profile__language=language).values_list("title", flat=True))
        texts |= set(Recognition.objects.filter(rep__user__profile__language=language).values_list("text", flat=True))
        return texts - {""}

    english = set(TRANSLATIONS)
    for language in DEMO_LANGUAGES[1:]:
        local = {forms[language] for forms in TRANSLATIONS.values()}
        texts = written_in(language)
        assert texts & local, language  # some in the team's language
        assert not texts & {forms[other] for forms in TRANSLATIONS.values() for other in forms if other != language}
    every_translation = {text for forms in TRANSLATIONS.values() for text in forms.values()}
    assert written_in("en") & english and not written_in("en") & every_translation

    first = fingerprint()
    demo.reset_sales_data()
    seed(reps=36, weeks=6)
    assert fingerprint() == first
