"""The instants of an opportunity's events (created_at, offer_at, closed_at): set by the
services, filled from the stage history for rows written in bulk, and never on another local
date than the event's."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.utils import timezone

from reps import services
from reps.models import Opportunity
from tests.factories import make_pipeline, stage
from tests.kpis.kpi_helpers import at, d, move, opp

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def budapest(settings):
    settings.TIME_ZONE = "Europe/Budapest"


def instants(*deals: Opportunity) -> list[tuple]:
    return list(
        Opportunity.objects.filter(pk__in=[o.pk for o in deals]).order_by("pk").values_list("created_at", "offer_at", "closed_at")
    )


def test_the_migration_fills_the_instants_from_the_stage_history(rep):
    pipeline = make_pipeline()
    plain = opp(rep, "2025-03-03")  # Monday 10:00
    # Tuesday 00:30 in Budapest (Monday 23:30 UTC): still the offer date, Tuesday.
    services.opportunity_move(opportunity=plain, stage=stage(pipeline, "Proposal"), at=at("2025-03-04", 0, 30))
    move(plain, "Won", "2025-03-06")
    backdated = opp(rep, "2025-03-03")
    move(backdated, "Won", "2025-03-06", close_date=d("2025-03-05"))  # the close (and offer) has no instant
    edited = opp(rep, "2025-03-03")
    services.opportunity_update(opportunity=edited, created_date=d("2025-03-02"))  # the creation has none
    expected = [
        (at("2025-03-03"), at("2025-03-04", 0, 30), at("2025-03-06")),
        (at("2025-03-03"), None, None),
        (None, None, None),
    ]
    assert instants(plain, backdated, edited) == expected
    Opportunity.objects.update(created_at=None, offer_at=None, closed_at=None)

    migration = importlib.import_module("reps.migrations.0004_opportunity_event_instants")
    migration.backfill(apps, None)

    assert instants(plain, backdated, edited) == expected


def test_a_reopened_deal_has_no_close_instant_and_keeps_its_offer(rep):
    deal = opp(rep, "2025-03-03")
    move(deal, "Won", "2025-03-04")
    move(deal, "Negotiation", "2025-03-05")
    deal.refresh_from_db()
    assert (deal.offer_date, deal.offer_at, deal.close_date, deal.closed_at) == (d("2025-03-04"), at("2025-03-04"), None, None)


def test_a_stored_instant_is_always_on_its_date(rep):
    deal = opp(rep, "2025-03-03", stage_name="Proposal")
    move(deal, "Won", "2025-03-04")
    services.opportunity_update(opportunity=deal, created_date=d("2025-03-01"), close_date=d("2025-03-10"))
    deal.refresh_from_db()
    events = [(deal.created_date, deal.created_at), (deal.offer_date, deal.offer_at), (deal.close_date, deal.closed_at)]
    for day, instant in events:
        assert instant is None or timezone.localdate(instant) == day
    # Created in the offer stage: it reached the offer on its (new) creation date, by date only.
    assert (deal.created_at, deal.offer_date, deal.offer_at) == (None, d("2025-03-01"), None)
    services.opportunity_update(opportunity=deal, created_date=d("2025-03-03"))  # back: the instants return
    deal.refresh_from_db()
    assert (deal.created_at, deal.offer_date, deal.offer_at) == (at("2025-03-03"), d("2025-03-03"), at("2025-03-03"))
