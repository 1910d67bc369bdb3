"""Reads of quotas and weekly activity targets, scoped by reps.access: admins see all, managers
their teams' (and their reps'), reps their own."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from kpis.models import ActivityTarget, Quota
from reps import access
from reps.models import Rep


def _owner_scope(user: Any) -> Q | None:
    """None: everything; else the rows of the teams ``user`` manages, their reps and ``user``'s own."""
    if access.is_admin(user):
        return None
    allowed = Q(pk__in=[])
    team_ids = access.managed_team_ids(user)
    if team_ids:
        allowed |= Q(team_id__in=team_ids) | Q(rep__team_id__in=team_ids)
    rep = access.rep_of(user)
    if rep is not None:
        allowed |= Q(rep_id=rep.pk)
    return allowed


def visible_quotas(user: Any) -> QuerySet[Quota]:
    queryset = Quota.objects.select_related("rep__user", "team")
    scope = _owner_scope(user)
    return queryset if scope is None else queryset.filter(scope)


def visible_activity_targets(user: Any) -> QuerySet[ActivityTarget]:
    queryset = ActivityTarget.objects.select_related("rep__user", "team")
    scope = _owner_scope(user)
    return queryset if scope is None else queryset.filter(scope)


def can_edit_owner(user: Any, rep_id: int | None, team_id: int | None) -> bool:
    """Whether ``user`` may change the quotas and targets of this rep or team."""
    if access.is_admin(user):
        return True
    if not access.can_edit_quotas(user):
        return False
    if team_id is None and rep_id is not None:
        team_id = Rep.objects.filter(pk=rep_id).values_list("team_id", flat=True).first()
    return team_id is not None and team_id in access.managed_team_ids(user)
