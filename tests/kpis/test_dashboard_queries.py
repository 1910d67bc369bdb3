"""The dashboard pages make as many queries for 30 reps as for 3."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kpis.models import Quota
from kpis.services import kpi_recompute
from tests.factories import RepFactory, TeamFactory, UserFactory, make_pipeline
from tests.kpis.kpi_helpers import d, done, opp

pytestmark = pytest.mark.django_db

MARCH = {"period": "month", "start": "2025-03-01"}


def team_of(size: int, name: str):
    team = TeamFactory(name=name, manager=UserFactory(username=f"boss-{name}"))
    for _ in range(size):
        rep = RepFactory(team=team)
        Quota.objects.create(rep=rep, start_date=d("2025-03-01"), end_date=d("2025-03-31"), target=Decimal("100.00"))
        opp(rep, "2025-03-03", stage_name="Won", amount="10.00")
        opp(rep, "2025-03-04", stage_name="Proposal", amount="5.00", expected_close_date=d("2025-03-20"))
        done(rep, "discovery_meeting", "2025-03-05")
    return team


def count(client, user, url, params) -> tuple[int, list[str]]:
    client.force_login(user)
    client.get(url, params)  # warm up (content types, translations)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries), [q["sql"] for q in queries.captured_queries]


@pytest.fixture
def small_and_large(db):
    make_pipeline()
    small, large = team_of(3, "small"), team_of(30, "large")
    kpi_recompute()
    return small, large


@pytest.mark.parametrize("url", ["/dashboard/", "/team-meeting/", "/leaderboard/"])
def test_team_pages_make_the_same_number_of_queries_for_3_and_30_reps(client, small_and_large, url):
    small, large = small_and_large
    few, _ = count(client, small.manager, url, {"team": small.pk, **MARCH})
    many, _ = count(client, large.manager, url, {"team": large.pk, **MARCH})
    assert few == many


def test_rep_page_makes_the_same_number_of_queries_whatever_the_team_size(client, small_and_large):
    small, large = small_and_large
    few, _ = count(client, small.manager, f"/dashboard/reps/{small.reps.first().pk}/", MARCH)
    many, _ = count(client, large.manager, f"/dashboard/reps/{large.reps.first().pk}/", MARCH)
    assert few == many


def test_dashboard_query_budget(client, small_and_large):
    _small, large = small_and_large
    queries, sql = count(client, large.manager, "/dashboard/", {"team": large.pk, **MARCH})
    # session, user, managed teams (2: the manager's teams, then their sub-teams), the user's rep
    # profile, the team picker; the KPI engine's rep table (team tree, reps, daily sums, won-deal
    # cycles, memberships, quotas, open pipeline), its team row for the totals (team tree,
    # visible teams, daily sums, cycles, own quota, memberships, member quotas, open pipeline),
    # its 12-week series (team tree, weekly sums, cycles); our pipeline snapshot; last computed.
    assert queries <= 26, "\n".join(sql)
