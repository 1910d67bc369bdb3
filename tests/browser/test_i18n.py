"""The main pages in French, Persian (right to left) and Hungarian, on a desktop (1280 px) and
a phone (390 px): screenshots in test-artifacts/i18n/, no element wider than the viewport, and
in every language whose catalogue is complete (tests/i18n/catalogues.py) none of the most
visible English labels left."""

from __future__ import annotations

import re

import pytest

from coaching.models import ActionItem, CoachingFeedback, CoachingSession
from reps.models import Account, Opportunity, Pipeline, Stage, Team
from tests.coaching.world import make_coaching_world
from tests.i18n.catalogues import REQUIRED_COMPLETE, compile_all

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGUAGES = ("fr", "fa", "hu")
WIDTHS = (1280, 390)
# The 50 most visible labels of the dashboard, a rep page, the one-to-one and the board.
ENGLISH_LABELS = (
    "Team dashboard",
    "My week",
    "Team meeting",
    "Leaderboard",
    "Opportunities",
    "Accounts",
    "Log out",
    "Password",
    "Target",
    "Actual",
    "Attainment",
    "Pace",
    "Band",
    "Forecast",
    "Coverage",
    "Win rate",
    "Open pipeline",
    "Weighted pipeline",
    "Complaints",
    "Plan done",
    "At risk",
    "On target",
    "Previous",
    "Next",
    "This week",
    "This month",
    "This quarter",
    "Week",
    "Month",
    "Quarter",
    "Period",
    "Show",
    "Data table",
    "Funnel",
    "Weekly trends",
    "Agenda",
    "Private notes",
    "Shared with the rep",
    "Save",
    "Cancel",
    "Consequence",
    "How to improve",
    "Add action",
    "Deals worth a review",
    "Open deals",
    "Board",
    "List",
    "Overdue next steps",
    "Activity plan",
    "Skip to content",
)
assert len(ENGLISH_LABELS) == 50

WIDER_THAN_VIEWPORT = """() => {
  const width = document.documentElement.clientWidth;
  const scrolls = el => { for (let p = el.parentElement; p; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX; if (o !== "visible") return true; } return false; };  // scrolled or clipped
  const wide = [];
  const page = document.documentElement.scrollWidth;
  if (page > width + 1) wide.push("page scrolls sideways: " + page);
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    const offscreen = box.right <= 0 || box.left >= width;  // plotly's text-measuring svg sits far off-screen
    const name = el.tagName + "#" + el.id + "." + (el.getAttribute("class") || "");
    if (box.width > width + 1 && !offscreen && !scrolls(el)) wide.push(name + " " + Math.round(box.width));
  }
  return wide.slice(0, 10);
}"""

# Axis labels and titles of the drawn charts that lie outside their chart (cut off): in a
# right-to-left page plotly.js misplaced them until the charts were laid out left to right.
LABELS_OUTSIDE_CHARTS = """() => {
  const outside = [];
  for (const plot of document.querySelectorAll(".chart-plot")) {
    const svg = plot.querySelector("svg.main-svg");
    if (!svg) continue;
    const box = svg.getBoundingClientRect();
    for (const text of plot.querySelectorAll(".xtick text, .ytick text, .g-xtitle text, .g-ytitle text")) {
      const r = text.getBoundingClientRect();
      const cut = r.width > 0 && (r.left < box.left - 1 || r.right > box.right + 1);
      if (cut) outside.push(plot.dataset.figure + ": " + text.textContent);
    }
  }
  return outside.slice(0, 10);
}"""

SHOWN_TEXT = """() => {
  const copy = document.body.cloneNode(true);
  copy.querySelectorAll("script, .language-switcher").forEach(el => el.remove());
  return copy.textContent.replace(/\\s+/g, " ");
}"""


@pytest.fixture(scope="module", autouse=True)
def _compiled():
    compile_all()


@pytest.fixture
def cworld():
    return make_coaching_world()


def _data_texts() -> list[str]:
    """Names and notes typed by people (the test's data is English): not labels to translate."""
    texts: list[str] = []
    texts += Team.objects.values_list("name", flat=True)
    texts += Account.objects.values_list("name", flat=True)
    texts += Opportunity.objects.values_list("name", flat=True)
    texts += Stage.objects.values_list("name", flat=True)
    texts += Pipeline.objects.values_list("name", flat=True)
    texts += ActionItem.objects.values_list("title", flat=True)
    for problem, consequence, improvement in CoachingFeedback.objects.values_list("problem", "consequence", "improvement"):
        texts += [problem, consequence, improvement]
    for shared, private in CoachingSession.objects.values_list("shared_notes", "private_notes"):
        texts += [shared, private]
    return sorted((text for text in texts if text), key=len, reverse=True)


def _login(browser, live_server, language: str, width: int, username: str, password: str):
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": width, "height": 900},
        locale={"fr": "fr-FR", "fa": "fa-IR", "hu": "hu-HU"}[language],
        is_mobile=width < 600,
    )
    context.set_default_timeout(60_000)
    page = context.new_page()
    page.goto("/login/")
    assert page.locator("html").get_attribute("lang") == language
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.click("form[action='/login/'] button[type=submit]")
    return context, page


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_main_pages_in_each_language(browser, live_server, cworld, password, artifacts_dir, language, width):
    manager, rep = cworld.manager, cworld.rep
    pages = {
        "dashboard": f"/dashboard/?team={rep.team_id}",
        "rep": f"/dashboard/reps/{rep.pk}/",
        "one-to-one": f"/coaching/sessions/{cworld.held['rep'].pk}/",
        "board": "/opportunities/board/",
    }
    folder = artifacts_dir / "i18n"
    folder.mkdir(parents=True, exist_ok=True)
    context, page = _login(browser, live_server, language, width, manager.username, password)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    data = _data_texts()
    try:
        for name, url in pages.items():
            response = page.goto(url)
            assert response.status == 200, (name, response.status)
            page.wait_for_load_state("networkidle")
            html = page.locator("html")
            assert html.get_attribute("lang") == language
            assert html.get_attribute("dir") == ("rtl" if language == "fa" else "ltr")
            page.screenshot(path=str(folder / f"{language}-{width}-{name}.png"), full_page=True)
            wide = page.evaluate(WIDER_THAN_VIEWPORT)
            assert not wide, f"{language} {width}px {name}: wider than the viewport: {wide}"
            if page.locator(".chart-plot").count():
                page.wait_for_selector(".chart-plot svg.main-svg")
                page.wait_for_timeout(300)  # plotly's automargin redraws once after the first layout
                cut = page.evaluate(LABELS_OUTSIDE_CHARTS)
                assert not cut, f"{language} {width}px {name}: chart labels cut off: {cut}"
            if language in REQUIRED_COMPLETE:
                text = page.evaluate(SHOWN_TEXT)
                for typed in data:
                    text = text.replace(typed, " ")
                left = [label for label in ENGLISH_LABELS if re.search(rf"(?<![\w-]){re.escape(label)}(?![\w-])", text)]
                assert not left, f"{language} {name}: English left: {left}"
        assert not errors, errors
    finally:
        context.close()
