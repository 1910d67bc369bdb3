"""The dashboard pages make as many queries for 30 reps as for 3."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kpis.models import Quota
from kpis.services import kpi_recompute
from reps.models import Activity, Opportunity, OpportunityStageChange, Rep, Team, TeamMembership
from tests.factories import TeamFactory, UserFactory, make_pipeline, stage
from tests.kpis.kpi_helpers import at, d

pytestmark = pytest.mark.django_db

MARCH = {"period": "month", "start": "2025-03-01"}


def team_of(size: int, name: str) -> Team:
    """A team of ``size`` reps, each with a March quota, a won deal, an open offer and a
    discovery meeting; written in bulk (a handful of inserts whatever the size) so the test
    stays fast, then recomputed once by the caller."""
    team = TeamFactory(name=name, manager=UserFactory(username=f"boss-{name}"))
    users = User.objects.bulk_create(User(username=f"{name}-rep{i}", first_name=name, last_name=f"Rep {i}") for i in range(size))
    reps = Rep.objects.bulk_create(Rep(user=user, team=team, start_date=d("2024-01-01")) for user in users)
    TeamMembership.objects.bulk_create(TeamMembership(rep=rep, team=team, start_date=rep.start_date) for rep in reps)
    Quota.objects.bulk_create(
        Quota(rep=rep, start_date=d("2025-03-01"), end_date=d("2025-03-31"), target=Decimal("100.00")) for rep in reps
    )
    pipeline = make_pipeline()
    won, proposal = stage(pipeline, "Won"), stage(pipeline, "Proposal")
    deals = []
    for rep in reps:
        deals.append(
            Opportunity(
                name="won",
                owner=rep,
                pipeline=pipeline,
                stage=won,
                amount=Decimal("10.00"),
                created_date=d("2025-03-03"),
                offer_date=d("2025-03-03"),
                close_date=d("2025-03-03"),
                stage_changed_at=at("2025-03-03"),
            )
        )
        deals.append(
            Opportunity(
                name="offer",
                owner=rep,
                pipeline=pipeline,
                stage=proposal,
                amount=Decimal("5.00"),
                created_date=d("2025-03-04"),
                offer_date=d("2025-03-04"),
                expected_close_date=d("2025-03-20"),
                stage_changed_at=at("2025-03-04"),
                next_step="call",
                next_step_date=d("2025-03-10"),
            )
        )
    deals = Opportunity.objects.bulk_create(deals)
    OpportunityStageChange.objects.bulk_create(
        OpportunityStageChange(opportunity=deal, to_stage_id=deal.stage_id, changed_at=deal.stage_changed_at) for deal in deals
    )
    Activity.objects.bulk_create(
        Activity(owner=rep, kind="discovery_meeting", status="done", done_at=at("2025-03-05"), planned_date=d("2025-03-05"))
        for rep in reps
    )
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


@pytest.mark.parametrize(
    "today",
    [
        pytest.param("2025-04-07", id="past-month"),
        pytest.param("2025-03-14", id="running-month"),  # the open pipeline is read too
    ],
)
def test_dashboard_query_budget(client, small_and_large, today, monkeypatch):
    _small, large = small_and_large
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: d(today))
    client.force_login(large.manager)
    page = client.get("/dashboard/", {"team": large.pk, **MARCH}).content.decode()
    assert "300.00" in page  # 30 × 10.00 won
    queries, sql = count(client, large.manager, "/dashboard/", {"team": large.pk, **MARCH})
    # session, user (2); the teams the manager manages (1); the team picker (1); the KPI
    # engine's team overview: the user's rep profile, memberships, reps, daily sums, won-deal
    # cycles, quotas, weekly sums (7), and the open pipeline while the period runs (1); our
    # pipeline snapshot (1).
    assert queries <= 15, "\n".join(sql)


@pytest.mark.parametrize(
    "metric",
    [{"metric": "deals_won"}, {"metric": "activities", "activity_kind": "discovery_meeting"}],
    ids=["deals_won", "activities"],
)
@pytest.mark.parametrize("url", ["/dashboard/", "/leaderboard/"])
def test_every_metric_keeps_the_query_count_flat(client, small_and_large, url, metric):
    small, large = small_and_large
    few, _ = count(client, small.manager, url, {"team": small.pk, **MARCH, **metric})
    many, sql = count(client, large.manager, url, {"team": large.pk, **MARCH, **metric})
    assert few == many
    assert many <= 15, "\n".join(sql)
