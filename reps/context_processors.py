"""Navigation entries for the base layout, by role."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from reps.access import Role, rep_of, role_of

# (url name, label, roles that see it). Entries whose URL is not installed are skipped, so
# an app adds its pages here without the layout breaking before it lands.
NAVIGATION: list[tuple[str, Any, set[Role]]] = [
    ("my_week", _("My week"), {Role.REP}),
    ("rep_detail", _("My figures"), {Role.REP}),
    ("dashboard", _("Team dashboard"), {Role.MANAGER, Role.ADMIN}),
    ("team_overview", _("Teams"), {Role.MANAGER, Role.ADMIN}),
    ("team_meeting", _("Team meeting"), {Role.MANAGER, Role.ADMIN}),
    ("leaderboard", _("Leaderboard"), {Role.MANAGER, Role.ADMIN, Role.REP}),
    ("quotas:grid", _("Quotas"), {Role.MANAGER, Role.ADMIN}),
    ("forecast", _("Forecast"), {Role.REP, Role.MANAGER, Role.ADMIN}),
    ("segments", _("Segments"), {Role.REP, Role.MANAGER, Role.ADMIN}),
    ("coaching_home", _("Coaching"), {Role.REP, Role.MANAGER, Role.ADMIN}),
    ("opportunity_list", _("Opportunities"), {Role.REP, Role.MANAGER, Role.ADMIN}),
    ("account_list", _("Accounts"), {Role.REP, Role.MANAGER, Role.ADMIN}),
    ("import_upload", _("Import"), {Role.ADMIN}),
    ("audit_log", _("Audit trail"), {Role.ADMIN}),
    ("swagger-ui", _("API"), {Role.REP, Role.MANAGER, Role.ADMIN}),
    ("admin:index", _("Admin"), {Role.ADMIN}),
]
# The less-used entries, under the navigation's "More" menu: the bar stays on one line at
# 1280 px in every language and for every role.
MORE = {"segments", "import_upload", "audit_log", "swagger-ui", "admin:index"}
# The role shown beside the user's name, in the reader's language.
ROLE_LABELS: dict[Role, Any] = {Role.ADMIN: _("administrator"), Role.MANAGER: _("manager"), Role.REP: _("rep")}


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_more": [], "nav_more_active": False, "user_role": Role.NONE, "user_role_label": ""}
    role = role_of(user)
    items, more = [], []
    for url_name, label, roles in NAVIGATION:
        if role not in roles:
            continue
        try:
            if url_name == "rep_detail":  # the rep's own page
                rep = rep_of(user)
                if rep is None:
                    continue
                url = reverse(url_name, args=[rep.pk])
            else:
                url = reverse(url_name)
        except NoReverseMatch:
            continue
        item = {"url": url, "label": label, "active": request.path.startswith(url) and url != "/"}
        (more if url_name in MORE else items).append(item)
    return {
        "nav_items": items,
        "nav_more": more,
        "nav_more_active": any(item["active"] for item in more),
        "user_role": role,
        "user_role_label": ROLE_LABELS.get(role, ""),
    }
