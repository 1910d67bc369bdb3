"""The header's navigation as a new user meets it: on one line at 1280 px for every role in every
language (the less-used links under "More"), folded behind a "Menu" button on a 390 px phone,
opened with a tap or the keyboard, every link still there, and nothing axe-core calls serious."""

from __future__ import annotations

import pytest

from accounts.language import set_user_language
from tests.browser.test_pages_ux import AXE, serious_violations
from tests.conftest import browser_login
from tests.factories import AdminFactory, RepFactory, TeamFactory, UserFactory
from tests.i18n.catalogues import compile_all

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGUAGES = ("en", "el", "fr", "fa", "nb", "hu")
# A long real-world name: the user menu shows it.
FIRST, LAST = "Erzsébet", "Szentgyörgyi-Kovács"

# Where the pieces of the header sit: the brand and the account bar on the first line, the
# navigation's entries on the second, each one line.
HEADER_BOXES = """() => {
  const header = document.querySelector(".site-header");
  const middle = el => { const b = el.getBoundingClientRect(); return b.top + b.height / 2; };
  const shown = selector => [...header.querySelectorAll(selector)].filter(el => el.offsetParent !== null);
  const nav = document.querySelector("nav[aria-label]").getBoundingClientRect();
  return {
    header: header.getBoundingClientRect().height,
    nav: nav.height,
    line: parseFloat(getComputedStyle(document.querySelector(".nav a")).lineHeight),
    top: shown(".brand, .user-menu > *, .language-switcher > :not(label)").map(middle),
    entries: shown(".nav > li").map(el => [el.textContent.trim(), middle(el)]),
  };
}"""

NAV_HREFS = """() => [...document.querySelectorAll("#site-menu nav a")].map(a => a.getAttribute("href"))"""


@pytest.fixture(scope="module", autouse=True)
def _compiled():
    compile_all()


def _users() -> dict:
    team = TeamFactory(manager=UserFactory(username="manager", first_name=FIRST, last_name=LAST))
    rep = RepFactory(team=team, user=UserFactory(username="rep", first_name=FIRST, last_name=LAST))
    admin = AdminFactory(username="admin", first_name=FIRST, last_name=LAST)
    return {"admin": admin, "manager": team.manager, "rep": rep.user}


def _in_one_line(boxes: dict) -> list[str]:
    problems = []
    middles = [middle for _name, middle in boxes["entries"]]
    if max(middles) - min(middles) > 2:
        problems.append(f"navigation on several lines: {boxes['entries']}")
    if boxes["nav"] > 2 * boxes["line"]:
        problems.append(f"navigation {boxes['nav']:.0f} px high, a line is {boxes['line']:.0f} px")
    if max(boxes["top"]) - min(boxes["top"]) > 8:
        problems.append(f"account bar on several lines: {boxes['top']}")
    if boxes["header"] > 100:
        problems.append(f"header {boxes['header']:.0f} px high")
    return problems


@pytest.mark.parametrize("username", ["admin", "manager", "rep"])
def test_the_navigation_is_one_line_at_1280_px_in_every_language(page, artifacts_dir, username):
    _users()
    browser_login(page, username)
    problems: list[str] = []
    for language in LANGUAGES:
        with page.expect_navigation():
            page.select_option("#language-select", language)
        page.wait_for_load_state("load")
        assert page.locator("html").get_attribute("lang") == language
        boxes = page.evaluate(HEADER_BOXES)
        problems += [f"{username} {language}: {p}" for p in _in_one_line(boxes)]
        page.screenshot(path=str(artifacts_dir / f"nav-{username}-{language}-1280.png"))
    assert problems == [], "\n".join(problems)


def test_more_holds_the_admin_links_and_marks_the_current_page(page):
    _users()
    browser_login(page, "admin")
    page.goto("/audit/")
    nav = page.get_by_role("navigation", name="Main")
    more = nav.locator("details.nav-more, .nav-more details")
    assert more.get_attribute("open") is None
    assert nav.get_by_role("link", name="Audit trail").is_hidden()
    assert "current" in (nav.locator(".nav-more summary").get_attribute("class") or "")
    nav.get_by_text("More").click()
    more_links = {"Segments": "/segments/", "Import": "/imports/upload/", "Audit trail": "/audit/"}
    more_links |= {"API": "/api/docs/", "Admin": "/admin/"}
    for name, href in more_links.items():
        link = nav.get_by_role("link", name=name, exact=True)
        assert link.is_visible(), name
        assert link.get_attribute("href") == href, name
    assert nav.get_by_role("link", name="Audit trail").get_attribute("aria-current") == "page"
    # Escape closes it and gives the focus back to its summary; a click elsewhere closes it too
    page.keyboard.press("Escape")
    assert nav.get_by_role("link", name="Admin", exact=True).is_hidden()
    nav.get_by_text("More").click()
    page.locator("main h1").click()
    assert nav.get_by_role("link", name="Admin", exact=True).is_hidden()
    # the account bar keeps the password and logging out in sight
    assert page.get_by_role("link", name="Password").is_visible()
    assert page.get_by_role("button", name="Log out").is_visible()


