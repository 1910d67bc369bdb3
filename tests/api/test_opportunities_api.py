"""The opportunities endpoint: CRUD, filters, ordering, the move action, reassignment, bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from reps.models import OpportunityOwnerChange, OpportunityStageChange

pytestmark = pytest.mark.django_db

URL = "/api/v1/opportunities/"


def _stage(world, name):
    return world.pipeline.stages.get(name=name)


def test_it_creates_a_deal_in_the_first_stage_for_the_rep(api, world):
    api.force_authenticate(world.rep.user)
    response = api.post(URL, {"name": "Fleet renewal", "amount": "1200.50", "account": world.accounts["rep"].pk}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["owner"] == world.rep.pk
    assert body["stage"] == _stage(world, "Prospecting").pk
    assert body["amount"] == "1200.50"
    assert body["close_date"] is None


def test_it_reads_updates_and_deletes_a_deal(api, world):
    api.force_authenticate(world.rep.user)
    deal = world.opportunities["rep"]
    assert api.get(f"{URL}{deal.pk}/").json()["name"] == "Deal of rep"
    response = api.patch(f"{URL}{deal.pk}/", {"next_step": "Call the CFO", "expected_close_date": "2030-01-31"}, format="json")
    assert response.status_code == 200
    assert response.json()["next_step"] == "Call the CFO"
    assert api.delete(f"{URL}{deal.pk}/").status_code == 204
    assert api.get(f"{URL}{deal.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "X", "amount": "abc"}, "amount"),
        ({"name": "X", "amount": "-5"}, "amount"),
        ({"name": "X", "expected_close_date": "31/12/2030"}, "expected_close_date"),
        ({"name": "X", "stage": 999999}, "stage"),
        ({"name": "X", "account": "first"}, "account"),
    ],
)
def test_bad_input_answers_with_the_field(api, world, payload, field):
    api.force_authenticate(world.rep.user)
    response = api.post(URL, payload, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_a_lost_deal_needs_a_reason_on_creation(api, world):
    api.force_authenticate(world.rep.user)
    response = api.post(URL, {"name": "X", "stage": _stage(world, "Lost").pk}, format="json")
    assert response.status_code == 400
    assert "lost_reason" in response.json()


def test_it_filters_by_state_stage_account_and_expected_close(api, world):
    api.force_authenticate(world.admin)
    won = _stage(world, "Won")
    api.post(f"{URL}{world.opportunities['teammate'].pk}/move/", {"stage": won.pk}, format="json")

    def ids(**params):
        return {row["id"] for row in api.get(URL, params).json()["results"]}

    deals = world.opportunities
    assert ids(state="open") == {deals["rep"].pk, deals["other_rep"].pk}
    assert ids(state="closed") == {deals["teammate"].pk}
    assert ids(stage=won.pk) == {deals["teammate"].pk}
    assert ids(account=world.accounts["rep"].pk) == {deals["rep"].pk}
    soon = (timezone.localdate() + dt.timedelta(days=25)).isoformat()
    assert ids(expected_close_before=soon) == {d.pk for d in deals.values()}
    assert ids(expected_close_after=soon) == set()
    assert api.get(URL, {"state": "sideways"}).status_code == 400


def test_it_orders_and_paginates(api, world):
    api.force_authenticate(world.admin)
    api.patch(f"{URL}{world.opportunities['rep'].pk}/", {"amount": "5.00"}, format="json")
    body = api.get(URL, {"ordering": "amount", "page_size": 2}).json()
    assert body["count"] == 3
    assert len(body["results"]) == 2
    assert body["results"][0]["id"] == world.opportunities["rep"].pk
    assert body["next"]


def test_move_to_won_sets_the_close_date_and_records_history(api, world):
    api.force_authenticate(world.rep.user)
    deal = world.opportunities["rep"]
    response = api.post(f"{URL}{deal.pk}/move/", {"stage": _stage(world, "Won").pk}, format="json")
    assert response.status_code == 200
    assert response.json()["close_date"] == timezone.localdate().isoformat()
    assert response.json()["offer_date"] == timezone.localdate().isoformat()
    assert OpportunityStageChange.objects.filter(opportunity=deal).count() == 2


def test_move_to_lost_needs_a_reason_and_takes_a_close_date(api, world):
    api.force_authenticate(world.rep.user)
    deal = world.opportunities["rep"]
    lost = _stage(world, "Lost").pk
    response = api.post(f"{URL}{deal.pk}/move/", {"stage": lost}, format="json")
    assert response.status_code == 400
    assert "lost_reason" in response.json()
    response = api.post(
        f"{URL}{deal.pk}/move/", {"stage": lost, "lost_reason": "Price", "close_date": "2026-01-15"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["close_date"] == "2026-01-15"
    assert response.json()["lost_reason"] == "Price"


def test_the_close_date_stays_editable_and_reopening_clears_it(api, world):
    api.force_authenticate(world.rep.user)
    deal = world.opportunities["rep"]
    api.post(f"{URL}{deal.pk}/move/", {"stage": _stage(world, "Won").pk}, format="json")
    response = api.patch(f"{URL}{deal.pk}/", {"close_date": "2026-02-01"}, format="json")
    assert response.status_code == 200
    assert response.json()["close_date"] == "2026-02-01"
    response = api.post(f"{URL}{deal.pk}/move/", {"stage": _stage(world, "Negotiation").pk}, format="json")
    assert response.json()["close_date"] is None


def test_move_rejects_a_stage_of_another_pipeline_and_stage_patches(api, world):
    from tests.factories import make_pipeline

    other = make_pipeline("Other", is_default=False)
    api.force_authenticate(world.rep.user)
    deal = world.opportunities["rep"]
    response = api.post(f"{URL}{deal.pk}/move/", {"stage": other.stages.first().pk}, format="json")
    assert response.status_code == 400
    assert "stage" in response.json()
    response = api.patch(f"{URL}{deal.pk}/", {"stage": _stage(world, "Won").pk}, format="json")
    assert response.status_code == 400
    assert "stage" in response.json()


def test_a_manager_reassigns_within_their_teams_only(api, world):
    api.force_authenticate(world.manager)
    deal = world.opportunities["rep"]
    response = api.patch(f"{URL}{deal.pk}/", {"owner": world.teammate.pk}, format="json")
    assert response.status_code == 200
    assert response.json()["owner"] == world.teammate.pk
    assert OpportunityOwnerChange.objects.filter(opportunity=deal, to_owner=world.teammate).exists()
    response = api.patch(f"{URL}{deal.pk}/", {"owner": world.other_rep.pk}, format="json")
    assert response.status_code == 400
    assert "owner" in response.json()
