"""The rep page, the weekly team meeting and the leaderboard: figures, CSV, and who may see them."""

import datetime as dt

import pytest
from django.utils import timezone

from reps.models import Opportunity
from tests.factories import AdminFactory, RepFactory, TeamFactory, UserFactory
from tests.kpis.dashboard_helpers import MARCH, as_csv_text, csv_table, html_table, march_team
from tests.kpis.kpi_helpers import opp, planned

pytestmark = pytest.mark.django_db

MEETING_WEEK = {"start": "2025-03-10"}  # Monday 10 March: Ann's deal lost, Bob's deal won


def rep_url(rep) -> str:
    return f"/dashboard/reps/{rep.pk}/"


def by_first_cell(rows):
    header, *body = rows
    return {row[0]: dict(zip(header, row, strict=True)) for row in body}


# --- rep page -------------------------------------------------------------------------------


def test_rep_page_shows_the_reps_figures_for_the_period(client):
    world = march_team()
    client.force_login(world.team.manager)
    response = client.get(rep_url(world.ann), MARCH)
    assert response.status_code == 200
    header, row = html_table(response.content, "table-figures")
    figures = dict(zip(header, row, strict=True))
    assert (figures["Band"], figures["Attainment"], figures["Actual"], figures["Win rate"]) == (
        "On target",
        "120.0 %",
        "1,200",
        "50.0 %",
    )
    assert "Figures computed" in response.content.decode()


def test_rep_page_lists_open_deals_by_stage_with_days_in_stage_and_overdue_next_steps(client):
    world = march_team()
    today = timezone.localdate()
    opp(
        world.ann,
        "2025-03-21",
        stage_name="Discovery",
        amount="50.00",
        next_step="Send deck",
        next_step_date=today - dt.timedelta(days=3),
    )
    client.force_login(world.team.manager)
    content = client.get(rep_url(world.ann), MARCH).content
    open_deals = html_table(content, "table-open_deals")
    # the deal's name first: a phone shows it as the head of the deal's card
    assert open_deals[0][:5] == ["Opportunity", "Stage", "Account", "Amount", "Days in stage"]
    assert [row[1] for row in open_deals[1:]] == ["Discovery", "Negotiation"]  # pipeline order
    negotiation = open_deals[2]
    assert negotiation[4] == str((today - dt.date(2025, 3, 20)).days)
    overdue = by_first_cell(html_table(content, "table-overdue"))
    assert overdue["Deal 2025-03-21 Discovery"]["Days late"] == "3"
    assert overdue["Deal 2025-03-21 Discovery"]["Next step"] == "Send deck"
    # every deal and account named links to it
    page = content.decode()
    deal = Opportunity.objects.get(name="Deal 2025-03-21 Discovery")
    assert page.count(f'href="/opportunities/{deal.pk}/"') >= 2  # open deals and overdue next steps


def test_rep_page_flags_the_deals_worth_a_review_with_the_reasons(client):
    world = march_team()
    today = timezone.localdate()
    opp(
        world.ann,
        "2025-03-21",
        stage_name="Discovery",
        amount="50.00",
        next_step="Send deck",
        next_step_date=today - dt.timedelta(days=3),
        expected_close_date=today + dt.timedelta(days=9),
    )
    client.force_login(world.team.manager)
    review = by_first_cell(html_table(client.get(rep_url(world.ann), MARCH).content, "table-review"))
    days = (today - dt.date(2025, 3, 21)).days  # created, and in its stage, since March 2025
    assert review["Deal 2025-03-21 Discovery"]["Why"] == f"next step 3 days overdue; {days} days in Discovery (stalled)"
    # Ann's Negotiation deal (expected 2025-04-15, long past) is flagged too; her won and lost deals are not open.
    assert "expected close date has passed" in review["Deal 2025-03-20 Negotiation"]["Why"]
    assert len(review) == 2


def test_rep_page_links_a_manager_to_plan_a_one_to_one_but_not_the_rep(client):
    world = march_team()
    link = f'href="/coaching/sessions/new/?rep={world.ann.pk}"'
    client.force_login(world.team.manager)
    assert link in client.get(rep_url(world.ann)).content.decode()
    client.force_login(world.ann.user)
    assert link not in client.get(rep_url(world.ann)).content.decode()


def test_rep_page_shows_activities_planned_this_week_and_next(client):
    world = march_team()
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    planned(world.ann, "call", monday.isoformat())
    planned(world.ann, "call", (monday + dt.timedelta(days=8)).isoformat())
    planned(world.ann, "email", (monday + dt.timedelta(days=9)).isoformat())
    client.force_login(world.ann.user)
    plan = by_first_cell(html_table(client.get(rep_url(world.ann)).content, "table-activity_plan"))
    assert (plan["Call"]["Planned this week"], plan["Call"]["Of those done"], plan["Call"]["Planned next week"]) == (
        "1",
        "0",
        "1",
    )
    assert plan["Email"]["Planned next week"] == "1"


@pytest.mark.parametrize(
    "table", ["figures", "review", "open_deals", "overdue", "activity_plan", "funnel", "trends", "pipeline_stage"]
)
def test_rep_page_tables_export_as_csv(client, table):
    world = march_team()
    client.force_login(world.team.manager)
    response = client.get(rep_url(world.ann), {**MARCH, "export": table})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")


