"""The agenda of a past session shows what was true then, and a held session's agenda is
stored: it reads the same later, after a full KPI recompute and after the records change."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from coaching import agenda, services
from coaching.models import FrozenAgenda, SessionStatus
from kpis.services import kpi_recompute
from reps import services as rep_services
from reps.models import Opportunity, OpportunityOwnerChange, OpportunityStageChange
from tests.coaching.world import make_coaching_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def cworld(db):
    return make_coaching_world()


def test_a_past_session_lists_neither_later_feedback_nor_later_deals(cworld):
    rep, manager = cworld.rep, cworld.manager
    past = services.session_create(
        rep=rep, coach=manager, scheduled_for=timezone.now() - dt.timedelta(days=20), status=SessionStatus.PLANNED
    )
    data = agenda.live_agenda_data(past)
    assert data["recent_feedback"] == []  # the world's feedback is from today
    assert data["open_actions"] == []  # its action item was created today
    assert data["pipeline_by_stage"] == [] and data["deals_to_review"] == []  # its deal was created today
    today = agenda.live_agenda_data(cworld.planned["rep"])
    assert [f["problem"] for f in today["recent_feedback"]] == ["Problem of rep"]
    assert [d["name"] for d in today["deals_to_review"]] == ["Deal of rep"]


def backdate_deals(days: int = 2) -> None:
    """The world's deals, as if created ``days`` ago (with their history)."""
    then = timezone.now() - dt.timedelta(days=days)
    OpportunityStageChange.objects.update(changed_at=then)
    OpportunityOwnerChange.objects.update(changed_at=then)
    Opportunity.objects.update(created_date=timezone.localdate(then), stage_changed_at=then)


def test_a_deal_won_after_the_session_is_open_in_its_agenda(cworld):
    deal = cworld.opportunities["rep"]
    won = cworld.pipeline.stages.get(kind="won")
    session = cworld.planned["rep"]
    before = agenda.live_agenda_data(session)
    assert before["pipeline_by_stage"]
    now = timezone.now()
    rep_services.opportunity_move(opportunity=deal, stage=won, at=now + dt.timedelta(hours=2))
    later = now + dt.timedelta(hours=3)
    assert agenda.live_agenda_data(cworld.planned["rep"], now=later)["pipeline_by_stage"] == []  # won by then
    earlier = services.session_create(rep=cworld.rep, coach=cworld.manager, scheduled_for=now + dt.timedelta(hours=1))
    data = agenda.live_agenda_data(earlier, now=later)  # an hour before the win: still open then
    assert data["pipeline_by_stage"] == before["pipeline_by_stage"]


def test_an_action_done_after_the_session_was_open_then(cworld):
    item = cworld.actions["rep"]
    later = services.session_create(rep=cworld.rep, coach=cworld.manager, scheduled_for=timezone.now() + dt.timedelta(hours=3))
    services.action_item_set_done(item=item, done=True, at=timezone.now() + dt.timedelta(hours=5))
    soon = timezone.now() + dt.timedelta(hours=4)
    data = agenda.live_agenda_data(later, now=soon)
    assert [(a["id"], a["is_done"], a["done_at"]) for a in data["open_actions"]] == [(item.pk, False, None)]


def test_marking_a_session_held_stores_its_agenda_which_then_reads_the_same(cworld, client):
    backdate_deals()
    session = services.session_create(
        rep=cworld.rep, coach=cworld.manager, scheduled_for=timezone.now() - dt.timedelta(minutes=30)
    )
    assert not FrozenAgenda.objects.filter(session=session).exists()
    services.session_update(session=session, status=SessionStatus.HELD)
    stored = agenda.agenda_data(session)
    assert stored["frozen_at"] is not None
    assert [d["name"] for d in stored["deals_to_review"]] == ["Deal of rep"]
    # the numbers change: a full recompute, a deal edited, feedback deleted, the action done
    deal = cworld.opportunities["rep"]
    rep_services.opportunity_update(opportunity=deal, amount=Decimal("99999.00"), next_step="Call", next_step_date=None)
    services.feedback_delete(feedback=cworld.feedback["rep"])
    services.action_item_set_done(item=cworld.actions["rep"], done=True)
    kpi_recompute()
    assert agenda.agenda_data(session) == stored
    api = APIClient()
    api.force_authenticate(cworld.manager)
    assert api.get(f"/api/v1/coaching-sessions/{session.pk}/agenda/").json() == stored
    client.force_login(cworld.manager)
    page = client.get(f"/coaching/sessions/{session.pk}/").content.decode()  # the page shows the stored one
    assert "Stored when the session was marked held" in page
    assert "1,000" in page and "99,999" not in page  # the amount when it was held, not the edited one


def test_a_session_no_longer_held_drops_its_stored_agenda(cworld):
    session = cworld.held["rep"]
    assert FrozenAgenda.objects.filter(session=session).exists()
    services.session_update(session=session, status=SessionStatus.CANCELLED)
    assert not FrozenAgenda.objects.filter(session=session).exists()
    assert agenda.agenda_data(session)["frozen_at"] is None


def test_held_sessions_without_a_stored_agenda_get_one(cworld):
    FrozenAgenda.objects.all().delete()
    assert agenda.freeze_missing() == 3
    assert agenda.freeze_missing() == 0
