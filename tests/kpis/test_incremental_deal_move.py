"""The incremental recompute of a reassigned deal's move, among other deals of the same days and
owners, stores the rows a full recompute stores (the owner history is read by deal, not whole)."""

from __future__ import annotations

import pytest

from kpis import sql
from kpis.models import KpiDay, KpiWonCycle
from kpis.services import _co_owners, kpi_recompute
from reps import services
from reps.models import OpportunityOwnerChange
from tests.factories import RepFactory, TeamFactory
from tests.kpis.kpi_helpers import at, move, opp

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def budapest(settings):
    settings.TIME_ZONE = "Europe/Budapest"


def stored_rows() -> tuple[list[dict], list[tuple]]:
    days = list(KpiDay.objects.order_by("rep", "day").values("rep", "day", *sql.COUNT_COLUMNS))
    cycles = list(KpiWonCycle.objects.order_by("rep", "day", "cycle_days").values_list("rep", "day", "cycle_days", "deals"))
    return days, cycles


def test_moving_a_reassigned_deal_rewrites_the_rows_a_full_recompute_writes(django_capture_on_commit_callbacks):
    team = TeamFactory()
    alice, bob, carol, dan = (RepFactory(team=team) for _ in range(4))
    with django_capture_on_commit_callbacks(execute=True):
        handed = opp(alice, "2025-03-03", amount="700.00")  # Alice's, Bob's from Tuesday 16:00
        services.opportunity_reassign(opportunity=handed, owner=bob, at=at("2025-03-04", 16))
        move(handed, "Proposal", "2025-03-04")  # the offer at 10:00: still Alice's
        twice = opp(carol, "2025-03-03", amount="300.00")  # Carol → Alice → Bob
        services.opportunity_reassign(opportunity=twice, owner=alice, at=at("2025-03-04", 9))
        services.opportunity_reassign(opportunity=twice, owner=bob, at=at("2025-03-06", 9))
        move(twice, "Won", "2025-03-05")  # Alice's win
        for rep in (alice, bob, carol, dan):  # other deals of the same days, one never handed over
            move(opp(rep, "2025-03-03", amount="100.00"), "Won", "2025-03-06")
    kpi_recompute()
    before = stored_rows()
    with django_capture_on_commit_callbacks(execute=True):
        move(handed, "Won", "2025-03-06")  # Bob's win; the offer stays Alice's
    incremental = stored_rows()
    assert incremental != before
    kpi_recompute()
    assert stored_rows() == incremental
    won_on_the_6th = {r["rep"]: r["deals_won"] for r in incremental[0] if str(r["day"]) == "2025-03-06"}
    assert won_on_the_6th == {alice.pk: 1, bob.pk: 2, carol.pk: 1, dan.pk: 1}


def test_co_owners_are_every_owner_of_the_deals_the_reps_had(django_capture_on_commit_callbacks):
    team = TeamFactory()
    alice, bob, carol, dan = (RepFactory(team=team) for _ in range(4))
    deal = opp(alice, "2025-03-03")
    services.opportunity_reassign(opportunity=deal, owner=bob, at=at("2025-03-04"))
    services.opportunity_reassign(opportunity=opp(carol, "2025-03-03"), owner=dan, at=at("2025-03-04"))
    expected = set(
        OpportunityOwnerChange.objects.filter(opportunity=deal).values_list("to_owner_id", flat=True)
    )  # by the ORM, whatever the database
    assert _co_owners([bob.pk]) == expected == {alice.pk, bob.pk}
    assert _co_owners([carol.pk]) == {carol.pk, dan.pk}
    assert _co_owners([alice.pk, dan.pk]) == {alice.pk, bob.pk, carol.pk, dan.pk}