def test_rep_page_csv_holds_the_same_numbers_as_the_page(client):
    world = march_team()
    client.force_login(world.team.manager)
    page = html_table(client.get(rep_url(world.ann), MARCH).content, "table-figures")
    exported = csv_table(client.get(rep_url(world.ann), {**MARCH, "export": "figures"}).content)
    assert exported == [page[0], [as_csv_text(cell) for cell in page[1]]]


def test_rep_sees_their_own_page_but_not_a_colleagues(client):
    world = march_team()
    client.force_login(world.ann.user)
    assert client.get(rep_url(world.ann), MARCH).status_code == 200
    assert client.get(rep_url(world.bob), MARCH).status_code == 404


def test_manager_sees_their_reps_pages_only(client):
    world = march_team()
    stranger = RepFactory(team=TeamFactory(name="Other"))
    client.force_login(world.team.manager)
    assert client.get(rep_url(world.bob), MARCH).status_code == 200
    assert client.get(rep_url(stranger), MARCH).status_code == 404


def test_admin_sees_any_rep_page_and_anonymous_is_sent_to_log_in(client):
    world = march_team()
    client.force_login(AdminFactory())
    assert client.get(rep_url(world.cem), MARCH).status_code == 200
    client.logout()
    assert client.get(rep_url(world.cem)).status_code == 302


# --- weekly team meeting --------------------------------------------------------------------


def test_team_meeting_shows_the_weeks_figures_and_pipeline_changes_per_rep(client):
    world = march_team()
    client.force_login(world.team.manager)
    response = client.get("/team-meeting/", MEETING_WEEK)
    assert response.status_code == 200
    summary = by_first_cell(html_table(response.content, "table-summary"))
    assert (summary["Ann Able"]["Lost"], summary["Ann Able"]["Deals won"]) == ("1", "0")
    assert (summary["Bob Baker"]["Deals won"], summary["Bob Baker"]["Won revenue"]) == ("1", "500.00")
    changes = html_table(response.content, "table-pipeline_changes")[1:]
    assert [(row[0], row[1]) for row in changes] == [("Ann Able", "Lost"), ("Bob Baker", "Won")]
    assert "print-a4" in response.content.decode()  # the A4 print rules apply


def test_team_meeting_counts_new_deals_and_meetings(client):
    world = march_team()
    client.force_login(world.team.manager)
    response = client.get("/team-meeting/", {"start": "2025-03-19"})  # any day picks its week
    assert "2025-03-17" in response.content.decode()
    summary = by_first_cell(html_table(response.content, "table-summary"))
    assert summary["Ann Able"]["New"] == "1"  # the Negotiation deal created on 20 March


def test_team_meeting_csv_holds_the_same_numbers_as_the_page(client):
    world = march_team()
    client.force_login(world.team.manager)
    page = html_table(client.get("/team-meeting/", MEETING_WEEK).content, "table-summary")
    exported = csv_table(client.get("/team-meeting/", {**MEETING_WEEK, "export": "summary"}).content)
    assert exported == [page[0], *([as_csv_text(cell) for cell in row] for row in page[1:])]


def test_team_meeting_is_for_the_teams_managers(client):
    world = march_team()
    other = TeamFactory(name="Other")
    client.force_login(world.ann.user)
    assert client.get("/team-meeting/").status_code == 403
    client.force_login(world.team.manager)
    assert client.get("/team-meeting/", {"team": other.pk}).status_code == 403
    client.force_login(AdminFactory())
    assert client.get("/team-meeting/", {"team": world.team.pk}).status_code == 200
    client.logout()
    assert client.get("/team-meeting/").status_code == 302


# --- leaderboard ----------------------------------------------------------------------------


def test_leaderboard_ranks_the_top_performers(client):
    world = march_team()
    client.force_login(world.team.manager)
    content = client.get("/leaderboard/", MARCH).content
    attainment = html_table(content, "table-attainment")[1:]
    assert [row[:3] for row in attainment] == [["1", "Ann Able", "120.0 %"], ["2", "Bob Baker", "50.0 %"]]
    revenue = html_table(content, "table-won_revenue")[1:]
    assert [row[:3] for row in revenue] == [["1", "Ann Able", "1,200"], ["2", "Bob Baker", "500.00"]]
    activity = html_table(content, "table-activity")[1:]
    assert {row[1] for row in activity} == {"Ann Able", "Bob Baker"}  # Cem did nothing: not listed


def test_leaderboard_says_what_to_do_when_no_quota_covers_the_period(client):
    world = march_team()
    client.force_login(world.team.manager)
    content = client.get("/leaderboard/", {"period": "month", "start": "2025-04-01"}).content.decode()
    assert "No quota of this metric overlaps this period" in content


def test_rep_sees_only_their_own_line_on_the_leaderboard(client):
    world = march_team()
    client.force_login(world.bob.user)
    response = client.get("/leaderboard/", MARCH)
    assert response.status_code == 200
    assert "Bob Baker" in response.content.decode()
    assert "Ann Able" not in response.content.decode()


def test_leaderboard_of_a_team_one_does_not_manage_is_403(client):
    world = march_team()
    other = TeamFactory(name="Other")
    client.force_login(world.team.manager)
    assert client.get("/leaderboard/", {"team": other.pk}).status_code == 403
    client.force_login(UserFactory(username="nobody"))
    assert client.get("/leaderboard/").status_code == 403
