"""Every main page as a new user sees it, at 1280 px and on a 390 px phone: no page scrolls
sideways, screenshots kept in the test artefacts, and axe-core finds no serious or critical
accessibility violation. A manager on a phone plans a one-to-one in three taps."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.coaching.world import make_coaching_world
from tests.conftest import browser_login
from tests.factories import AccountFactory, TeamFactory, UserFactory
from tests.kpis.dashboard_helpers import march_team

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Installed by `make test` (npm install --prefix .cache/axe axe-core@<pinned>).
AXE = Path(os.environ.get("SALESPERF_AXE", Path(__file__).resolve().parents[2] / ".cache/axe/node_modules/axe-core/axe.min.js"))

MONTH = "period=month&start=2025-03-01"


def overflow(page) -> int:
    """How many pixels the page is wider than its viewport, scrollbar excluded (0: no sideways scrolling)."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def serious_violations(page) -> list[str]:
    if not AXE.exists():
        return []
    page.evaluate(AXE.read_text())  # evaluated by the test driver: the page's policy does not apply
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes'][:3]]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def check(page, url: str, name: str, artifacts: Path, problems: list[str]) -> None:
    response = page.goto(url)
    assert response is not None and response.ok, url
    page.wait_for_load_state("load")
    width = page.viewport_size["width"]
    page.screenshot(path=str(artifacts / f"{name}-{width}.png"), full_page=True)
    if (extra := overflow(page)) > 0:
        problems.append(f"{name} at {width} px scrolls sideways by {extra} px")
    problems.extend(f"{name} at {width} px: {v}" for v in serious_violations(page))


def manager_pages(north, alpha, account) -> list[tuple[str, str]]:
    return [
        (f"/dashboard/?{MONTH}&team={north.pk}", "region"),
        (f"/dashboard/?{MONTH}&team={alpha.team.pk}", "dashboard"),
        (f"/dashboard/reps/{alpha.ann.pk}/?{MONTH}", "rep-page"),
        (f"/team-meeting/?team={alpha.team.pk}&start=2025-03-10", "team-meeting"),
        (f"/leaderboard/?{MONTH}", "leaderboard"),
        ("/team/", "team-roster"),
        ("/opportunities/", "opportunities"),
        ("/opportunities/board/", "board"),
        ("/accounts/", "accounts"),
        (f"/accounts/{account.pk}/", "account"),
        (f"/quotas/?team={alpha.team.pk}", "quotas"),
        (f"/forecast/?team={alpha.team.pk}", "forecast"),
        (f"/segments/?{MONTH}&team={north.pk}", "segments"),
        ("/no-such-page/", "not-found"),
    ]


@pytest.mark.parametrize("width", [1280, 390])
def test_manager_pages_fit_the_screen_and_pass_axe(browser, live_server, artifacts_dir, width):
    if not AXE.exists():
        pytest.skip(f"axe-core not installed at {AXE}: `make test` installs it with npm (needs Node.js)")
    # a region manager: the region, one of its teams, and everything a team manager sees
    north = TeamFactory(name="North", manager=UserFactory(username="regional"))
    alpha = march_team("Alpha", parent=north)
    account = AccountFactory(owner=alpha.ann, name="Acme Logistics")
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 900 if width > 600 else 844}, is_mobile=width < 600
    )
    page = context.new_page()
    browser_login(page, "regional")
    problems: list[str] = []
    for url, name in manager_pages(north, alpha, account):
        if name == "not-found":
            page.goto(url)
            page.screenshot(path=str(artifacts_dir / f"{name}-{width}.png"), full_page=True)
            continue
        check(page, url, f"manager-{name}", artifacts_dir, problems)
    context.close()
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("width", [1280, 390])
def test_coaching_and_rep_pages_fit_the_screen_and_pass_axe(browser, live_server, artifacts_dir, width):
    if not AXE.exists():
        pytest.skip(f"axe-core not installed at {AXE}: `make test` installs it with npm (needs Node.js)")
    world = make_coaching_world()
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 900 if width > 600 else 844}, is_mobile=width < 600
    )
    page = context.new_page()
    problems: list[str] = []
    browser_login(page, world.manager.username)
    check(page, "/coaching/", "manager-coaching", artifacts_dir, problems)
    check(page, f"/coaching/sessions/{world.held['rep'].pk}/", "manager-session", artifacts_dir, problems)
    page.context.clear_cookies()
    browser_login(page, world.rep.user.username)
    for url, name in [
        ("/week/", "rep-week"),
        (f"/dashboard/reps/{world.rep.pk}/", "rep-own-page"),
        ("/coaching/", "rep-coaching"),
        ("/opportunities/", "rep-opportunities"),
        ("/opportunities/board/", "rep-board"),
        ("/accounts/", "rep-accounts"),
    ]:
        check(page, url, name, artifacts_dir, problems)
    context.close()
    assert problems == [], "\n".join(problems)


def test_a_manager_on_a_phone_sees_who_is_behind_and_plans_a_one_to_one_in_three_taps(phone_page, artifacts_dir):
    alpha = march_team("Alpha")
    page = phone_page
    browser_login(page, alpha.team.manager.username)
    page.goto(f"/dashboard/?{MONTH}&team={alpha.team.pk}")
    # the picker is folded into one line; the reps are cards with band, pace and the action
    summary = page.locator(".picker-fold > summary")
    assert "March 2025 · Alpha" in summary.inner_text()
    assert page.locator(".picker-form").first.is_hidden()
    assert overflow(page) <= 0
    bob_card = page.locator("#table-reps tbody tr", has_text="Bob Baker")
    assert "At risk" in bob_card.inner_text()
    for key in ("pace", "gap", "band", "trend"):
        assert bob_card.locator(f'td[data-key="{key}"]').is_visible(), key
    assert bob_card.locator('td[data-key="pace"]').get_attribute("data-label") == "Pace"  # shown before the figure
    action = bob_card.get_by_role("link", name="Plan a one-to-one")
    action.scroll_into_view_if_needed()
    box = action.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    with page.expect_navigation():
        action.tap()  # tap 1
    assert "/coaching/sessions/new/" in page.url
    page.screenshot(path=str(artifacts_dir / "phone-plan-one-to-one-390.png"), full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="Save").tap()  # tap 2: the form comes filled in for this rep, tomorrow at nine
    assert "/coaching/sessions/" in page.url and "/new/" not in page.url, page.url
    assert "Planned: One-to-one with Bob Baker" in page.content()
