"""A region's dashboard: its reps a page at a time, every sub-team's subtotal, queries flat in its size."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kpis.services import kpi_recompute
from kpis.views import REGION_REPS_PER_PAGE
from reps.models import Team
from tests.factories import AdminFactory, TeamFactory, UserFactory, make_pipeline
from tests.kpis.test_dashboard_queries import MARCH, team_of

pytestmark = pytest.mark.django_db


def region_of(sizes: list[int], name: str) -> Team:
    """A region over teams of these sizes (each rep with a March quota and a won deal of 10.00)."""
    region = TeamFactory(name=f"Region {name}", manager=UserFactory(username=f"regional-{name}"))
    for index, size in enumerate(sizes):
        team = team_of(size, f"{name}{index}")
        team.parent = region
        team.save()
    return region


@pytest.fixture
def regions(db):
    make_pipeline()
    small = region_of([2, 1], "small")
    # more reps than a page holds, so the large region's page is one of several
    large = region_of([REGION_REPS_PER_PAGE // 2 + 5, REGION_REPS_PER_PAGE // 2 + 5], "large")
    kpi_recompute()
    return small, large


def rep_names(page: str) -> list[str]:
    body = page.split('id="table-reps"', 1)[1].split("</tbody>", 1)[0]
    return re.findall(r">([a-z]+\d Rep \d+)<", body)


def test_the_region_page_makes_as_many_queries_for_two_pages_of_reps_as_for_3(client, regions, django_assert_max_num_queries):
    small, large = regions
    client.force_login(small.manager)
    client.get("/dashboard/", {"team": small.pk, **MARCH})  # warm up (content types, translations)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/dashboard/", {"team": small.pk, **MARCH}).status_code == 200
    budget = len(few)  # read now: the next request empties the query log
    # the same budget as a team's page
    assert budget <= 15, "\n".join(q["sql"] for q in few.captured_queries)
    client.force_login(large.manager)
    client.get("/dashboard/", {"team": large.pk, **MARCH})
    with django_assert_max_num_queries(budget):
        assert client.get("/dashboard/", {"team": large.pk, **MARCH, "page": 2}).status_code == 200


def test_a_region_shows_its_reps_a_page_at_a_time_sorted_across_pages(client, regions):
    _small, large = regions
    client.force_login(large.manager)
    query = {"team": large.pk, **MARCH, "sort": "name"}
    first = client.get("/dashboard/", query).content.decode()
    second = client.get("/dashboard/", {**query, "page": 2}).content.decode()
    on_first, on_second = rep_names(first), rep_names(second)
    assert len(on_first) == REGION_REPS_PER_PAGE
    assert len(on_second) == 2 * (REGION_REPS_PER_PAGE // 2 + 5) - REGION_REPS_PER_PAGE
    everyone = on_first + on_second
    assert everyone == sorted(everyone, key=str.lower) and len(set(everyone)) == len(everyone)
    assert 'aria-label="Pages of reps"' in first and 'rel="next"' in first and 'rel="prev"' in second
    # the team total (every rep, 10.00 won each) is on every page
    total = f"{2 * (REGION_REPS_PER_PAGE // 2 + 5) * 10:,}"
    assert total in first.split('id="table-reps"', 1)[1].split("</tfoot>", 1)[0]
    # a page past the end shows the last one, a bad page number the first
    assert rep_names(client.get("/dashboard/", {**query, "page": 99}).content.decode()) == on_second
    assert rep_names(client.get("/dashboard/", {**query, "page": "x"}).content.decode()) == on_first


def test_a_region_shows_the_subtotal_of_each_team_and_downloads_every_rep(client, regions):
    small, large = regions
    client.force_login(large.manager)
    page = client.get("/dashboard/", {"team": large.pk, **MARCH}).content.decode()
    teams = page.split('id="table-teams"', 1)[1].split("</table>", 1)[0]
    for sub in large.children.all():
        assert f">{sub.name}<" in teams
        assert f"team={sub.pk}" in teams  # each links to its team's dashboard
    assert f"{(REGION_REPS_PER_PAGE // 2 + 5) * 10:,}" in teams  # won revenue of one team
    # unsorted, a region's reps come team by team, and a page shows the subtotals of its teams
    first_team, second_team = sorted(large.children.all(), key=lambda t: t.name)
    first = rep_names(page)
    assert all(name.startswith(first_team.name) for name in first[: REGION_REPS_PER_PAGE // 2 + 5])
    last = client.get("/dashboard/", {"team": large.pk, **MARCH, "page": 2}).content.decode()
    assert all(name.startswith(second_team.name) for name in rep_names(last))
    last_teams = last.split('id="table-teams"', 1)[1].split("</table>", 1)[0]
    assert f">{second_team.name}<" in last_teams and f">{first_team.name}<" not in last_teams
    assert "the downloads hold every team" in last
    response = client.get("/dashboard/", {"team": large.pk, **MARCH, "export": "reps"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 1 + 2 * (REGION_REPS_PER_PAGE // 2 + 5) + 1  # header, every rep, the total
    response = client.get("/dashboard/", {"team": large.pk, **MARCH, "export": "teams"})
    assert len(list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))) == 1 + 2
    # a plain team has neither pages nor subtotals
    team = small.children.first()
    client.force_login(team.manager)
    page = client.get("/dashboard/", {"team": team.pk, **MARCH}).content.decode()
    assert 'id="table-teams"' not in page and "Pages of reps" not in page


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("rep", 403), ("sub_team_manager", 403), ("region_manager", 200), ("admin", 200)],
)
def test_who_may_open_a_region_page(client, regions, who, status):
    small, _large = regions
    users = {
        "rep": lambda: small.children.first().reps.first().user,
        "sub_team_manager": lambda: small.children.first().manager,
        "region_manager": lambda: small.manager,
        "admin": AdminFactory,
    }
    if who != "anonymous":
        client.force_login(users[who]())
    response = client.get("/dashboard/", {"team": small.pk, **MARCH, "page": 2})
    assert response.status_code == status
    if status == 200:
        assert 'id="table-teams"' in response.content.decode()
