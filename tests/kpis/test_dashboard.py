"""The team dashboard (/dashboard/): figures per rep, totals, pickers, sorting, CSV, who may see it."""

import pytest

from tests.factories import AdminFactory, RepFactory, TeamFactory, UserFactory
from tests.kpis.dashboard_helpers import MARCH, as_csv_text, csv_table, html_table, march_team

pytestmark = pytest.mark.django_db

URL = "/dashboard/"


def rows_by_name(content):
    header, *rows = html_table(content, "table-reps")
    return header, {row[0]: dict(zip(header, row, strict=True)) for row in rows}


def test_it_shows_one_row_per_rep_with_the_figures_worked_out_by_hand(client):
    world = march_team()
    client.force_login(world.team.manager)
    response = client.get(URL, MARCH)
    assert response.status_code == 200
    header, rows = rows_by_name(response.content)
    assert header[:6] == ["Rep", "Band", "Attainment", "Pace", "Target", "Actual"]
    ann, bob, cem = rows["Ann Able"], rows["Bob Baker"], rows["Cem Cole"]
    assert (ann["Band"], ann["Attainment"], ann["Target"], ann["Actual"]) == ("On target", "120.0 %", "1,000", "1,200")
    assert (ann["Win rate"], ann["Offer → close"], ann["Contact → offer"]) == ("50.0 %", "50.0 %", "100.0 %")
    ann_plan = (ann["Activities done / planned"], ann["Plan done"], ann["CSAT"], ann["Complaints"])
    assert ann_plan == ("1 / 1", "100.0 %", "4.00", "0")
    assert (ann["Forecast"], ann["Coverage"]) == ("1,200", "—")  # target met: coverage undefined
    bob_figures = (bob["Band"], bob["Attainment"], bob["Activities done / planned"], bob["Plan done"])
    assert bob_figures == ("At risk", "50.0 %", "1 / 2", "50.0 %")
    # no quota, nothing logged: undefined, never 0 % or 100 %
    assert (cem["Band"], cem["Attainment"], cem["Win rate"], cem["CSAT"], cem["Complaints"]) == ("—", "—", "—", "—", "0")
    total = rows["Team total"]
    assert (total["Target"], total["Actual"], total["Attainment"], total["Band"]) == ("2,000", "1,700", "85.0 %", "Close")
    assert total["Win rate"] == "66.7 %"  # 2 won of 3 closed


def test_each_rep_links_to_their_page_for_the_same_period(client):
    world = march_team()
    client.force_login(world.team.manager)
    response = client.get(URL, MARCH)
    assert f'href="/dashboard/reps/{world.ann.pk}/?period=month&amp;start=2025-03-01"' in response.content.decode()


def test_it_sorts_by_a_column_with_undefined_values_last(client):
    world = march_team()
    client.force_login(world.team.manager)
    names = [row[0] for row in html_table(client.get(URL, {**MARCH, "sort": "-attainment"}).content, "table-reps")[1:]]
    assert names == ["Ann Able", "Bob Baker", "Cem Cole", "Team total"]
    names = [row[0] for row in html_table(client.get(URL, {**MARCH, "sort": "attainment"}).content, "table-reps")[1:]]
    assert names == ["Bob Baker", "Ann Able", "Cem Cole", "Team total"]
    # an unknown sort key is ignored, not an error
    assert client.get(URL, {**MARCH, "sort": "password"}).status_code == 200


def test_csv_export_holds_the_same_numbers_as_the_page(client):
    world = march_team()
    client.force_login(world.team.manager)
    page = html_table(client.get(URL, MARCH).content, "table-reps")
    response = client.get(URL, {**MARCH, "export": "reps"})
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    exported = csv_table(response.content)
    # the sparkline and the action link are page-only columns
    keep = [i for i, label in enumerate(page[0]) if label not in ("12 weeks", "Action")]
    page = [[row[i] for i in keep] for row in page]
    assert exported[0] == page[0]
    assert exported[1:] == [[as_csv_text(cell) for cell in row] for row in page[1:]]


@pytest.mark.parametrize("table", ["attainment", "funnel", "trends", "pipeline_stage", "pipeline_month"])
def test_every_chart_table_can_be_exported(client, table):
    world = march_team()
    client.force_login(world.team.manager)
    response = client.get(URL, {**MARCH, "export": table})
    assert response.status_code == 200
    assert len(csv_table(response.content)) >= 2


def test_unknown_export_is_a_404(client):
    world = march_team()
    client.force_login(world.team.manager)
    assert client.get(URL, {**MARCH, "export": "salaries"}).status_code == 404


def test_charts_are_embedded_as_json_with_plotly_from_our_static_files(client):
    world = march_team()
    client.force_login(world.team.manager)
    content = client.get(URL, MARCH).content.decode()
    for key in ("attainment", "funnel", "trends", "pipeline_stage", "pipeline_month"):
        assert f'<script type="application/json" id="figure-{key}">' in content
    assert "/static/plotly/plotly.min.js" in content
    assert "cdn" not in content.lower()


