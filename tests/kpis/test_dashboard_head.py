"""The dashboard's head (tiles), sparklines, the region's team column, links, and .xlsx exports."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from kpis import selectors
from kpis.models import Quota
from kpis.services import kpi_recompute
from reps.models import Opportunity
from tests.factories import RepFactory, TeamFactory, UserFactory
from tests.kpis.dashboard_helpers import MARCH, html_table, march_team
from tests.kpis.kpi_helpers import d, opp

pytestmark = pytest.mark.django_db

URL = "/dashboard/"


def tiles_of(content: bytes) -> dict[str, str]:
    """Each tile's label → its value and note, as text."""
    import re

    html = content.decode()
    found = {}
    for block in re.findall(r'<div class="tile tile-[a-z_]+">(.*?)</div>', html, re.S):
        label = re.search(r'<p class="tile-label">(.*?)</p>', block, re.S).group(1).strip()
        text = re.sub(r"<[^>]+>", " ", block.split("</p>", 1)[1])
        found[label] = " ".join(text.split())
    return found


def test_the_head_shows_the_team_figures_and_the_change_against_the_previous_month(client):
    world = march_team()
    Quota.objects.create(rep=world.ann, start_date=d("2025-02-01"), end_date=d("2025-02-28"), target=Decimal("1000.00"))
    opp(world.ann, "2025-02-10", stage_name="Won", amount="400.00")
    kpi_recompute()
    client.force_login(world.team.manager)
    tiles = tiles_of(client.get(URL, MARCH).content)
    # March: target 2,000.00, actual 1,700.00 → 85.0 %, close (docs of march_team)
    assert tiles["Attainment"].startswith("85.0 %") and "Close" in tiles["Attainment"]
    assert tiles["Gap to target"].startswith("300.00")
    assert tiles["Against February 2025"].startswith("▲ 1,300 ")  # whole amounts of 1,000 and more show no .00
    assert "400.00" in tiles["Against February 2025"] and "40.0 %" in tiles["Against February 2025"]
    assert "Win rate" in tiles and "Coverage" in tiles and "Forecast vs target" in tiles


def test_the_previous_total_is_the_team_row_of_the_kpi_table(client):
    world = march_team()
    Quota.objects.create(rep=world.ann, start_date=d("2025-02-01"), end_date=d("2025-02-28"), target=Decimal("1000.00"))
    opp(world.ann, "2025-02-10", stage_name="Won", amount="400.00")
    opp(world.bob, "2025-02-11", stage_name="Won", amount="250.00")
    kpi_recompute()
    user = world.team.manager
    overview = selectors.team_overview(
        user=user,
        team_id=world.team.pk,
        start=d("2025-03-01"),
        end=d("2025-03-31"),
        today=d("2025-06-01"),
        previous=(d("2025-02-01"), d("2025-02-28")),
    )
    (row,) = selectors.kpi_table(
        user=user, start=d("2025-02-01"), end=d("2025-02-28"), group_by="team", team_id=world.team.pk, today=d("2025-06-01")
    )
    for key in ("actual", "target", "attainment", "band", "won_revenue", "deals_won", "win_rate", "contacts"):
        assert overview.previous_total[key] == row[key], key
    assert overview.previous_total["actual"] == Decimal("650.00")


def test_each_rep_has_a_sparkline_of_twelve_weeks(client):
    world = march_team()
    client.force_login(world.team.manager)
    content = client.get(URL, MARCH).content.decode()
    assert content.count('<svg class="spark"') == 3
    overview = selectors.team_overview(
        user=world.team.manager, team_id=world.team.pk, start=d("2025-03-01"), end=d("2025-03-31"), today=d("2025-03-31")
    )
    assert len(overview.rep_series[world.ann.pk]) == 12
    assert sum(overview.rep_series[world.ann.pk]) == Decimal("1200.00")


def test_early_in_a_running_period_the_previous_result_is_one_click_away(client, monkeypatch):
    from django.utils import timezone

    world = march_team()
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2025, 4, 1))
    client.force_login(world.team.manager)
    content = client.get(URL).content.decode()
    assert "has just started" in content
    assert "See March 2025" in content and "start=2025-03-01" in content


def test_a_region_names_each_rep_s_team_with_a_link(client):
    boss = UserFactory(username="regional")
    region = TeamFactory(name="North", manager=boss)
    alpha = march_team("Alpha", parent=region)
    march_team("Beta", parent=region)
    client.force_login(boss)
    content = client.get(URL, {**MARCH, "team": region.pk}).content
    table = html_table(content, "table-reps")
    assert table[0][1] == "Team"
    teams = {row[0]: row[1] for row in table[1:]}
    assert teams["Ann Able"] == "Alpha" and teams["Ann-beta Able"] == "Beta"
    assert f"team={alpha.team.pk}" in content.decode()


def test_every_rep_row_offers_a_one_to_one(client):
    world = march_team()
    client.force_login(world.team.manager)
    content = client.get(URL, MARCH).content.decode()
    assert f'href="/coaching/sessions/new/?rep={world.ann.pk}"' in content


def test_one_table_as_xlsx_has_typed_columns_and_a_frozen_header(client):
    world = march_team()
    client.force_login(world.team.manager)
    response = client.get(URL, {**MARCH, "export": "reps", "format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"].endswith('.xlsx"')
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["reps"]
    assert sheet.freeze_panes == "A2"
    header = [cell.value for cell in sheet[1]]
    assert "Action" not in header and "12 weeks" not in header
    rows = {row[0]: dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)}
    ann = rows["Ann Able"]
    assert ann["Attainment"] == pytest.approx(1.2) and ann["Target"] == 1000  # numbers, not text
    assert ann["Band"] == "On target"
    attainment_column = header.index("Attainment") + 1
    assert sheet.cell(row=2, column=attainment_column).number_format == "0.0%"


def test_every_table_of_the_page_in_one_workbook(client):
    world = march_team()
    client.force_login(world.team.manager)
    response = client.get(URL, {**MARCH, "export": "all", "format": "xlsx"})
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["reps", "attainment", "funnel", "trends", "pipeline_stage", "pipeline_month"]
    trends = book["trends"]
    assert isinstance(trends.cell(row=2, column=1).value, dt.datetime)  # a date, not text


def test_an_unknown_format_is_a_404(client):
    world = march_team()
    client.force_login(world.team.manager)
    assert client.get(URL, {**MARCH, "export": "reps", "format": "pdf"}).status_code == 404


def test_rep_page_and_team_meeting_link_deals_reps_and_accounts(client):
    world = march_team()
    client.force_login(world.team.manager)
    content = client.get("/team-meeting/", {"start": "2025-03-03"}).content.decode()
    deal = Opportunity.objects.get(name="Deal 2025-03-03 Won")
    assert f'href="/opportunities/{deal.pk}/"' in content
    assert f'href="/dashboard/reps/{world.ann.pk}/' in content


def test_navigation_has_the_roster_for_managers_and_the_own_page_for_reps(client):
    world = march_team()
    client.force_login(world.team.manager)
    assert 'href="/team/"' in client.get(URL, MARCH).content.decode()
    rep = RepFactory(user=UserFactory(username="solo"), team=world.team)
    client.force_login(rep.user)
    content = client.get("/week/").content.decode()
    assert f'href="/dashboard/reps/{rep.pk}/"' in content and 'href="/team/"' not in content
