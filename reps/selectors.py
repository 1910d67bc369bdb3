"""Reads of the sales data, scoped by reps.access and shaped for their pages."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from reps.access import scope, visible_reps, visible_teams
from reps.models import Activity, Opportunity, Rep, Team


def team_overview(user: Any) -> QuerySet[Team]:
    """Teams the user sees, each with its current reps and their open deal counts."""
    reps = (
        visible_reps(user)
        .select_related("user")
        .annotate(open_deals=Count("opportunities", filter=Q(opportunities__stage__kind="open")))
    )
    return visible_teams(user).select_related("manager", "parent").prefetch_related(Prefetch("reps", queryset=reps))


def visible_opportunities(user: Any) -> QuerySet[Opportunity]:
    return scope(Opportunity.objects.all(), user, "owner").select_related(
        "owner__user", "account", "stage", "pipeline", "product"
    )


def visible_activities(user: Any) -> QuerySet[Activity]:
    return scope(Activity.objects.all(), user, "owner").select_related("owner__user", "account", "opportunity")


def visible_rep_list(user: Any) -> QuerySet[Rep]:
    return visible_reps(user).select_related("user", "team")
