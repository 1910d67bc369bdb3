"""The main pages run under the strict Content-Security-Policy without a single violation:
charts drawn, scripts run, styles applied, all from our own static files."""

from __future__ import annotations

import pytest

from tests.coaching.world import make_coaching_world
from tests.conftest import browser_login
from tests.factories import AdminFactory
from tests.kpis.dashboard_helpers import march_team

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Registered before any page script runs: every violation the browser reports is kept.
COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push([event.violatedDirective, event.blockedURI || "inline",
    event.sourceFile + ":" + event.lineNumber + ":" + event.columnNumber].join(" "));
});
"""


class Watch:
    """Violations and console errors of one browser page, checked after each visit."""

    def __init__(self, page) -> None:
        self.page = page
        self.console: list[str] = []
        page.add_init_script(COLLECT_VIOLATIONS)
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.console.append(str(error)))

    def _on_console(self, message) -> None:
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            self.console.append(f"{message.text} @ {message.location}")

    def visit(self, url: str) -> None:
        response = self.page.goto(url)
        assert response is not None and response.ok, url
        assert "script-src 'self'" in response.headers["content-security-policy"]
        self.page.wait_for_load_state("load")
        self.check(url)

    def check(self, where: str) -> None:
        violations = self.page.evaluate("window.__cspViolations")
        csp_console = [text for text in self.console if "Content Security Policy" in text]
        assert violations == [], (where, violations)
        assert csp_console == [], (where, csp_console)
        assert self.console == [], (where, self.console)


def test_dashboard_rep_page_and_meeting_pass_the_policy(page):
    alpha = march_team("Alpha")
    watch = Watch(page)
    watch.visit("/login/")
    browser_login(page, alpha.team.manager.username)
    watch.check("after login")

    month = f"period=month&start=2025-03-01&team={alpha.team.pk}"
    watch.visit(f"/dashboard/?{month}")
    page.wait_for_selector("#chart-attainment .main-svg")  # plotly.js drew under the policy
    watch.check("dashboard charts")
    watch.visit(f"/dashboard/reps/{alpha.ann.pk}/?period=month&start=2025-03-01")
    page.wait_for_selector(".chart-plot .main-svg")
    watch.check("rep page charts")
    watch.visit(f"/team-meeting/?team={alpha.team.pk}")
    assert page.locator(".print-button").first.is_visible()  # print.js ran
    watch.visit("/leaderboard/")
    watch.visit("/api/docs/")
    page.wait_for_selector(".swagger-ui .information-container")  # Swagger UI started from its script file
    watch.check("api docs")


def test_coaching_and_rep_pages_pass_the_policy(page):
    world = make_coaching_world()
    watch = Watch(page)
    browser_login(page, world.manager.username)
    watch.visit("/coaching/")
    watch.visit(f"/coaching/sessions/{world.held['rep'].pk}/")
    watch.visit("/team/")

    page.context.clear_cookies()
    browser_login(page, world.rep.user.username)
    watch.visit("/week/")
    watch.visit("/coaching/")
    watch.visit("/opportunities/board/")
    watch.visit("/password/")


def test_the_admin_and_password_reset_pages_pass_the_policy(page):
    AdminFactory(username="root")
    watch = Watch(page)
    watch.visit("/password/reset/")
    browser_login(page, "root")
    watch.visit("/admin/")
    watch.visit("/admin/auth/user/")
