"""Fixtures shared by the KPI tests."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kpis.models import Quota, QuotaMetric
from reps.models import ActivityKind
from tests.factories import make_pipeline
from tests.kpis.kpi_helpers import d, done, opp

MARCH = (d("2025-03-01"), d("2025-03-31"))


@pytest.fixture
def counted_march(rep, django_capture_on_commit_callbacks):
    """A rep's March: 2 deals won (each reaching the offer when won), 2 more offers, 3 calls
    and an email done; quotas of 4 deals, 5 offers, 3 calls, and 1000.00 of revenue (none of
    another kind: an email quota is not a call quota)."""
    make_pipeline()
    march = {"start_date": MARCH[0], "end_date": MARCH[1]}
    Quota.objects.create(rep=rep, metric=QuotaMetric.DEALS_WON, target=Decimal("4"), **march)
    Quota.objects.create(rep=rep, metric=QuotaMetric.OFFERS_SUBMITTED, target=Decimal("5"), **march)
    Quota.objects.create(rep=rep, metric=QuotaMetric.ACTIVITIES, activity_kind=ActivityKind.CALL, target=Decimal("3"), **march)
    Quota.objects.create(rep=rep, metric=QuotaMetric.ACTIVITIES, activity_kind=ActivityKind.EMAIL, target=Decimal("9"), **march)
    Quota.objects.create(rep=rep, target=Decimal("1000.00"), **march)
    with django_capture_on_commit_callbacks(execute=True):
        opp(rep, "2025-03-03", stage_name="Won", amount="300.00")
        opp(rep, "2025-03-04", stage_name="Won", amount="200.00")
        opp(rep, "2025-03-05", stage_name="Proposal", amount="50.00")
        opp(rep, "2025-03-06", stage_name="Proposal", amount="60.00")
        for day in ("2025-03-10", "2025-03-11", "2025-03-12"):
            done(rep, ActivityKind.CALL, day)
        done(rep, ActivityKind.EMAIL, "2025-03-12")
        done(rep, ActivityKind.CALL, "2025-04-01")  # April: not March's
    return rep
