"""Accuracy and deviations where the manager reads them: the rep page, the weekly team meeting
and the one-to-one agenda (part 4), including agendas stored before they had them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from coaching import agenda
from coaching.models import FrozenAgenda, SessionStatus
from forecasts import services
from kpis.periods import Period, PeriodKind
from kpis.services import kpi_recompute
from reps import services as rep_services
from tests.coaching.world import make_coaching_world

pytestmark = pytest.mark.django_db

# The agenda's keys before the forecast part: frozen agendas keep them, with these shapes.
AGENDA_KEYS = {
    "as_of",
    "frozen_at",
    "last_week",
    "this_week",
    "last_week_figures",
    "last_week_plan",
    "next_plan",
    "quota_period",
    "quota_figures",
    "pipeline_by_stage",
    "overdue_next_steps",
    "deals_to_review",
    "open_actions",
    "recent_feedback",
    "satisfaction",
    "account_plan_actions",
}


@pytest.fixture
def cworld(db):
    return make_coaching_world()


def last_month() -> Period:
    return Period.containing(PeriodKind.MONTH, timezone.localdate()).previous()


def won_and_called(cworld) -> None:
    """Rita won 1000.00 in the middle of last month; she called 900 before its midpoint and
    1200 on its last day: bias −10 % at the midpoint, +20 % at the end."""
    month = last_month()
    won = cworld.pipeline.stages.get(kind="won")
    middle = month.start + dt.timedelta(days=10)
    rep_services.opportunity_create(
        owner=cworld.rep, name="Big win", stage=won, amount=Decimal("1000.00"), created_date=middle, close_date=middle
    )
    kpi_recompute()
    for day, commit in ((month.start + dt.timedelta(days=2), "900"), (month.end, "1200")):
        services.forecast_submit(
            by_user=cworld.rep.user,
            rep=cworld.rep,
            period_kind="month",
            period_start=month.start,
            commit=Decimal(commit),
            best_case=Decimal(commit),
            at=timezone.make_aware(dt.datetime.combine(day, dt.time(12))),
        )


@pytest.mark.parametrize("who", ["manager", "rep"])
def test_the_rep_page_shows_the_accuracy_of_the_calls(client, cworld, who):
    won_and_called(cworld)
    client.force_login(getattr(cworld, who).user if who == "rep" else cworld.manager)
    page = client.get(f"/dashboard/reps/{cworld.rep.pk}/").content.decode()
    assert 'id="table-accuracy"' in page
    assert "−10.0 %" in page or "-10.0 %" in page  # bias at the midpoint
    assert "20.0 %" in page  # bias at the end


def test_another_rep_cannot_see_the_reps_accuracy(client, cworld):
    client.force_login(cworld.teammate.user)
    assert client.get(f"/dashboard/reps/{cworld.rep.pk}/").status_code == 404


def test_the_agenda_counts_deviations_since_the_last_held_one_to_one(cworld):
    deal = cworld.opportunities["rep"]
    later = (deal.expected_close_date or timezone.localdate()) + dt.timedelta(days=30)
    rep_services.opportunity_update(opportunity=deal, expected_close_date=later)
    session = cworld.planned["rep"]
    data = agenda.live_agenda_data(session)
    assert set(data) == AGENDA_KEYS | {"order_book_review"}  # one key added, none changed
    review = data["order_book_review"]
    assert review["previous_session"] == cworld.held["rep"].pk
    assert dt.datetime.fromisoformat(review["since"]) == cworld.held["rep"].scheduled_for
    pushed = review["deviations"]["pushed_deals"]
    assert [(d["id"], d["times"]) for d in pushed] == [(deal.pk, 1)]
    assert review["accuracy"]["kind"] == "month" and len(review["accuracy"]["periods"]) == 6


def test_without_a_held_one_to_one_the_deviations_start_last_week(cworld):
    cworld.held["rep"].delete()
    data = agenda.live_agenda_data(cworld.planned["rep"])
    review = data["order_book_review"]
    monday = dt.date.fromisoformat(data["last_week"]["start"])
    assert review["previous_session"] is None
    assert timezone.localtime(dt.datetime.fromisoformat(review["since"])).date() == monday


def test_the_session_page_shows_part_4s_forecast_figures(client, cworld):
    won_and_called(cworld)
    client.force_login(cworld.manager)
    page = client.get(f"/coaching/sessions/{cworld.planned['rep'].pk}/").content.decode()
    assert 'id="agenda-deviations"' in page and 'id="table-agenda_accuracy"' in page
    assert "20.0 %" in page


def test_an_agenda_stored_before_the_forecast_part_still_reads(client, cworld):
    session = cworld.held["rep"]
    frozen = FrozenAgenda.objects.get(session=session)
    frozen.data.pop("order_book_review", None)
    frozen.save()
    assert session.status == SessionStatus.HELD
    client.force_login(cworld.manager)
    response = client.get(f"/coaching/sessions/{session.pk}/")
    assert response.status_code == 200
    assert 'id="agenda-deviations"' not in response.content.decode()
    assert "order_book_review" not in agenda.agenda_data(session)


def test_the_team_meeting_shows_the_weeks_deviations_per_rep(client, cworld):
    deal = cworld.opportunities["rep"]
    rep_services.opportunity_update(opportunity=deal, amount=deal.amount + Decimal("250.00"))
    client.force_login(cworld.manager)
    page = client.get("/team-meeting/", {"team": cworld.rep.team_id}).content.decode()
    table = page[page.index('id="table-deviations"') :]
    assert "250.00" in table[: table.index("</table>")]  # the net amount change
    assert "No deal was pushed to a later close date." in page


def test_the_team_forecast_page_shows_accuracy_in_percent_and_each_calls_move(client, cworld):
    won_and_called(cworld)
    month = Period.containing(PeriodKind.MONTH, timezone.localdate())
    for commit in ("700", "950"):
        services.forecast_submit(
            by_user=cworld.rep.user,
            rep=cworld.rep,
            period_kind="month",
            period_start=month.start,
            commit=Decimal(commit),
            best_case=Decimal(commit),
        )
    client.force_login(cworld.manager)
    page = client.get("/forecast/", {"team": cworld.rep.team_id, "period": "month", "start": month.start}).content.decode()
    calls = page[page.index('id="table-calls"') : page.index("</table>", page.index('id="table-calls"'))]
    assert "+250.00" in calls  # Rita's move: 700 → 950
    assert "20.0 %" in calls and "0.2000" not in page  # her mean error at the end, as a percentage
