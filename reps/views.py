"""Pages of the sales team: landing redirect and (until the dashboard lands) the team page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse

from reps import selectors
from reps.access import Role, role_of


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each role to its landing page: managers and admins the dashboard, reps their week."""
    role = role_of(request.user)
    if role == Role.REP:
        try:
            return redirect(reverse("my_week"))
        except NoReverseMatch:
            return redirect("team_overview")
    if role == Role.NONE:
        return render(request, "reps/no_role.html", status=403)
    return redirect("dashboard")


@login_required
def team_overview(request: HttpRequest) -> HttpResponse:
    """The reps a user may see, by team (the placeholder the dashboard replaces)."""
    if role_of(request.user) == Role.NONE:
        raise PermissionDenied
    return render(request, "reps/team_overview.html", {"teams": selectors.team_overview(request.user)})
