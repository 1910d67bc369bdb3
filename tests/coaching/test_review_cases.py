"""Cases a review found: a team lead who also sells, a rep who moves team, dates at the
calendar's ends, half-up rounding of the coaching share, the stalled threshold's edge."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from coaching import rules, selectors, services
from coaching.models import CoachingSession, SessionKind, SessionStatus
from reps import services as sales
from tests.factories import RepFactory, TeamFactory, UserFactory, make_pipeline, stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead_who_sells(cworld):
    """``lead`` manages team C and is also a rep in it; ``boss`` manages the region above C."""
    boss = UserFactory(username="boss")
    region = TeamFactory(name="Region", manager=boss)
    lead = UserFactory(username="lead", first_name="Lea", last_name="Lead")
    team = TeamFactory(name="Team C", manager=lead, parent=region)
    lead_rep = RepFactory(user=lead, team=team)
    seller = RepFactory(team=team, user__username="sam")
    session = services.session_create(
        rep=lead_rep,
        coach=boss,
        scheduled_for=timezone.now() - dt.timedelta(days=1),
        status=SessionStatus.HELD,
        private_notes="Boss thinks the lead is struggling",
    )
    return {"boss": boss, "lead": lead, "lead_rep": lead_rep, "seller": seller, "session": session}


def test_a_lead_who_sells_cannot_coach_themselves(lead_who_sells):
    lead, lead_rep = lead_who_sells["lead"], lead_who_sells["lead_rep"]
    with pytest.raises(ValidationError) as error:
        services.session_create(rep=lead_rep, coach=lead, scheduled_for=timezone.now())
    assert "yourself" in str(error.value)
    assert not rules.can_coach(lead, lead_rep)
    assert rules.can_coach(lead, lead_who_sells["seller"])  # their own reps, yes
    assert lead_rep not in selectors.coachable_reps(lead)


def test_a_lead_who_sells_never_reads_the_private_notes_about_themselves(client, lead_who_sells):
    lead, session = lead_who_sells["lead"], lead_who_sells["session"]
    client.force_login(lead)
    page = client.get(reverse("coaching_session_detail", args=[session.pk]))
    assert page.status_code == 200  # their own session, as a rep
    assert "Boss thinks the lead is struggling" not in page.content.decode()
    api = APIClient()
    api.force_authenticate(lead)
    body = api.get(f"/api/v1/coaching-sessions/{session.pk}/").json()
    assert "private_notes" not in body
    assert api.post(
        "/api/v1/coaching-sessions/",
        {"rep": lead_who_sells["lead_rep"].pk, "scheduled_for": timezone.now().isoformat(), "minutes": 480, "status": "held"},
        format="json",
    ).status_code in (400, 403)
    client.force_login(lead_who_sells["boss"])
    assert (
        "Boss thinks the lead is struggling" in client.get(reverse("coaching_session_detail", args=[session.pk])).content.decode()
    )


def test_a_coach_keeps_their_sessions_and_time_when_the_rep_moves_team(client, cworld):
    today = timezone.localdate()
    session = cworld.held["rep"]
    sales.rep_move_team(rep=cworld.rep, team=cworld.other_team, on_date=today)
    old_coach, new_manager = cworld.manager, cworld.other_rep.team.manager
    minutes = {
        row["coach"]["id"]: row["minutes"]
        for row in selectors.coaching_time(
            user=old_coach, start=today - dt.timedelta(days=30), end=today, coach_ids=[old_coach.pk]
        )
    }
    assert minutes == {old_coach.pk: 90}  # both one-to-ones they held, the moved rep's included
    client.force_login(old_coach)
    page = client.get(reverse("coaching_session_detail", args=[session.pk]))
    assert page.status_code == 200 and "Private notes of rep" in page.content.decode()
    client.force_login(new_manager)  # takes over the rep's coaching history
    assert client.get(reverse("coaching_session_detail", args=[session.pk])).status_code == 200


@pytest.mark.parametrize("when", ["0001-01-01T10:00:00Z", "9999-12-30T10:00:00Z"])
def test_a_session_at_the_calendars_ends_is_refused_with_a_400(cworld, when):
    api = APIClient()
    api.force_authenticate(cworld.manager)
    before = CoachingSession.objects.count()
    response = api.post("/api/v1/coaching-sessions/", {"rep": cworld.rep.pk, "scheduled_for": when}, format="json")
    assert response.status_code == 400 and "scheduled_for" in response.json()
    assert CoachingSession.objects.count() == before


def test_the_session_form_refuses_a_date_at_the_calendars_end(client, cworld):
    client.force_login(cworld.manager)
    data = {"rep": cworld.rep.pk, "kind": "one_to_one", "scheduled_for": "0001-01-01T10:00", "minutes": "30", "status": "planned"}
    response = client.post(reverse("coaching_session_create"), data)
    assert response.status_code == 400
    assert not CoachingSession.objects.filter(scheduled_for__year=1).exists()


@pytest.mark.parametrize(
    "url, params",
    [
        ("/coaching/", {"period": "week", "start": "9999-12-31"}),
        ("/coaching/", {"period": "month", "start": "0001-01-01"}),
        ("/dashboard/", {"start": "9999-12-31"}),
        ("/dashboard/", {"period": "custom", "start": "0001-01-01", "end": "0001-01-31"}),
        ("/team-meeting/", {"start": "0001-01-01"}),
    ],
)
def test_pages_answer_dates_at_the_calendars_ends_with_a_message(client, cworld, url, params):
    client.force_login(cworld.manager)
    response = client.get(url, params)
    assert response.status_code == 200
    assert "between the years 1900 and 2999" in response.content.decode()


def test_coaching_time_api_refuses_dates_at_the_calendars_end(cworld):
    api = APIClient()
    api.force_authenticate(cworld.manager)
    response = api.get("/api/v1/coaching-time/", {"start": "9999-12-01", "end": "9999-12-31"})
    assert response.status_code == 400


def test_an_odd_rep_parameter_is_refused_not_a_500(client, cworld):
    client.force_login(cworld.manager)
    assert client.get(reverse("coaching_session_create"), {"rep": "²"}).status_code == 403


def test_the_coaching_share_rounds_half_up(cworld, settings):
    settings.COACHING_WORKDAY_HOURS = 8
    monday = dt.date(2026, 11, 2)  # a week: 5 working days, 2 400 minutes; 15 / 2 400 = 0.00625
    CoachingSession.objects.all().delete()
    services.session_create(
        rep=cworld.rep,
        coach=cworld.manager,
        kind=SessionKind.DEBRIEF,
        minutes=15,
        status=SessionStatus.HELD,
        scheduled_for=timezone.make_aware(dt.datetime(2026, 11, 3, 10)),
    )
    (row,) = selectors.coaching_time(user=cworld.manager, start=monday, end=monday + dt.timedelta(days=6))
    assert row["share"] == Decimal("0.0063")


def test_a_deal_exactly_14_days_in_its_stage_is_stalled_when_the_others_are_quick(cworld):
    today = timezone.localdate()
    rep = cworld.teammate
    cworld.opportunities["teammate"].delete()
    pipeline = make_pipeline()

    def deal(name, days):
        created = sales.opportunity_create(
            owner=rep,
            name=name,
            stage=stage(pipeline, "Prospecting"),
            next_step="Call",
            next_step_date=today,
            expected_close_date=today,
        )
        created.stage_changed_at = timezone.now() - dt.timedelta(days=days)
        created.save()
        return created

    quick = [deal(f"Quick {i}", 2) for i in range(3)]
    edge = deal("Edge", 14)
    flagged = selectors.deals_to_review(user=cworld.manager, rep_ids=[rep.pk], today=today)[rep.pk]
    assert [review.opportunity for review in flagged] == [edge]
    assert not set(quick) & {review.opportunity for review in flagged}