def test_every_link_stays_and_keeps_its_url(page):
    """Every entry of the navigation table is in the header, with its address, for each role."""
    from django.urls import reverse

    from reps.access import role_of
    from reps.context_processors import NAVIGATION

    users = _users()
    for username, user in users.items():
        page.context.clear_cookies()
        browser_login(page, username)
        hrefs = page.evaluate(NAV_HREFS)
        role = role_of(user)
        expected = [reverse(name) for name, _label, roles in NAVIGATION if role in roles and name != "rep_detail"]
        assert sorted(h for h in hrefs if not h.startswith("/dashboard/reps/")) == sorted(expected), username


def test_on_a_phone_in_hungarian_the_menu_folds_behind_a_button(phone_page, artifacts_dir):
    set_user_language(_users()["admin"], "hu")
    page = phone_page
    browser_login(page, "admin")
    assert page.locator("html").get_attribute("lang") == "hu"
    height = page.viewport_size["height"]
    toggle = page.locator("button.menu-toggle")
    assert toggle.is_visible()
    assert toggle.get_attribute("aria-expanded") == "false"
    assert toggle.get_attribute("aria-controls") == "site-menu"
    header = page.locator(".site-header").bounding_box()
    page.screenshot(path=str(artifacts_dir / "nav-phone-hu-closed-390.png"))
    assert header["height"] <= 0.15 * height, header
    nav = page.locator("#site-menu nav")
    assert nav.is_hidden()
    if AXE.exists():
        assert serious_violations(page) == []

    # a tap opens it: every main link shows, "More" opens the rest
    toggle.tap()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert nav.is_visible()
    links = nav.locator(":scope > ul > li > a")
    assert links.count() >= 9
    for n in range(links.count()):
        assert links.nth(n).is_visible()
        box = links.nth(n).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    page.locator(".nav-more summary").tap()
    assert nav.locator('a[href="/admin/"]').is_visible()
    assert page.locator("#language-select").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(artifacts_dir / "nav-phone-hu-open-390.png"))
    if AXE.exists():
        assert serious_violations(page) == []

    # the menu closes again with the button
    toggle.tap()
    assert nav.is_hidden()


def test_the_keyboard_opens_the_phone_menu_and_escape_closes_it(phone_page):
    _users()
    page = phone_page
    browser_login(page, "manager")
    page.goto("/coaching/")
    toggle = page.get_by_role("button", name="Menu", exact=True)  # the arrow is decoration, not its name
    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Tab")  # brand
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('menu-toggle')")
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true"
    page.keyboard.press("Tab")  # into the menu: the account bar first, then the links
    assert page.evaluate("document.activeElement.closest('#site-menu') !== null")
    for _ in range(6):
        if page.evaluate("document.activeElement.closest('#site-menu nav') !== null"):
            break
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "/dashboard/"
    current = page.locator("#site-menu nav a[aria-current='page']")
    assert current.get_attribute("href") == "/coaching/"
    page.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert page.evaluate("document.activeElement.classList.contains('menu-toggle')")
    page.keyboard.press("Space")
    assert toggle.get_attribute("aria-expanded") == "true"


def test_without_javascript_every_link_shows(browser, live_server):
    _users()
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True, java_script_enabled=False
    )
    page = context.new_page()
    browser_login(page, "manager")
    assert page.locator("button.menu-toggle").is_hidden()
    nav = page.get_by_role("navigation", name="Main")
    for name in ("Team dashboard", "Quotas", "Coaching", "Accounts"):
        assert nav.get_by_role("link", name=name).is_visible(), name
    nav.get_by_text("More").click()  # <details> opens without JavaScript
    assert nav.get_by_role("link", name="Segments").is_visible()
    context.close()
