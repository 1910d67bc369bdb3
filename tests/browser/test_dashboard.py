"""A manager's Monday morning in headless Chromium: the team dashboard, its pickers, sorting,
the drill-down to a rep and the CSV export; the figures on the page equal the KPI API's."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.utils import timezone

from kpis.exports import Kind, format_value
from tests.conftest import browser_login
from tests.factories import TeamFactory, UserFactory
from tests.kpis.dashboard_helpers import march_team
from tests.kpis.kpi_helpers import opp, planned

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The columns of the reps table and the API field each one shows.
COMPARED = {
    "Target": ("target", Kind.MONEY),
    "Actual": ("won_revenue", Kind.MONEY),
    "Attainment": ("attainment", Kind.PERCENT),
    "Pace": ("pace", Kind.PERCENT),
    "Band": ("band", Kind.BAND),
    "Open pipeline": ("open_pipeline", Kind.MONEY),
    "Weighted pipeline": ("weighted_pipeline", Kind.MONEY),
    "Coverage": ("coverage", Kind.PERCENT),
    "Forecast": ("forecast", Kind.MONEY),
    "Win rate": ("win_rate", Kind.PERCENT),
    "Offer → close": ("offer_to_close", Kind.PERCENT),
    "Contact → offer": ("contact_to_offer", Kind.PERCENT),
    "Plan done": ("plan_completion", Kind.PERCENT),
    "CSAT": ("csat", Kind.SCORE),
    "Complaints": ("complaints", Kind.INT),
}


@pytest.fixture
def region():
    """A region manager with two teams under them (Alpha and Beta, three reps each)."""
    boss = UserFactory(username="regional", first_name="Rita", last_name="Region")
    north = TeamFactory(name="North", manager=boss)
    alpha = march_team("Alpha", parent=north)
    beta = march_team("Beta", parent=north)
    return boss, north, alpha, beta


def reps_table(page) -> list[list[str]]:
    """Header and body rows of the reps table as shown (totals row last)."""
    return page.eval_on_selector(
        "#table-reps",
        """table => Array.from(table.querySelectorAll("tr")).map(
            tr => Array.from(tr.querySelectorAll("th, td")).map(c => c.innerText.replace(/[▲▼]/g, "").trim()))""",
    )


def kpi_rows(page, *, group_by: str, team_id: int, start: str, end: str) -> list[dict[str, Any]]:
    """The KPI API's rows per rep or team for the team and period, as the logged-in manager."""
    response = page.request.get(f"/api/v1/kpis/?group_by={group_by}&team={team_id}&start={start}&end={end}")
    assert response.status == 200, response.text()
    return response.json()


def test_manager_picks_period_and_team_sorts_drills_down_and_exports(page, region, artifacts_dir):
    _boss, north, alpha, _beta = region
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    browser_login(page, "regional")
    page.goto("/dashboard/")
    assert page.locator("h1").inner_text().startswith("Team dashboard")

    # period: March 2025, then team: Alpha (the region was shown first)
    page.select_option("#id_period", "month")
    page.fill("#id_start", "2025-03-01")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()
    assert page.locator(".period-label").inner_text() == "March 2025"
    assert len(reps_table(page)) == 1 + 6 + 1  # header, six reps of the region, total
    page.select_option("#id_team", str(alpha.team.pk))
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()
    rows = reps_table(page)
    header, body, total = rows[0], rows[1:-1], rows[-1]
    assert [row[0] for row in body] == ["Ann Able", "Bob Baker", "Cem Cole"]
    assert total[0] == "Team total"

    # the numbers equal the KPI API's for the same team and period
    march = {"team_id": alpha.team.pk, "start": "2025-03-01", "end": "2025-03-31"}
    api = {row["rep"]["name"]: row for row in kpi_rows(page, group_by="rep", **march)}
    api["Team total"] = next(row for row in kpi_rows(page, group_by="team", **march) if row["team"]["id"] == alpha.team.pk)
    for row in [*body, total]:
        shown = dict(zip(header, row, strict=True))
        for column, (field, kind) in COMPARED.items():
            assert shown[column] == format_value(api[shown["Rep"]].get(field), kind).text, (shown["Rep"], column)
    page.wait_for_selector("#chart-attainment .plot-container")  # plotly.js from our static files drew it
    page.screenshot(path=str(artifacts_dir / "dashboard-desktop.png"), full_page=True)

    # sort by attainment, lowest first on the second click; undefined stays last
    page.click("#table-reps thead a[data-sort=attainment]")
    page.wait_for_load_state()
    assert [row[0] for row in reps_table(page)[1:-1]] == ["Ann Able", "Bob Baker", "Cem Cole"]
    page.click("#table-reps thead a[data-sort=attainment]")
    page.wait_for_load_state()
    assert [row[0] for row in reps_table(page)[1:-1]] == ["Bob Baker", "Ann Able", "Cem Cole"]

    # export the table as shown
    with page.expect_download() as download_info:
        page.click("#table-reps caption a.csv-link")
    with open(download_info.value.path(), encoding="utf-8-sig") as file:
        exported = list(csv.reader(io.StringIO(file.read())))
    # every figure column as shown; the sparkline and the action links are not data
    assert exported[0] == [column for column in header if column not in ("12 weeks", "Action")]
    assert [row[0] for row in exported[1:]] == ["Bob Baker", "Ann Able", "Cem Cole", "Team total"]
    assert exported[2][header.index("Actual")] == "1200.00"

    # drill into a rep: the same period carries over
    page.click("#table-reps tbody a:text('Ann Able')")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().startswith("Ann Able")
    assert page.locator(".period-label").inner_text() == "March 2025"
    assert "120.0 %" in page.locator("#table-figures").inner_text()
    page.screenshot(path=str(artifacts_dir / "dashboard-rep-desktop.png"), full_page=True)
    assert errors == []
    assert north.pk  # the region stayed pickable


def test_dashboard_reads_on_a_phone(phone_page, region, artifacts_dir):
    _boss, _north, alpha, _beta = region
    today = timezone.localdate()
    planned(alpha.ann, "call", today.isoformat())  # the rep page's activity plan and overdue tables get rows
    opp(
        alpha.ann,
        "2025-03-21",
        stage_name="Discovery",
        amount="50.00",
        next_step="Send the deck",
        next_step_date=today - dt.timedelta(days=2),
    )
    browser_login(phone_page, "regional")
    phone_page.goto(f"/dashboard/?team={alpha.team.pk}&period=month&start=2025-03-01")
    # the band reads as text, not only as a colour
    assert phone_page.locator("#table-reps tbody .band").first.inner_text() in ("At risk", "Close", "On target")
    # the page itself does not scroll sideways: wide tables scroll in their own box
    page_width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert page_width <= 390, page_width
    phone_page.screenshot(path=str(artifacts_dir / "dashboard-phone.png"), full_page=True)
    # the rep page too, where two tables share a row on a desktop
    phone_page.click("#table-reps tbody a:text('Ann Able')")
    phone_page.wait_for_load_state()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    phone_page.screenshot(path=str(artifacts_dir / "dashboard-rep-phone.png"), full_page=True)
