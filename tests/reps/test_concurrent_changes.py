"""Simultaneous changes of one opportunity (real threads, one connection each, PostgreSQL):
the services lock the row, so the history read in time order is one chain."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable

import pytest
from django.db import connection

from reps import services
from reps.models import Opportunity, OpportunityOwnerChange, OpportunityStageChange, StageKind
from tests.factories import RepFactory, TeamFactory, make_pipeline

THREADS = 20


@pytest.fixture
def postgresql(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite has no row locks and lets one writer at a time (set DATABASE_URL)")


def run_at_once(work: Callable[[int], None]) -> list[BaseException]:
    """Run ``work(i)`` for i in 0..THREADS-1, each in its own thread (and connection), all
    released at the same moment. Returns the errors raised."""
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def target(i: int) -> None:
        try:
            barrier.wait()
            work(i)
        except BaseException as error:  # reported by the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_twenty_simultaneous_moves_leave_one_stage_chain(postgresql):
    pipeline = make_pipeline()
    deal = services.opportunity_create(owner=RepFactory(), name="Contested", pipeline=pipeline)
    stages = list(pipeline.stages.filter(kind=StageKind.OPEN).order_by("order"))
    # Each thread holds the deal as it was read before the others moved it.
    copies = [Opportunity.objects.get(pk=deal.pk) for _ in range(THREADS)]

    # Every other thread to Prospecting, the others to one of the later open stages.
    targets = [stages[0] if i % 2 else stages[1 + i % (len(stages) - 1)] for i in range(THREADS)]

    errors = run_at_once(lambda i: services.opportunity_move(opportunity=copies[i], stage=targets[i]))

    assert errors == []
    history = list(OpportunityStageChange.objects.filter(opportunity=deal).order_by("changed_at", "pk"))
    assert len(history) > 2
    assert history[0].from_stage_id is None
    for previous, change in itertools.pairwise(history):
        assert change.from_stage_id == previous.to_stage_id != change.to_stage_id
        assert change.changed_at >= previous.changed_at
    deal.refresh_from_db()
    assert (deal.stage_id, deal.stage_changed_at) == (history[-1].to_stage_id, history[-1].changed_at)


def test_twenty_simultaneous_reassignments_leave_one_owner_chain(postgresql):
    team = TeamFactory()
    reps = [RepFactory(team=team) for _ in range(4)]
    make_pipeline()
    deal = services.opportunity_create(owner=reps[0], name="Contested")
    copies = [Opportunity.objects.get(pk=deal.pk) for _ in range(THREADS)]

    errors = run_at_once(lambda i: services.opportunity_reassign(opportunity=copies[i], owner=reps[(i % 3) + 1]))

    assert errors == []
    history = list(OpportunityOwnerChange.objects.filter(opportunity=deal).order_by("changed_at", "pk"))
    assert len(history) > 1
    for previous, change in itertools.pairwise(history):
        assert change.from_owner_id == previous.to_owner_id != change.to_owner_id
    deal.refresh_from_db()
    assert deal.owner_id == history[-1].to_owner_id
