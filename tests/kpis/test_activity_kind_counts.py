"""The done counts per activity kind of the daily rows (the actuals of quotas of one kind):
written by the recompute, and filled for existing data by the migration that adds them."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection

from kpis.models import KpiDay
from kpis.services import kpi_recompute
from reps.models import ActivityKind
from tests.kpis.kpi_helpers import done, planned

pytestmark = pytest.mark.django_db

KINDS = ("calls", "emails", "other_meetings", "tasks", "discovery_meetings", "proposal_meetings", "contacts")


@pytest.fixture
def week(rep):
    """On Tuesday 4 March: 2 calls, an email, an other meeting and a task done, a call only planned."""
    for kind in (ActivityKind.CALL, ActivityKind.CALL, ActivityKind.EMAIL, ActivityKind.OTHER_MEETING, ActivityKind.TASK):
        done(rep, kind, "2025-03-04")
    planned(rep, ActivityKind.CALL, "2025-03-04")
    kpi_recompute()
    return rep


def counts(rep) -> tuple:
    return KpiDay.objects.filter(rep=rep, day="2025-03-04").values_list(*KINDS).get()


def test_the_recompute_counts_the_done_activities_of_each_kind(week):
    # Contacts: calls, emails and meetings, not the task.
    assert counts(week) == (2, 1, 1, 1, 0, 0, 4)


def test_the_migration_fills_the_counts_for_existing_data(week):
    KpiDay.objects.update(calls=0, emails=0, other_meetings=0, tasks=0)
    migration = importlib.import_module("kpis.migrations.0004_kpiday_activity_kind_counts")
    migration.backfill(apps, SimpleNamespace(connection=connection))
    assert counts(week) == (2, 1, 1, 1, 0, 0, 4)
