"""Drill: 20 people write at the same moment; every record is kept and every count is exact."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from kpis import services as kpi_services
from kpis.models import KpiDay, PendingRecompute
from reps import services
from reps.models import Activity, Opportunity, StageKind
from tests.factories import RepFactory, TeamFactory, make_pipeline
from tests.faults.conftest import needs_postgres

pytestmark = pytest.mark.django_db(transaction=True)

WRITERS = 20
ACTIVITIES_EACH = 5


def test_twenty_concurrent_writers_give_exact_counts():
    needs_postgres()
    pipeline = make_pipeline()
    won = pipeline.stages.get(kind=StageKind.WON)
    team = TeamFactory()
    shared = RepFactory(team=team)  # everyone's deals end up credited here too
    writers = [RepFactory(team=team) for _ in range(WRITERS)]
    day = timezone.localdate() - dt.timedelta(days=1)
    done_at = timezone.make_aware(dt.datetime.combine(day, dt.time(11)))
    start = threading.Barrier(WRITERS)
    errors: list[BaseException] = []

    def write(rep) -> None:
        try:
            start.wait()
            for _ in range(ACTIVITIES_EACH):
                services.activity_create(owner=rep, kind="call", status="done", done_at=done_at)
                services.activity_create(owner=shared, kind="email", status="done", done_at=done_at)
            deal = services.opportunity_create(owner=rep, name=f"Deal of {rep.pk}", amount=Decimal("100.00"), created_date=day)
            services.opportunity_move(opportunity=deal, stage=won, close_date=day)
        except BaseException as exc:  # reported below, with the thread's traceback
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(rep,)) for rep in writers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors, errors
    assert not any(thread.is_alive() for thread in threads)

    assert Activity.objects.count() == 2 * WRITERS * ACTIVITIES_EACH
    assert Opportunity.objects.filter(stage=won).count() == WRITERS
    assert not PendingRecompute.objects.exists()  # every recompute ran (eager: at each commit)
    rows = {row.rep_id: row for row in KpiDay.objects.filter(day=day)}
    assert rows[shared.pk].contacts == WRITERS * ACTIVITIES_EACH
    for rep in writers:
        assert (rows[rep.pk].contacts, rows[rep.pk].deals_won, rows[rep.pk].won_revenue) == (
            ACTIVITIES_EACH,
            1,
            Decimal("100.00"),
        )
    # The incremental rows are exactly what a full recompute gives.
    before = sorted(KpiDay.objects.values_list("rep_id", "day", "contacts", "deals_won", "won_revenue"))
    kpi_services.kpi_recompute()
    assert sorted(KpiDay.objects.values_list("rep_id", "day", "contacts", "deals_won", "won_revenue")) == before
