"""reps.services keeps the stage and owner history and the offer and close dates."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from reps import services
from reps.models import TeamMembership
from tests.factories import RepFactory, TeamFactory, stage

pytestmark = pytest.mark.django_db

MONDAY_10 = dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)


def test_creating_an_opportunity_records_its_first_stage_and_owner(rep, pipeline):
    deal = services.opportunity_create(owner=rep, name="Deal", amount=Decimal("100"), at=MONDAY_10)
    assert deal.stage.name == "Prospecting"
    assert [(c.from_stage, c.to_stage.name) for c in deal.stage_changes.all()] == [(None, "Prospecting")]
    assert [(c.from_owner, c.to_owner) for c in deal.owner_changes.all()] == [(None, rep)]
    assert deal.offer_date is None and deal.close_date is None


def test_created_in_the_offer_stage_it_reaches_the_offer_on_its_creation_date(rep, pipeline):
    deal = services.opportunity_create(owner=rep, name="D", stage=stage(pipeline, "Proposal"), at=MONDAY_10)
    assert deal.offer_date == dt.date(2026, 3, 2)


def test_moving_records_history_sets_offer_once_and_close_date_and_reopen_clears_it(rep, pipeline):
    deal = services.opportunity_create(owner=rep, name="D", at=MONDAY_10)
    services.opportunity_move(opportunity=deal, stage=stage(pipeline, "Negotiation"), at=MONDAY_10 + dt.timedelta(days=3))
    assert deal.offer_date == dt.date(2026, 3, 5)  # a later open stage counts as reaching the offer
    services.opportunity_move(opportunity=deal, stage=stage(pipeline, "Won"), at=MONDAY_10 + dt.timedelta(days=7))
    assert deal.close_date == dt.date(2026, 3, 9)
    services.opportunity_move(opportunity=deal, stage=stage(pipeline, "Discovery"), at=MONDAY_10 + dt.timedelta(days=8))
    assert deal.close_date is None
    assert deal.offer_date == dt.date(2026, 3, 5)  # the first time counts
    assert [c.to_stage.name for c in deal.stage_changes.all()] == ["Prospecting", "Negotiation", "Won", "Discovery"]


def test_a_lost_deal_needs_a_reason(rep, pipeline):
    deal = services.opportunity_create(owner=rep, name="D", at=MONDAY_10)
    with pytest.raises(ValidationError) as error:
        services.opportunity_move(opportunity=deal, stage=stage(pipeline, "Lost"))
    assert "lost_reason" in error.value.message_dict
    services.opportunity_move(opportunity=deal, stage=stage(pipeline, "Lost"), lost_reason="Price")
    assert deal.lost_reason == "Price" and deal.close_date is not None


def test_reassigning_records_the_owner_history(rep, pipeline, manager):
    teammate = RepFactory(team=rep.team)
    deal = services.opportunity_create(owner=rep, name="D", at=MONDAY_10)
    services.opportunity_reassign(opportunity=deal, owner=teammate, by_user=manager, at=MONDAY_10 + dt.timedelta(days=1))
    history = [(c.from_owner, c.to_owner, c.changed_by) for c in deal.owner_changes.all()]
    assert history == [(None, rep, None), (rep, teammate, manager)]


def test_a_stage_of_another_pipeline_is_refused(rep, pipeline):
    from tests.factories import make_pipeline

    other = make_pipeline("Other", is_default=False)
    deal = services.opportunity_create(owner=rep, name="D")
    with pytest.raises(ValidationError):
        services.opportunity_move(opportunity=deal, stage=stage(other, "Won"))


def test_moving_a_rep_closes_the_old_membership(rep):
    old_team_id, new_team = rep.team_id, TeamFactory()
    services.rep_move_team(rep=rep, team=new_team, on_date=dt.date(2026, 6, 1))
    memberships = list(TeamMembership.objects.filter(rep=rep).values_list("team", "start_date", "end_date"))
    assert memberships == [
        (old_team_id, dt.date(2024, 1, 1), dt.date(2026, 5, 31)),
        (new_team.pk, dt.date(2026, 6, 1), None),
    ]
    rep.refresh_from_db()
    assert rep.team == new_team


def test_pipeline_needs_exactly_one_offer_stage():
    with pytest.raises(ValidationError):
        services.pipeline_create(
            name="No offer",
            stages=[
                {"name": "Open", "probability": 10},
                {"name": "Won", "probability": 100, "kind": "won"},
                {"name": "Lost", "probability": 0, "kind": "lost"},
            ],
        )


def test_an_activity_needs_a_day_and_done_gets_a_time(rep):
    with pytest.raises(ValidationError):
        services.activity_create(owner=rep, kind="call")
    done = services.activity_create(owner=rep, kind="call", status="done")
    assert done.done_at is not None
    planned = services.activity_create(owner=rep, kind="email", planned_date=dt.date(2026, 3, 3))
    services.activity_mark_done(activity=planned)
    assert planned.status == "done" and planned.done_at is not None
