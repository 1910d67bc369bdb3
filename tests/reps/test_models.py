"""Database constraints of the domain model: invalid rows are refused by the database itself."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from kpis.models import ActivityTarget, Quota, QuotaMetric
from reps.models import Activity, CustomerFeedback, Opportunity, Stage, StageKind, Team, TeamMembership
from tests.factories import AccountFactory, ProductFactory, RepFactory, TeamFactory

pytestmark = pytest.mark.django_db


def refused(make) -> bool:
    try:
        with transaction.atomic():
            make()
    except IntegrityError:
        return True
    return False


def test_a_pipeline_has_at_most_one_offer_stage(pipeline):
    assert refused(lambda: Stage.objects.create(pipeline=pipeline, name="Second offer", order=9, probability=60, is_offer=True))


def test_the_offer_stage_is_an_open_stage(pipeline):
    pipeline.stages.filter(is_offer=True).update(is_offer=False)
    assert refused(lambda: pipeline.stages.filter(kind=StageKind.WON).update(is_offer=True))


def test_stage_probability_is_at_most_100_and_orders_are_unique(pipeline):
    assert refused(lambda: Stage.objects.create(pipeline=pipeline, name="Odd", order=20, probability=101))
    assert refused(lambda: Stage.objects.create(pipeline=pipeline, name="Odd", order=1, probability=10))


def test_opportunity_amount_cannot_be_negative(rep, pipeline):
    stage = pipeline.stages.get(name="Prospecting")
    assert refused(lambda: Opportunity.objects.create(name="x", owner=rep, pipeline=pipeline, stage=stage, amount=Decimal("-1")))


def test_done_activities_have_a_done_time_and_others_do_not(rep):
    now = dt.datetime(2026, 1, 5, 10, tzinfo=dt.UTC)
    assert refused(lambda: Activity.objects.create(owner=rep, kind="call", status="done", planned_date=now.date()))
    assert refused(lambda: Activity.objects.create(owner=rep, kind="call", status="planned", done_at=now))
    assert refused(lambda: Activity.objects.create(owner=rep, kind="call", status="planned"))
    assert refused(lambda: Activity.objects.create(owner=rep, kind="dance", status="done", done_at=now))
    Activity.objects.create(owner=rep, kind="call", status="done", done_at=now)


def test_feedback_score_is_1_to_5_and_needs_a_score_or_a_complaint(rep):
    account = AccountFactory()
    assert refused(lambda: CustomerFeedback.objects.create(account=account, rep=rep, score=6))
    assert refused(lambda: CustomerFeedback.objects.create(account=account, rep=rep, score=0))
    assert refused(lambda: CustomerFeedback.objects.create(account=account, rep=rep))
    CustomerFeedback.objects.create(account=account, rep=rep, is_complaint=True)


def test_quota_belongs_to_exactly_one_rep_or_team(rep):
    period = {"start_date": dt.date(2026, 1, 1), "end_date": dt.date(2026, 3, 31), "target": Decimal("1000")}
    assert refused(lambda: Quota.objects.create(**period))
    assert refused(lambda: Quota.objects.create(rep=rep, team=rep.team, **period))
    Quota.objects.create(rep=rep, **period)
    assert refused(lambda: Quota.objects.create(rep=rep, **period))  # one per rep, metric and period


def test_quota_period_target_and_activity_kind_are_consistent(rep):
    base = {"rep": rep, "start_date": dt.date(2026, 1, 1), "end_date": dt.date(2026, 1, 31)}
    assert refused(lambda: Quota.objects.create(**{**base, "end_date": dt.date(2025, 12, 31)}, target=1))
    assert refused(lambda: Quota.objects.create(**base, target=0))
    assert refused(lambda: Quota.objects.create(**base, target=5, metric=QuotaMetric.ACTIVITIES))
    assert refused(lambda: Quota.objects.create(**base, target=5, activity_kind="call"))
    Quota.objects.create(**base, target=5, metric=QuotaMetric.ACTIVITIES, activity_kind="call")


def test_activity_target_belongs_to_exactly_one_rep_or_team(rep):
    assert refused(lambda: ActivityTarget.objects.create(kind="call", per_week=10, start_date=dt.date(2026, 1, 1)))
    ActivityTarget.objects.create(team=rep.team, kind="call", per_week=10, start_date=dt.date(2026, 1, 1))


def test_a_rep_has_one_open_membership_and_memberships_end_after_they_start(rep):
    assert refused(lambda: TeamMembership.objects.create(rep=rep, team=TeamFactory(), start_date=dt.date(2025, 1, 1)))
    assert refused(
        lambda: TeamMembership.objects.create(
            rep=rep, team=rep.team, start_date=dt.date(2020, 5, 1), end_date=dt.date(2020, 4, 1)
        )
    )


def test_a_team_is_not_its_own_parent(team):
    assert refused(lambda: Team.objects.filter(pk=team.pk).update(parent=team))


def test_product_price_is_not_negative():
    assert refused(lambda: ProductFactory(list_price=Decimal("-5")))


def test_external_ids_are_unique(rep):
    RepFactory(external_id="X1")
    assert refused(lambda: RepFactory(external_id="X1"))
