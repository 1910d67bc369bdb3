"""The KPI reads use a constant number of queries, whatever the number of reps and teams."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kpis import selectors
from kpis.models import Quota
from kpis.services import kpi_recompute
from tests.factories import RepFactory, TeamFactory, make_pipeline
from tests.kpis.kpi_helpers import d, opp

pytestmark = pytest.mark.django_db

START, END = d("2025-03-01"), d("2025-03-31")


def build(n_teams: int, reps_per_team: int, region) -> None:
    for t in range(n_teams):
        team = TeamFactory(parent=region, manager=None, name=f"{region.name} {t}")
        for _ in range(reps_per_team):
            rep = RepFactory(team=team)
            Quota.objects.create(rep=rep, start_date=START, end_date=END, target=Decimal("100.00"))
            opp(rep, "2025-03-03", stage_name="Won", amount="10.00")
            opp(rep, "2025-03-04", stage_name="Proposal", amount="5.00", expected_close_date=d("2025-03-20"))
    kpi_recompute()


def count_queries(**kwargs) -> int:
    with CaptureQueriesContext(connection) as queries:
        rows = selectors.kpi_table(start=START, end=END, today=d("2025-03-05"), **kwargs)
    assert rows
    return len(queries)


@pytest.mark.parametrize("group_by", ["rep", "team"])
def test_kpi_table_queries_do_not_grow_with_the_rows(admin_user, group_by):
    make_pipeline()
    small, large = TeamFactory(name="Small"), TeamFactory(name="Large")
    build(1, 3, small)
    few = count_queries(user=small.manager, group_by=group_by, team_id=small.pk)
    build(3, 3, large)
    many = count_queries(user=large.manager, group_by=group_by, team_id=large.pk)
    assert few == many
    # Both: the user's access (their rep profile and whether they manage a team, one short query;
    # then the managed teams' tree at once), the team tree;
    # rep: memberships (with their dates), reps, daily sums, won deals, quotas, pipeline (9);
    # team: visible teams, daily sums, won deals, memberships, quotas (own and members'), pipeline (9).
    assert many == {"rep": 9, "team": 9}[group_by]


def test_weekly_series_queries_are_constant(admin_user):
    make_pipeline()
    region = TeamFactory(name="Region")
    build(2, 3, region)
    with CaptureQueriesContext(connection) as queries:
        selectors.weekly_series(user=admin_user, team_id=region.pk, weeks=12, until=END)
    assert len(queries) <= 4  # team tree, weekly sums, won deals
