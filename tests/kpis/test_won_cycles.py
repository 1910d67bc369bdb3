"""The stored won-deal cycle counts (KpiWonCycle): written by the recompute command, and filled
for existing data by the migration that adds them."""

from __future__ import annotations

import importlib
from io import StringIO
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from kpis.models import KpiWonCycle
from kpis.services import kpi_recompute
from tests.kpis.kpi_helpers import move, opp

pytestmark = pytest.mark.django_db


@pytest.fixture
def won_deals(rep):
    first = opp(rep, "2025-03-03", stage_name="Proposal", amount="100.00")
    move(first, "Won", "2025-03-13")  # 10 days
    second = opp(rep, "2025-03-05", stage_name="Proposal", amount="50.00")
    move(second, "Won", "2025-03-13")  # 8 days
    kpi_recompute()
    return rep


def stored(rep) -> list[tuple]:
    return sorted(KpiWonCycle.objects.filter(rep=rep).values_list("day__day", "cycle_days", "deals"))


def test_the_recompute_command_writes_the_cycle_counts(won_deals):
    KpiWonCycle.objects.all().delete()
    call_command("recompute_kpis", "--no-progress", stdout=StringIO())
    assert stored(won_deals) == [(13, 8, 1), (13, 10, 1)]


def test_the_migration_fills_the_counts_for_existing_data(won_deals):
    expected = stored(won_deals)
    KpiWonCycle.objects.all().delete()
    migration = importlib.import_module("kpis.migrations.0003_kpi_won_cycles")
    # The step reads only the editor's connection (a real schema editor cannot open in a test transaction on SQLite).
    migration.backfill(apps, SimpleNamespace(connection=connection))
    assert stored(won_deals) == expected == [(13, 8, 1), (13, 10, 1)]
