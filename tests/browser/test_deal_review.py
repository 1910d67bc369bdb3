"""A deal review and recognition in headless Chromium: from the rep's page the manager opens a
deal worth a review (with the stage's coaching tip beside it), records the review with an action
item, then recognises the rep's good work; the rep sees the review's outcome and the
recognition, never the private notes. Screenshots at desktop and phone width."""

from __future__ import annotations

import re

import pytest

from coaching import services
from coaching.models import ActionItem, DealReview, Recognition
from tests.coaching.world import make_coaching_world
from tests.conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def cworld():
    return make_coaching_world()


def test_the_manager_records_a_deal_review_and_recognition(page, phone_page, cworld, artifacts_dir):
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    deal = cworld.opportunities["rep"]
    services.stage_tip_save(stage=deal.stage, tip="Qualify fast: a real problem, a budget, a decider.", stall_after_days=21)

    browser_login(page, cworld.manager.username)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Coaching").click()
    page.wait_for_load_state()
    with page.expect_navigation():
        page.locator("#table-coaching-reps").get_by_role("link", name="Rita Rep", exact=True).click()

    # The deal worth a review, and the way to review it
    reviews = page.locator("#table-review")
    assert reviews.get_by_text("no next step").count() == 1
    with page.expect_navigation():
        reviews.get_by_role("link", name="Record a review").click()
    assert page.locator("h1").inner_text() == "Review of Deal of rep"
    assert page.get_by_text("Qualify fast: a real problem").count() == 1
    assert page.get_by_text("stalled after 21 days", exact=False).count() == 1

    # Saving without saying whether the rep is in control is refused, with a message
    with page.expect_navigation():
        page.get_by_role("button", name="Save the review").click()
    assert page.get_by_text("Say whether the rep is in control").count() == 1

    page.get_by_label("Partly").check()
    page.get_by_label("What is missing").fill("Nobody has met the CFO who signs.")
    page.get_by_label("Next step agreed").fill("Rita asks her contact for a call with the CFO this week.")
    page.get_by_label("Private notes").fill("Secret: she avoids senior people")
    page.get_by_label("Action 1").fill("Book the CFO call")
    page.screenshot(path=str(artifacts_dir / "deal-review-form-desktop.png"), full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="Save the review").click()
    review = DealReview.objects.get()
    assert review.in_control == "partly" and review.reviewed_by == cworld.manager
    assert ActionItem.objects.get(title="Book the CFO call").rep == cworld.rep
    assert page.get_by_role("status").inner_text().startswith("Review of Deal of rep saved")
    open_deals = page.locator("#table-open_deals")
    assert open_deals.get_by_text(re.compile("in control: Partly; missing: Nobody has met the CFO")).count() == 1

    # Recognition from the rep's page
    with page.expect_navigation():
        page.get_by_role("link", name="Give recognition").first.click()
    page.get_by_label("What was good").fill("Your discovery notes are the best in the team.")
    page.get_by_label("Share it with the team").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save the recognition").click()
    assert Recognition.objects.get().shared_with_team
    feed = page.locator("#recognition-feed")
    assert feed.get_by_text("Your discovery notes are the best in the team.").count() == 1
    assert feed.get_by_text("Problem of rep").count() == 1  # the feedback, in the same timeline
    page.screenshot(path=str(artifacts_dir / "deal-review-rep-page-desktop.png"), full_page=True)
    assert errors == []

    # The rep, from a phone: the outcome of the review and the recognition, not the private notes
    phone = phone_page
    browser_login(phone, cworld.rep.user.username)
    phone.goto(f"/dashboard/reps/{cworld.rep.pk}/")
    content = phone.content()
    assert "Nobody has met the CFO" in content and "Your discovery notes" in content
    assert "avoids senior people" not in content and "Record a review" not in content
    phone.goto("/coaching/")
    assert phone.get_by_text("Your discovery notes are the best in the team.").count() == 1
    assert phone.get_by_text("Book the CFO call").count() >= 1
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=str(artifacts_dir / "recognition-rep-phone.png"), full_page=True)


def test_a_review_or_recognition_typed_but_not_saved_is_not_lost_on_leaving(page, cworld):
    """The review, recognition, account plan and new session forms ask before leaving with text
    typed (like the session page); staying keeps the text, and saving never asks."""
    dialogs: list[str] = []

    def dismiss(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", dismiss)
    session = cworld.planned["rep"]
    deal = cworld.opportunities["rep"]
    browser_login(page, cworld.manager.username)

    page.goto(f"/coaching/deals/{deal.pk}/review/?session={session.pk}")
    page.get_by_label("What is missing").fill("Who signs")
    page.get_by_role("link", name=re.compile("Back to the session")).click()
    page.wait_for_timeout(300)
    assert dialogs == ["beforeunload"]
    assert page.get_by_label("What is missing").input_value() == "Who signs"
    page.get_by_label("Partly").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save the review").click()
    assert dialogs == ["beforeunload"]  # saving does not ask
    assert DealReview.objects.get(opportunity=deal).missing == "Who signs"

    for url, field in (
        (f"/coaching/reps/{cworld.rep.pk}/recognition/", "What was good"),
        (f"/coaching/accounts/{deal.account_id}/plan/", "Goal"),
        (f"/coaching/sessions/new/?rep={cworld.rep.pk}", "Private notes"),
    ):
        dialogs.clear()
        page.goto(url)
        box = page.get_by_label(re.compile(f"^{field}")).first
        box.fill("Typed, not saved")
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Coaching").click()
        page.wait_for_timeout(300)
        assert dialogs == ["beforeunload"], url
        assert box.input_value() == "Typed, not saved"
        box.fill("")  # nothing typed any more: the next page opens without a question
