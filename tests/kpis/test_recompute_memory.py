"""A full recompute gives its transaction enough sort and hash memory (PostgreSQL work_mem),
and only its transaction."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kpis.models import KpiDay
from kpis.services import kpi_recompute
from reps.models import Activity

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="work_mem is PostgreSQL's"),
]


def test_the_recompute_sets_work_mem_for_its_own_transaction_only(rep, settings):
    settings.KPI_RECOMPUTE_WORK_MEM_MB = 48
    Activity.objects.create(owner=rep, kind="call", status="done", done_at=timezone.now() - dt.timedelta(days=1))
    with connection.cursor() as cursor:
        cursor.execute("SHOW work_mem")
        before = cursor.fetchone()[0]
    with CaptureQueriesContext(connection) as queries:
        kpi_recompute()
    assert "SET LOCAL work_mem = '48MB'" in [query["sql"] for query in queries.captured_queries]
    assert KpiDay.objects.filter(rep=rep, calls=1).exists()
    with connection.cursor() as cursor:
        cursor.execute("SHOW work_mem")
        assert cursor.fetchone()[0] == before  # SET LOCAL: gone with the transaction
