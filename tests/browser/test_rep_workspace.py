"""A rep's day in headless Chromium: keyboard-only quick-add, one-click done, a deal moved to
won on the board, and the same work (plus feedback) at phone width."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from reps.models import Activity, ActivityStatus, CustomerFeedback, Opportunity
from tests.api.world import make_world
from tests.conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world():
    return make_world()


def _focused_id(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def _focus_reaches(page, element_id: str) -> bool:
    """Whether the focus lands on ``element_id`` within a few seconds (a dialog gives it back
    when its close event has run, a moment after the key)."""
    try:
        page.wait_for_function("id => document.activeElement && document.activeElement.id === id", arg=element_id, timeout=5000)
    except PlaywrightTimeoutError:
        return False
    return True


def test_quick_add_works_with_the_keyboard_alone(page, world):
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    browser_login(page, "rita")
    page.goto("/week/")
    assert _focused_id(page) == "id_kind"  # the form takes the focus: no mouse needed to start
    page.keyboard.type("e")  # a select jumps to the first option starting with the letter: Email
    for _ in range(8):  # status, then the date's segments (Chromium tabs through them), then the target
        page.keyboard.press("Tab")
        if _focused_id(page) == "id_target":
            break
    assert _focused_id(page) == "id_target"
    page.keyboard.type("Deal of rep")
    page.keyboard.press("Tab")
    page.keyboard.type("Sent the proposal")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("status").inner_text().startswith("Saved")
    activity = Activity.objects.get(subject="Sent the proposal")
    assert (activity.kind, activity.status, activity.opportunity) == ("email", ActivityStatus.DONE, world.opportunities["rep"])
    assert errors == []


def test_one_click_done(page, world):
    browser_login(page, "rita")
    page.goto("/week/")
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile(r"^Done\s*: Call of rep$")).click()
    activity = Activity.objects.get(pk=world.activities["rep"].pk)
    assert activity.status == ActivityStatus.DONE
    assert page.get_by_role("button", name=re.compile(r"^Done\s*: Call of rep$")).count() == 0


def test_moving_a_deal_on_the_board_with_the_keyboard_and_by_dragging(page, world, artifacts_dir):
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    browser_login(page, "rita")
    page.goto("/opportunities/board/")
    # the keyboard way: the card's "Move to" control; won asks for the close date first
    card = page.get_by_role("article", name="Deal of rep")
    card.get_by_label("Move Deal of rep to").select_option(label="Won")
    card.get_by_role("button", name="Move").press("Enter")
    dialog = page.get_by_role("dialog")
    assert dialog.is_visible() and _focus_reaches(page, "close-date"), _focused_id(page)
    assert dialog.get_by_label("Lost reason").is_hidden()
    page.keyboard.press("Escape")  # changed their mind: nothing moved, the focus is back on the card
    assert _focus_reaches(page, f"move-{world.opportunities['rep'].pk}"), _focused_id(page)
    assert dialog.is_hidden()
    assert card.get_by_label("Move Deal of rep to").input_value() == str(world.opportunities["rep"].stage_id)
    card.get_by_label("Move Deal of rep to").select_option(label="Won")
    card.get_by_role("button", name="Move").press("Enter")
    won_on = timezone.localdate() - dt.timedelta(days=3)
    dialog.get_by_label("Close date").fill(won_on.isoformat())
    with page.expect_navigation():
        dialog.get_by_role("button", name="Move").click()
    deal = Opportunity.objects.get(pk=world.opportunities["rep"].pk)
    assert (deal.stage.kind, deal.close_date) == ("won", won_on)
    won_card = page.locator("section.stage-won").get_by_role("article", name="Deal of rep")
    assert f"won {won_on.day} {won_on:%b %Y}" in won_card.inner_text()

    # drag and drop: to an open stage at once, to lost with the reason
    def drag(stage: str) -> None:
        page.get_by_role("article", name="Deal of rep").drag_to(
            page.locator(f'section.board-column[data-name="{stage}"]'), source_position={"x": 4, "y": 4}
        )

    with page.expect_navigation():
        drag("Proposal")
    assert Opportunity.objects.get(pk=deal.pk).stage.name == "Proposal"
    drag("Lost")
    page.get_by_role("dialog").get_by_label("Lost reason").fill("Budget frozen")
    page.screenshot(path=str(artifacts_dir / "board-lost-dialog-1280.png"))
    with page.expect_navigation():
        page.get_by_role("dialog").get_by_role("button", name="Move").click()
    deal = Opportunity.objects.get(pk=deal.pk)
    assert (deal.stage.kind, deal.lost_reason, deal.close_date) == ("lost", "Budget frozen", timezone.localdate())
    assert errors == []


def test_moving_a_deal_to_won_on_the_board_without_javascript(browser, live_server, world):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    browser_login(page, "rita")
    page.goto("/opportunities/board/")
    card = page.get_by_role("article", name="Deal of rep")
    card.get_by_label("Move Deal of rep to").select_option(label="Won")
    with page.expect_navigation():
        card.get_by_role("button", name="Move").click()
    page.get_by_label("Close date").fill("2026-01-12")  # asked on a page of its own
    with page.expect_navigation():
        page.get_by_role("button", name="Move").click()
    assert page.url.endswith("/opportunities/board/")
    deal = Opportunity.objects.get(pk=world.opportunities["rep"].pk)
    assert (deal.stage.kind, deal.close_date) == ("won", timezone.datetime(2026, 1, 12).date())
    context.close()


def test_a_rep_works_from_a_phone(phone_page, world, artifacts_dir):
    page = phone_page
    browser_login(page, "rita")
    page.goto("/week/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    page.get_by_label("Account or opportunity").fill("Deal of rep")
    page.get_by_label("Note").fill("Called from the car")
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    assert Activity.objects.filter(subject="Called from the car", status=ActivityStatus.DONE).exists()
    page.screenshot(path=str(artifacts_dir / "rep_week_phone.png"), full_page=True)

    page.goto(f"/opportunities/{world.opportunities['rep'].pk}/")
    page.get_by_label("Move to stage").select_option(label="Lost")
    with page.expect_navigation():
        page.get_by_role("button", name="Move").click()
    assert page.get_by_text("Say why the deal was lost.").count() == 1  # asked for, next to the field
    page.get_by_label("Lost reason").fill("Budget frozen")
    with page.expect_navigation():
        page.get_by_role("button", name="Move").click()
    assert Opportunity.objects.get(pk=world.opportunities["rep"].pk).lost_reason == "Budget frozen"

    page.goto(f"/accounts/{world.accounts['rep'].pk}/")
    page.get_by_label("Satisfaction (1–5)").select_option("5")
    page.get_by_label("Text").fill("Very happy with the service")
    with page.expect_navigation():
        page.get_by_role("button", name="Save feedback").click()
    assert CustomerFeedback.objects.filter(text="Very happy with the service", score=5, rep=world.rep).exists()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(artifacts_dir / "rep_account_phone.png"), full_page=True)
