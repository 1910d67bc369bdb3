"""Shared fixtures: users of each role, and a headless Chromium for browser tests."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.factories import PASSWORD, AdminFactory, RepFactory, TeamFactory, UserFactory, make_pipeline

# Playwright's sync API runs an event loop in the test thread; Django's ORM must still be usable.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("SALESPERF_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("SALESPERF_TEST_ARTIFACTS", Path(__file__).resolve().parent.parent / "test-artifacts"))


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hasher():
    """Hash test passwords with a cheap hasher: PBKDF2 costs ~0.3 s per user on a small CI machine."""
    from django.conf import settings

    previous = settings.PASSWORD_HASHERS
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    yield
    settings.PASSWORD_HASHERS = previous


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: failed-login counters must not leak between tests."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def pipeline(db):
    return make_pipeline()


@pytest.fixture
def team(db):
    return TeamFactory()


@pytest.fixture
def manager(team):
    return team.manager


@pytest.fixture
def rep(team):
    return RepFactory(team=team)


@pytest.fixture
def other_rep(db):
    """A rep of another team, with another manager."""
    return RepFactory()


@pytest.fixture
def admin_user(db):
    return AdminFactory()


@pytest.fixture
def no_role_user(db):
    return UserFactory(username="nobody")


@pytest.fixture
def password() -> str:
    return PASSWORD


# --- browser ---------------------------------------------------------------------------------


def _chromium_or_skip() -> str:
    path = shutil.which(CHROMIUM) or (CHROMIUM if os.path.exists(CHROMIUM) else None)
    if path is None:
        reason = f"Chromium not found at {CHROMIUM}: apt-get install chromium (make test does it as root)"
        if os.environ.get("SALESPERF_REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return path


@pytest.fixture(scope="session")
def browser():
    executable = _chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=executable,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server) -> Iterator:
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, live_server) -> Iterator:
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def browser_login(page, username: str, password: str = PASSWORD) -> None:
    """Log in through the login form, as a person would."""
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


@pytest.fixture
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(autouse=True)
def _celery_eager(request):
    """Run Celery tasks in-process in tests, even when REDIS_URL is set (CI).

    Tests marked ``worker`` talk to a real worker through Redis instead.
    """
    from salesperf.celery import app

    if request.node.get_closest_marker("worker"):
        yield
        return
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the organisation's language: a test that switches language (or a
    request that activated one) must not leave it active for the next test's messages."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
