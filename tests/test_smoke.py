"""Log in as each role and open every page without parameters and every admin change list.

Pages are discovered from the URL configuration, so a new page is covered the day it lands.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# Pages that are not HTML pages for a signed-in user, or that change state when opened.
SKIPPED_PREFIXES = ("api/", "admin/", "i18n/", "logout/", "static/")
# Pages that act as the signed-in rep (an admin without a rep profile is told so with a 403).
REP_ONLY_PAGES = {"/activities/new/", "/week/"}


def _pages(resolver: URLResolver | None = None, prefix: str = "") -> list[str]:
    """Every URL of the project that takes no argument (outside the API and the admin)."""
    found: list[str] = []
    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            found += _pages(pattern, route)
        elif (
            isinstance(pattern, URLPattern)
            and not any(char in route for char in "<(^")
            and not route.startswith(SKIPPED_PREFIXES)
        ):
            found.append("/" + route.rstrip("$"))
    return sorted(set(found))


PAGES = _pages()


def test_pages_are_discovered():
    assert {"/", "/dashboard/", "/login/", "/healthz/"} <= set(PAGES)


@pytest.fixture
def login(client, password):
    def as_user(user):
        client.logout()  # the login page sends a signed-in user away without signing in the new one
        response = client.post(reverse("login"), {"username": user.username, "password": password})
        assert response.status_code == 302, "login failed"
        return client

    return as_user


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["rep", "manager", "admin"])
def test_every_page_opens_for_every_role(role, login, rep, manager, admin_user, pipeline):
    user = {"rep": rep.user, "manager": manager, "admin": admin_user}[role]
    client = login(user)
    for path in PAGES:
        response = client.get(path, follow=True)
        assert response.status_code in (200, 403), f"{role} {path}: {response.status_code}"
        if role == "admin" and path not in REP_ONLY_PAGES:
            assert response.status_code == 200, f"admin {path}: {response.status_code}"


@pytest.mark.django_db
def test_anonymous_users_are_sent_to_the_login_page(client):
    for path in PAGES:
        if path in ("/login/", "/healthz/") or path.startswith("/password/reset"):
            continue
        response = client.get(path)
        assert response.status_code in (302, 401, 403), path
        if response.status_code == 302:
            assert response.url.startswith(reverse("login")), path


@pytest.mark.django_db
def test_admin_opens_every_change_list_and_add_form(login, admin_user, rep, pipeline):
    client = login(admin_user)
    for model in admin.site._registry:
        meta = model._meta
        changelist = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        assert client.get(changelist).status_code == 200, changelist
        add = reverse(f"admin:{meta.app_label}_{meta.model_name}_add")
        assert client.get(add).status_code in (200, 403), add


@pytest.mark.django_db
def test_non_admins_cannot_open_django_admin(login, rep, manager):
    for user in (rep.user, manager):
        client = login(user)
        response = client.get(reverse("admin:index"))
        assert response.status_code == 302 and "/admin/login/" in response.url
        client.logout()


@pytest.mark.django_db
def test_a_manager_lands_on_the_dashboard_and_a_rep_on_their_page(login, rep, manager):
    assert login(manager).get("/").url == reverse("dashboard")
    response = login(rep.user).get("/")
    assert response.status_code == 302
    assert response.url == reverse("my_week")