def test_rep_names_cannot_break_out_of_the_embedded_chart_json(client):
    world = march_team()
    world.ann.user.first_name = "</script><script>alert(1)</script>"
    world.ann.user.save()
    client.force_login(world.team.manager)
    content = client.get(URL, MARCH).content.decode()
    assert "<script>alert(1)" not in content


def test_region_rolls_up_its_teams_and_the_picker_offers_each(client):
    boss = UserFactory(username="regional")
    region = TeamFactory(name="North", manager=boss)
    march_team("Alpha", parent=region)
    march_team("Beta", parent=region)
    client.force_login(boss)
    response = client.get(URL, {**MARCH, "team": region.pk})
    _header, rows = rows_by_name(response.content)
    assert {"Ann Able", "Ann-beta Able"} <= set(rows)
    assert rows["Team total"]["Actual"] == "3,400"
    content = response.content.decode()
    assert "Alpha</option>" in content and "Beta</option>" in content


def test_changing_the_period_changes_the_figures(client):
    world = march_team()
    client.force_login(world.team.manager)
    _header, rows = rows_by_name(client.get(URL, {"period": "month", "start": "2025-04-01"}).content)
    assert rows["Ann Able"]["Actual"] == "0.00"
    assert rows["Ann Able"]["Attainment"] == "—"  # no April quota
    _header, rows = rows_by_name(client.get(URL, {"period": "custom", "start": "2025-03-01", "end": "2025-03-05"}).content)
    assert rows["Ann Able"]["Actual"] == "1,200"
    assert rows["Bob Baker"]["Actual"] == "0.00"


def test_it_says_when_no_quota_covers_the_period(client):
    world = march_team()
    client.force_login(world.team.manager)
    # The quotas are March's: April has none (a week of March would have their share).
    content = client.get(URL, {"period": "month", "start": "2025-04-01"}).content.decode()
    assert "No quota of this metric overlaps this period" in content


def test_the_no_quota_message_points_editors_to_the_quotas_page_and_others_to_an_admin(client, settings):
    world = march_team()
    april = {"period": "month", "start": "2025-04-01"}
    client.force_login(world.team.manager)
    content = client.get(URL, april).content.decode()
    assert "ask an admin to set quotas" in content and "/quotas/?team=" not in content and "Admin → Quotas" not in content
    settings.SALESPERF_MANAGERS_EDIT_QUOTAS = True
    content = client.get(URL, april).content.decode()
    assert f'href="/quotas/?team={world.team.pk}"' in content and "ask an admin" not in content
    client.force_login(AdminFactory())
    content = client.get(URL, {**april, "team": world.team.pk}).content.decode()
    assert f'href="/quotas/?team={world.team.pk}"' in content


def test_without_any_quota_the_attainment_chart_is_a_note_and_its_table_stays(client):
    world = march_team()
    client.force_login(world.team.manager)
    response = client.get(URL, {"period": "month", "start": "2025-03-01", "metric": "deals_won"})
    attainment = response.context["charts"][0]
    assert attainment["key"] == "attainment" and attainment["note"]
    content = response.content.decode()
    assert 'data-figure="figure-attainment"' not in content and attainment["note"] in content
    figure = content.split('id="chart-attainment"')[1].split("</figure>")[0]
    assert attainment["note"] in figure and "Data table" in figure  # the data table stays
    response = client.get(URL, {"period": "month", "start": "2025-03-01"})
    assert response.context["charts"][0]["note"] is None
    assert 'data-figure="figure-attainment"' in response.content.decode()


def test_bad_period_input_shows_a_message_not_an_error(client):
    world = march_team()
    client.force_login(world.team.manager)
    response = client.get(URL, {"period": "custom", "start": "2025-03-10", "end": "2025-03-01"})
    assert response.status_code == 200
    assert "The end date must not be before the start date." in response.content.decode()


def test_team_without_reps_says_what_to_do(client):
    team = TeamFactory(name="Empty")
    client.force_login(team.manager)
    content = client.get(URL).content.decode()
    assert "ask an admin to add reps to the team" in content  # a manager has no Admin to open


def test_admin_without_any_team_is_told_to_create_one(client):
    client.force_login(AdminFactory())
    content = client.get(URL).content.decode()
    assert "There are no teams yet" in content


# --- who may see it -------------------------------------------------------------------------


def test_admin_may_open_any_team(client):
    world = march_team()
    client.force_login(AdminFactory())
    assert client.get(URL, {**MARCH, "team": world.team.pk}).status_code == 200


@pytest.mark.parametrize("team", ["abc", "999999"])
def test_an_admin_asking_for_a_team_that_does_not_exist_gets_a_404_not_a_refusal(client, team):
    march_team()
    client.force_login(AdminFactory())
    response = client.get(URL, {**MARCH, "team": team})
    assert response.status_code == 404
    assert f"There is no team with id {team}." in response.content.decode()
    assert "teams you manage" not in response.content.decode()


def test_rep_gets_403(client):
    world = march_team()
    client.force_login(world.ann.user)
    assert client.get(URL).status_code == 403
    assert client.get(URL, {"team": world.team.pk}).status_code == 403


