"""Moving deals from the board: every card's one-line form works without JavaScript, and a move
to won or lost from it asks for the close date (and a loss's reason) before writing anything."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from reps.models import OpportunityStageChange

pytestmark = pytest.mark.django_db


def _stage(world, name):
    return world.pipeline.stages.get(name=name)


def _move(client, deal, stage, **data):
    return client.post(reverse("opportunity_move", args=[deal.pk]), {"stage": stage.pk, "ask_close": "1", **data})


def test_a_card_moved_to_won_asks_for_the_close_date_first(client, world):
    client.force_login(world.rep.user)
    deal = world.opportunities["rep"]
    response = _move(client, deal, _stage(world, "Won"), next="/opportunities/board/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "give the close date" in page
    assert 'name="close_date"' in page and timezone.localdate().isoformat() in page  # today, to change
    assert 'value="/opportunities/board/"' in page  # back to the board afterwards
    deal.refresh_from_db()
    assert (
        deal.stage == _stage(world, "Prospecting")
        and not OpportunityStageChange.objects.filter(opportunity=deal, to_stage__name="Won").exists()
    )

    response = _move(client, deal, _stage(world, "Won"), close_date="2026-01-12", next="/opportunities/board/")
    assert response.status_code == 302 and response["Location"] == "/opportunities/board/"
    deal.refresh_from_db()
    assert (deal.stage.name, deal.close_date) == ("Won", dt.date(2026, 1, 12))


def test_a_card_moved_to_lost_asks_for_the_date_and_the_reason(client, world):
    client.force_login(world.rep.user)
    deal = world.opportunities["rep"]
    page = _move(client, deal, _stage(world, "Lost")).content.decode()
    assert "say why the deal was lost" in page and 'name="lost_reason"' in page
    response = _move(client, deal, _stage(world, "Lost"), close_date="2026-01-12", lost_reason="")
    assert response.status_code == 400
    assert "lost_reason" in response.context["form"].errors
    assert _move(client, deal, _stage(world, "Lost"), close_date="2026-01-12", lost_reason="Price").status_code == 302
    deal.refresh_from_db()
    assert (deal.stage.name, deal.close_date, deal.lost_reason) == ("Lost", dt.date(2026, 1, 12), "Price")


def test_a_card_moved_to_an_open_stage_moves_at_once(client, world):
    client.force_login(world.rep.user)
    deal = world.opportunities["rep"]
    assert _move(client, deal, _stage(world, "Proposal")).status_code == 302
    deal.refresh_from_db()
    assert deal.stage.name == "Proposal"


@pytest.mark.parametrize(("who", "status"), [("manager", 403), ("other_rep", 404), ("nobody", 404), ("admin", 200)])
def test_who_may_be_asked_to_close_a_deal_from_the_board(client, world, who, status):
    user = {"manager": world.manager, "other_rep": world.other_rep.user, "nobody": world.nobody, "admin": world.admin}[who]
    client.force_login(user)
    assert _move(client, world.opportunities["rep"], _stage(world, "Won")).status_code == status


def test_anonymous_is_sent_to_log_in(client, world):
    response = _move(client, world.opportunities["rep"], _stage(world, "Won"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_board_offers_dragging_to_those_who_may_move(client, world):
    client.force_login(world.rep.user)
    page = client.get(reverse("opportunity_board")).content.decode()
    assert 'draggable="true"' in page and "js/board.js" in page and 'id="close-dialog"' in page
    assert f'{reverse("rep_detail", args=[world.rep.pk])}">Rita Rep<' not in page  # a rep's own cards name no owner
    client.force_login(world.manager)
    page = client.get(reverse("opportunity_board")).content.decode()
    assert 'draggable="true"' not in page and "js/board.js" not in page and "Drag a card" not in page
    assert f'<a href="{reverse("rep_detail", args=[world.rep.pk])}">Rita Rep</a>' in page  # the owner links to their page
