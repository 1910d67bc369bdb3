"""Issue 17's "done when", driven in headless Chromium on the demo data: a rep submits a forecast
from their deals, the manager adjusts and submits the team's number, the next week's page
shows how each call moved, and the segment page shows which segments grew against last year
(its figures equal the segment API's)."""

from __future__ import annotations

import datetime as dt
import io
import time
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from forecasts.models import ForecastSubmission
from kpis.periods import Period, PeriodKind
from tests.conftest import PASSWORD, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo():
    call_command("seed_demo", "--reps", "4", "--weeks", "60", "--seed", "5", "--password", PASSWORD, stdout=io.StringIO())


def amount(text: str) -> Decimal:
    return Decimal(text.replace(",", "").replace("+", "").replace("−", "-").strip())


def a_week_passes() -> None:
    """Every call so far was made a week earlier (the page is then read "next week")."""
    ForecastSubmission.objects.update(submitted_at=F("submitted_at") - dt.timedelta(days=7))


def calls_row(page, name: str) -> list[str]:
    return page.eval_on_selector(
        "#table-calls",
        """(table, name) => Array.from(table.querySelectorAll("tbody tr"))
            .map(tr => Array.from(tr.querySelectorAll("td")).map(td => td.innerText.trim()))
            .find(cells => cells[0] === name)""",
        name,
    )


def test_rep_calls_manager_adjusts_next_week_shows_the_moves_and_segments_grow(browser, live_server, demo):
    errors: list[str] = []
    rep_context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    boss_context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    rep, boss = rep_context.new_page(), boss_context.new_page()
    for page in (rep, boss):
        page.on("pageerror", lambda error: errors.append(str(error)))

    # 1. The rep submits their month's call from their deals, in well under a minute.
    started = time.monotonic()
    browser_login(rep, "rep1")
    rep.goto("/forecast/")
    assert rep.locator("h1").inner_text().startswith("Forecast of")
    prefilled = amount(rep.locator("#id_commit").input_value())
    rep.get_by_role("button", name="Submit forecast").click()
    rep.wait_for_load_state()
    assert "is submitted" in rep.locator(".messages, [role=status], .notice").first.inner_text()
    assert time.monotonic() - started < 60
    assert rep.locator("#table-history tbody tr").count() == 1
    rep_name = rep.locator("h1").inner_text().removeprefix("Forecast of ").rsplit(",", 1)[0]

    # 2. The manager sees the call beside the deals, adjusts the team's number and submits it.
    browser_login(boss, "manager1")
    boss.goto("/forecast/")
    row = calls_row(boss, rep_name)
    assert amount(row[4]) == prefilled and row[5] == "—"  # called commit, no move yet
    roll_up = amount(boss.locator("#rollup-commit").inner_text())
    boss.fill("#id_commit", str(roll_up - 1000))
    boss.fill("#id_best_case", str(roll_up + 5000))
    boss.fill("#id_note", "One deal of rep1 slips to next month")
    boss.get_by_role("button", name="Submit the team's forecast").click()
    boss.wait_for_load_state()
    assert boss.locator("#table-history tbody tr").count() == 1

    # 3. Next week: the rep raises the call, the manager calls again; both pages show the moves.
    a_week_passes()
    rep.goto("/forecast/")
    rep.fill("#id_commit", str(prefilled + 500))
    rep.fill("#id_best_case", str(prefilled + 800))
    rep.get_by_role("button", name="Submit forecast").click()
    rep.wait_for_load_state()
    history = rep.locator("#table-history tbody tr")
    assert history.count() == 2
    assert history.first.locator("td").nth(3).inner_text().strip() == "+500.00"
    boss.goto("/forecast/")
    row = calls_row(boss, rep_name)
    assert amount(row[4]) == prefilled + 500 and row[5] == "+500.00"
    boss.fill("#id_commit", str(roll_up))
    boss.get_by_role("button", name="Submit the team's forecast").click()
    boss.wait_for_load_state()
    weeks = boss.locator("#table-history tbody tr td:first-child").all_inner_texts()
    assert len(weeks) == 2 and weeks[0] != weeks[1]  # one call per week, newest first
    assert boss.locator("#table-history tbody tr").first.locator("td").nth(3).inner_text().strip() == "+1,000.00"

    # 4. The segment page: the last ended month against the same month a year before.
    month = Period.containing(PeriodKind.MONTH, timezone.localdate()).previous()
    boss.goto(f"/segments/?period=month&start={month.start}&by=segment")
    table = boss.eval_on_selector(
        "#table-segments",
        """t => Array.from(t.querySelectorAll("tbody tr"))
            .map(tr => Array.from(tr.querySelectorAll("td, th")).map(c => c.innerText.trim()))""",
    )
    assert table, "no segment rows"
    # without a team the page, like the API, covers every rep the manager sees
    api = boss.request.get(f"/api/v1/kpis/segments/?start={month.start}&end={month.end}&by=segment")
    assert api.status == 200, api.text()
    rows = {row["value"] or "(none)": row for row in api.json()["rows"]}
    for cells in table:
        figures = rows[cells[0]]
        assert amount(cells[1]) == Decimal(figures["current"]["won_revenue"])
        assert amount(cells[2]) == Decimal(figures["year_ago"]["won_revenue"])
    assert any(cells[3] not in ("—", "") for cells in table), "no growth against last year shown"
    assert boss.locator(".chart, [data-figure]").count() >= 1
    assert errors == []
    rep_context.close()
    boss_context.close()
