"""A one-to-one in headless Chromium: the manager plans it from Coaching, goes through the agenda,
writes 3-part feedback and an action item and marks it held; the rep then sees it (without the
private notes) and ticks the action item done. Screenshots at desktop and phone width."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from coaching.models import ActionItem, CoachingFeedback, CoachingSession, SessionStatus
from tests.coaching.world import make_coaching_world
from tests.conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def cworld():
    return make_coaching_world()


def test_a_one_to_one_from_plan_to_done_action(page, phone_page, cworld, artifacts_dir):
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    manager = cworld.manager
    browser_login(page, manager.username)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Coaching").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().startswith("Coaching")
    assert page.get_by_text("ideally half").count() == 1

    # Plan a one-to-one with Rita from her row
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile(r"^Plan a one-to-one\s+with Rita Rep$")).click()
    assert page.get_by_label(re.compile(r"^Rep:?$")).input_value() == str(cworld.rep.pk)
    # Late today: it can be marked held (same day), and its agenda is today's (a session's agenda
    # is as of its start, and Rita's deal was created today).
    today = timezone.localdate()
    tomorrow = today + dt.timedelta(days=1)
    page.get_by_label("When").fill(f"{today.isoformat()}T23:00")
    page.get_by_label("Length (minutes)").fill("40")
    page.get_by_label("Private notes").fill("Secret: worried about her motivation")
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    session = CoachingSession.objects.get(private_notes="Secret: worried about her motivation")
    assert page.url.endswith(f"/coaching/sessions/{session.pk}/")
    assert page.get_by_role("status").inner_text().startswith("Planned")

    # The agenda is there, built from Rita's numbers
    agenda = page.locator("section.agenda")
    assert agenda.get_by_role("heading", name="Agenda").count() == 1
    assert agenda.get_by_role("link", name="Deal of rep").count() == 1  # a deal worth a review
    assert agenda.get_by_text("No quota covers this date").count() == 1

    # 3-part feedback
    page.get_by_label("Problem").fill("Jumped to the demo before the pain was clear")
    page.get_by_label("Consequence").fill("The customer did not see the value")
    page.get_by_label("How to improve").fill("Ask three discovery questions first")
    with page.expect_navigation():
        page.get_by_role("button", name="Save feedback").click()
    assert CoachingFeedback.objects.filter(session=session, improvement="Ask three discovery questions first").exists()

    # an action item
    page.get_by_label(re.compile(r"^Action:?$")).fill("Send the recap to ACME")
    page.get_by_label("Due date").fill((tomorrow + dt.timedelta(days=3)).isoformat())
    with page.expect_navigation():
        page.get_by_role("button", name="Add action").click()
    item = ActionItem.objects.get(title="Send the recap to ACME")
    assert item.session == session

    # held
    page.get_by_label(re.compile(r"^Status:?$")).select_option("held")
    page.get_by_label("Notes shared with the rep").fill("Good progress on discovery")
    with page.expect_navigation():
        page.get_by_role("button", name="Save session").click()
    session.refresh_from_db()
    assert session.status == SessionStatus.HELD
    assert page.locator("#session-status").inner_text() == "Held"
    assert page.locator("p.notes", has_text="Secret: worried about her motivation").count() == 1  # the manager sees them
    page.screenshot(path=str(artifacts_dir / "coaching-session-desktop.png"), full_page=True)
    page.goto("/coaching/")
    page.screenshot(path=str(artifacts_dir / "coaching-desktop.png"), full_page=True)
    assert errors == []

    # The rep, from a phone
    phone = phone_page
    browser_login(phone, cworld.rep.user.username)
    phone.goto("/coaching/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    assert phone.get_by_text("Ask three discovery questions first").count() == 1
    phone.goto(f"/coaching/sessions/{session.pk}/")
    content = phone.content()
    assert "Good progress on discovery" in content
    assert "worried about her motivation" not in content
    assert phone.get_by_role("button", name="Save feedback").count() == 0
    with phone.expect_navigation():
        phone.locator("#actions").get_by_role("button", name=re.compile(r"^Done\s*: Send the recap to ACME$")).click()
    item.refresh_from_db()
    assert item.is_done
    reopen = phone.locator("#actions").get_by_role("button", name=re.compile(r"^Open again\s*: Send the recap to ACME$"))
    assert reopen.count() == 1
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=str(artifacts_dir / "coaching-session-phone.png"), full_page=True)
    phone.goto("/coaching/")
    phone.screenshot(path=str(artifacts_dir / "coaching-rep-phone.png"), full_page=True)


def test_nothing_typed_on_the_session_page_is_lost_whatever_is_clicked(page, cworld):
    """Type in every field, click every button in turn: each click saves everything typed; a link
    away with unsaved text asks first."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    dialogs: list[str] = []

    def dismiss(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", dismiss)
    session = cworld.held["rep"]
    item = cworld.actions["rep"]
    browser_login(page, cworld.manager.username)
    page.goto(f"/coaching/sessions/{session.pk}/")

    def fill_notes(text: str) -> None:
        page.get_by_label("Notes shared with the rep").fill(f"{text} shared")
        page.get_by_label("Private notes").fill(f"{text} private")

    def saved(text: str) -> None:
        session.refresh_from_db()
        assert (session.shared_notes, session.private_notes) == (f"{text} shared", f"{text} private")

    # 1. every field, then "Save feedback": the notes, the feedback and the action are all saved
    fill_notes("One")
    page.get_by_label("Length (minutes)").fill("50")
    page.get_by_label("Problem").fill("Skipped the discovery questions")
    page.get_by_label("Consequence").fill("The proposal missed the pain")
    page.get_by_label("How to improve").fill("Ask three questions first")
    page.get_by_label(re.compile(r"^Action:?$")).fill("Prepare three questions")
    page.get_by_label("Due date").fill((timezone.localdate() + dt.timedelta(days=5)).isoformat())
    with page.expect_navigation():
        page.get_by_role("button", name="Save feedback").click()
    saved("One")
    session.refresh_from_db()
    assert session.minutes == 50
    assert CoachingFeedback.objects.filter(session=session, improvement="Ask three questions first").exists()
    assert ActionItem.objects.filter(session=session, title="Prepare three questions").exists()

    # 2. notes, then "Add action" with no action typed: the notes are saved
    fill_notes("Two")
    with page.expect_navigation():
        page.get_by_role("button", name="Add action").click()
    saved("Two")

    # 3. notes, then "Done" on an action item: both saved
    fill_notes("Three")
    with page.expect_navigation():
        page.locator("#actions").get_by_role("button", name=re.compile(rf"^Done\s*: {item.title}$")).click()
    saved("Three")
    item.refresh_from_db()
    assert item.is_done

    # 4. notes, then "Open again"
    fill_notes("Four")
    with page.expect_navigation():
        page.locator("#actions").get_by_role("button", name=re.compile(rf"^Open again\s*: {item.title}$")).click()
    saved("Four")
    item.refresh_from_db()
    assert not item.is_done

    # 5. notes and half a feedback, then "Save session": refused as a whole, nothing typed is lost
    fill_notes("Five")
    page.get_by_label("Problem").fill("Only the problem")
    with page.expect_navigation():
        page.get_by_role("button", name="Save session").click()
    assert page.get_by_role("alert").inner_text().startswith("Nothing was saved")
    assert page.get_by_label("Notes shared with the rep").input_value() == "Five shared"
    assert page.get_by_label("Problem").input_value() == "Only the problem"
    saved("Four")
    page.get_by_label("Consequence").fill("It stays vague")
    page.get_by_label("How to improve").fill("Write all three parts")
    with page.expect_navigation():
        page.get_by_role("button", name="Save session").click()
    saved("Five")
    assert CoachingFeedback.objects.filter(session=session, problem="Only the problem").exists()

    # 6. text typed, then a link away: the browser asks first, and staying keeps the text
    fill_notes("Six")
    page.locator("p.actions").get_by_role("link", name="Coaching").click()
    page.wait_for_timeout(300)
    assert dialogs == ["beforeunload"]
    assert page.url.endswith(f"/coaching/sessions/{session.pk}/")
    assert page.get_by_label("Notes shared with the rep").input_value() == "Six shared"
    with page.expect_navigation():
        page.get_by_role("button", name="Save session").click()
    saved("Six")
    page.locator("p.actions").get_by_role("link", name="Coaching").click()  # nothing unsaved: no question
    page.wait_for_url("**/coaching/")
    assert dialogs == ["beforeunload"]
    assert errors == []


def test_the_reps_coaching_status_fits_a_desktop_screen(page, cworld):
    """At 1280 px the "Your reps" table shows every column, the Plan link included, without
    scrolling sideways: the attention flags wrap instead of widening the table."""
    rep = cworld.rep
    rep.user.first_name, rep.user.last_name = "Wiebke", "Bernard-Kovács"
    rep.user.save(update_fields=["first_name", "last_name"])
    for n in range(3):  # overdue action items and deals worth a review: the longest flags
        ActionItem.objects.create(
            rep=rep, created_by=cworld.manager, title=f"Overdue {n}", due_date=timezone.localdate() - dt.timedelta(days=3)
        )
    browser_login(page, cworld.manager.username)
    page.goto("/coaching/")
    table = page.locator("table", has=page.get_by_role("columnheader", name="Attention"))
    assert table.get_by_text(re.compile("overdue action items")).count() >= 1
    wrap = table.locator("xpath=..")
    overflow = wrap.evaluate("box => box.scrollWidth - box.clientWidth")
    assert overflow <= 0, f"the reps table is {overflow} px wider than its box"
    assert table.get_by_role("link", name=re.compile(r"^Plan a one-to-one")).first.is_visible()
