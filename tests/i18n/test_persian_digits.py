"""In Persian every figure a page shows is written in Persian digits, as the quota grid writes
them (salesperf.l10n): tiles, tables, dates, counts in headings, "page X of Y". Charts' data
travel as JSON (plotly.js draws Latin digits) and are not text of the page."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from accounts.language import set_user_language
from tests.kpis.dashboard_helpers import MARCH, march_team

pytestmark = pytest.mark.django_db

LATIN = re.compile(r"[0-9]")
SKIPPED = {"script", "style", "template", "code"}


class _Text(HTMLParser):
    """The page's text as a reader sees it (not scripts, not attributes), in pieces."""

    def __init__(self) -> None:
        super().__init__()
        self.skipping = 0
        self.pieces: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED:
            self.skipping += 1

    def handle_endtag(self, tag):
        if tag in SKIPPED and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping and data.strip():
            self.pieces.append(" ".join(data.split()))


def latin_digits(html: str, allowed: tuple[str, ...] = ()) -> list[str]:
    """Every piece of the page's text with a Latin digit, except the ``allowed`` ones (names
    typed by people, the product's own name)."""
    parser = _Text()
    parser.feed(html)
    found = []
    for piece in parser.pieces:
        text = piece
        for typed in allowed:
            text = text.replace(typed, "")
        if LATIN.search(text):
            found.append(piece)
    return found


@pytest.fixture
def persian_manager(client):
    alpha = march_team("Alpha")
    set_user_language(alpha.team.manager, "fa")
    client.force_login(alpha.team.manager)
    session = client.session
    session["salesperf_language"] = "fa"
    session.save()
    return alpha


def _typed() -> tuple[str, ...]:
    """Names typed by people (the test's deals are named after their day): data, not figures."""
    from reps.models import Opportunity

    return tuple(Opportunity.objects.values_list("name", flat=True))


def _get(client, url, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200, url
    html = response.content.decode()
    assert 'lang="fa"' in html
    return html


def test_the_dashboard_in_persian_has_no_latin_digit(client, persian_manager):
    html = _get(client, "/dashboard/", **MARCH, team=persian_manager.team.pk)
    assert "۸۵٫۰ %" in html or "۸۵٫۰" in html  # the team's attainment, in Persian digits
    assert latin_digits(html, _typed()) == [], "\n".join(latin_digits(html, _typed()))


def test_a_rep_page_in_persian_has_no_latin_digit(client, persian_manager):
    html = _get(client, f"/dashboard/reps/{persian_manager.ann.pk}/", **MARCH)
    assert "۱٬۲۰۰" in html  # Ann's won amount
    assert latin_digits(html, _typed()) == [], "\n".join(latin_digits(html, _typed()))


def test_the_leaderboard_team_meeting_and_deals_in_persian_have_no_latin_digit(client, persian_manager):
    for html in (
        _get(client, "/leaderboard/", **MARCH),
        _get(client, "/team-meeting/", team=persian_manager.team.pk, start="2025-03-10"),
        _get(client, "/opportunities/"),
        _get(client, "/opportunities/board/"),
    ):
        assert latin_digits(html, _typed()) == [], "\n".join(latin_digits(html, _typed()))