def test_manager_gets_403_for_a_team_they_do_not_manage(client):
    world = march_team()
    other = TeamFactory(name="Other")
    RepFactory(team=other)
    client.force_login(world.team.manager)
    assert client.get(URL, {"team": other.pk}).status_code == 403
    assert client.get(URL, {"team": "999999"}).status_code == 403
    assert client.get(URL, {"team": "not-a-number"}).status_code == 403


def test_user_without_a_role_gets_403_and_anonymous_is_sent_to_log_in(client):
    client.force_login(UserFactory(username="nobody"))
    assert client.get(URL).status_code == 403
    client.logout()
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_pipeline_tables_show_the_open_deals_by_stage_and_close_month(client):
    world = march_team()
    client.force_login(world.team.manager)
    content = client.get(URL, MARCH).content
    assert html_table(content, "table-pipeline_stage")[1:] == [["Negotiation", "1", "800.00", "600.00"]]
    assert html_table(content, "table-pipeline_month")[1:] == [["2025-04", "1", "800.00", "600.00"]]


def test_only_pages_with_a_custom_range_offer_an_end_date(client):
    world = march_team()
    client.force_login(world.team.manager)
    assert 'name="end"' in client.get("/dashboard/", MARCH).content.decode()
    assert 'name="end"' not in client.get("/team-meeting/").content.decode()  # weeks only


def test_the_metric_picker_shows_the_quota_of_calls_on_the_page_and_in_the_csv(client, counted_march):
    client.force_login(counted_march.team.manager)
    params = {**MARCH, "team": counted_march.team_id, "metric": "activities", "activity_kind": "call"}
    response = client.get(URL, params)
    assert response.status_code == 200
    content = response.content.decode()
    assert 'name="metric"' in content and 'name="activity_kind"' in content
    assert "quota of Activities: Call" in content
    header, rows = rows_by_name(response.content)
    assert "Forecast" not in header and "Coverage" not in header  # money figures: won revenue only
    row = rows[counted_march.name]
    # 3 calls done of a target of 3 (the email and April's call do not count): a number, not money.
    assert (row["Band"], row["Attainment"], row["Target"], row["Actual"]) == ("On target", "100.0 %", "3", "3")
    exported = csv_table(client.get(URL, {**params, "export": "reps"}).content)
    assert exported[0] == [label for label in header if label not in ("12 weeks", "Action")]  # page-only columns
    by_name = {line[0]: dict(zip(exported[0], line, strict=True)) for line in exported[1:]}
    assert (by_name[counted_march.name]["Target"], by_name[counted_march.name]["Attainment"]) == ("3", "100.0")


@pytest.mark.parametrize(
    ("metric", "target", "actual", "attainment"),
    [("deals_won", "4", "2", "50.0"), ("offers_submitted", "5", "4", "80.0")],
)
def test_the_csv_export_follows_the_metric(client, counted_march, metric, target, actual, attainment):
    client.force_login(counted_march.team.manager)
    response = client.get(URL, {**MARCH, "team": counted_march.team_id, "metric": metric, "export": "reps"})
    header, *lines = csv_table(response.content)
    row = next(dict(zip(header, line, strict=True)) for line in lines if line[0] == counted_march.name)
    assert (row["Target"], row["Actual"], row["Attainment"]) == (target, actual, attainment)


def test_a_week_of_a_monthly_quota_shows_its_share(client):
    world = march_team()
    client.force_login(world.team.manager)
    # The week of 3 March: 5 of March's 21 working days of Ann's 1,000.00 = 238.10.
    _header, rows = rows_by_name(client.get(URL, {"period": "week", "start": "2025-03-03"}).content)
    assert rows["Ann Able"]["Target"] == "238.10"


def test_a_bad_metric_shows_a_message_and_won_revenue(client):
    world = march_team()
    client.force_login(world.team.manager)
    response = client.get(URL, {**MARCH, "metric": "activities"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Pick which kind of activity" in content
    assert "quota of Won revenue" in content


def test_the_legend_says_the_shown_percentages_are_rounded(client):
    world = march_team()
    client.force_login(world.team.manager)
    content = client.get(URL, MARCH).content.decode()
    assert "bands compare the exact value" in content


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_download_keeps_the_letters_of_the_teams_name(client, file_format):
    """A Hungarian or Greek team name stays readable in the file name (RFC 6266's UTF-8 form),
    instead of losing every accented letter; an ASCII name keeps the plain form."""
    world = march_team(name="Észak")
    client.force_login(world.team.manager)
    response = client.get(URL, {**MARCH, "team": world.team.pk, "export": "reps", "format": file_format})
    assert response.status_code == 200
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''dashboard-%C3%89szak-2025-03-01-reps.{file_format}"
    plain = march_team(name="North")
    client.force_login(plain.team.manager)
    response = client.get(URL, {**MARCH, "team": plain.team.pk, "export": "reps", "format": file_format})
    assert response["Content-Disposition"] == f'attachment; filename="dashboard-North-2025-03-01-reps.{file_format}"'
