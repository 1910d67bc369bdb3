"""Row-level access rules, in one place.

- An **admin** (staff or superuser) sees everything.
- A **manager** sees the teams they manage, their sub-teams (a region's teams), and the reps
  currently in those teams with all their records.
- A **rep** sees their own records only.

Every view, API view and selector that lists or fetches records scopes them through here.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from enum import StrEnum
from typing import Any, NamedTuple, TypeVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connections
from django.db.models import Model, Q, QuerySet

from reps.models import Rep, Team

M = TypeVar("M", bound=Model)
AnyUser = AbstractBaseUser | AnonymousUser

_CACHE_ATTR = "_salesperf_managed_team_ids"


class Role(StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"
    REP = "rep"
    NONE = "none"


def is_admin(user: Any) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.is_staff))


def managed_team_ids(user: Any) -> frozenset[int]:
    """Ids of the teams ``user`` manages and of all teams below them (cached on the user)."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    if not _REP_CACHE.is_cached(user) and not _load_rep_and_whether_manager(user):
        setattr(user, _CACHE_ATTR, frozenset())
        return frozenset()
    # One query for the whole tree (teams are few), walked here whatever its depth.
    children: dict[int | None, list[int]] = defaultdict(list)
    found: set[int] = set()
    for pk, parent_id, manager_id in Team.objects.order_by().values_list("pk", "parent_id", "manager_id"):
        children[parent_id].append(pk)
        if manager_id == user.pk:
            found.add(pk)
    frontier = list(found)
    while frontier:
        frontier = [child for parent in frontier for child in children[parent] if child not in found]
        found.update(frontier)
    result = frozenset(found)
    setattr(user, _CACHE_ATTR, result)
    return result


# The cache of ``user.rep`` (the reverse side of Rep.user), filled by ``_load_rep_and_whether_manager``.
_REP_CACHE = Rep._meta.get_field("user").remote_field


def _load_rep_and_whether_manager(user: Any) -> bool:
    """Read the user's rep profile (cached on ``user`` as ``user.rep``, or its absence) and
    whether they manage any team, in one query: a rep's role then takes one query, not two.

    Every API request asks this, so it is one short statement (the ORM spent more time
    building the equivalent query than the database spent answering it).
    """
    reps = Rep.objects.all()
    quote = connections[reps.db].ops.quote_name
    rep_table, team_table = quote(Rep._meta.db_table), quote(Team._meta.db_table)
    columns = ", ".join(f"r.{quote(field.column)}" for field in Rep._meta.concrete_fields)
    manager_column, user_column = quote(Team._meta.get_field("manager").column), quote(Rep._meta.get_field("user").column)
    sql = (
        f"SELECT {columns}, EXISTS (SELECT 1 FROM {team_table} t WHERE t.{manager_column} = %s) AS manages_a_team "
        f"FROM (SELECT 1 AS one) AS one LEFT JOIN {rep_table} r ON r.{user_column} = %s"
    )
    if _rep_columns_convert(reps.db):  # a field the database's values must be converted for
        row = next(iter(reps.raw(sql, [user.pk, user.pk])))
        rep, manages = (row if row.pk is not None else None), row.manages_a_team
    else:  # the same row, without RawQuerySet's per-query set-up (a third of this function's CPU)
        with connections[reps.db].cursor() as cursor:
            cursor.execute(sql, [user.pk, user.pk])
            *values, manages = cursor.fetchone()
        rep = None if values[_REP_PK_INDEX] is None else Rep.from_db(reps.db, _REP_ATTNAMES, values)
    _REP_CACHE.set_cached_value(user, rep)
    if rep is not None:
        Rep._meta.get_field("user").set_cached_value(rep, user)
    return bool(manages)


_REP_ATTNAMES = [field.attname for field in Rep._meta.concrete_fields]
_REP_PK_INDEX = _REP_ATTNAMES.index(Rep._meta.pk.attname)


@functools.cache
def _rep_columns_convert(using: str) -> bool:
    """Whether reading Rep's columns needs converters on ``using`` (RawQuerySet applies them)."""
    columns = [field.get_col(Rep._meta.db_table) for field in Rep._meta.concrete_fields]
    return bool(Rep.objects.all().query.get_compiler(using=using).get_converters(columns))


def rep_of(user: Any) -> Rep | None:
    if not user.is_authenticated:
        return None
    try:
        return user.rep
    except Rep.DoesNotExist:
        return None


def role_of(user: Any) -> Role:
    if not user.is_authenticated:
        return Role.NONE
    if is_admin(user):
        return Role.ADMIN
    if managed_team_ids(user):
        return Role.MANAGER
    if rep_of(user) is not None:
        return Role.REP
    return Role.NONE


def is_manager_or_admin(user: Any) -> bool:
    """Whether ``user`` manages a team or is an admin: who sees team pages and coaches."""
    return role_of(user) in (Role.MANAGER, Role.ADMIN)


def visible_teams(user: Any) -> QuerySet[Team]:
    if is_admin(user):
        return Team.objects.all()
    return Team.objects.filter(pk__in=managed_team_ids(user))


class Access(NamedTuple):
    """All that the row rules below depend on for one user: whether they are an admin, the
    teams they manage (and those below), their own rep profile's id."""

    admin: bool
    team_ids: frozenset[int]
    rep_pk: int | None


def access_of(user: Any) -> Access:
    if is_admin(user):
        return Access(True, frozenset(), None)
    team_ids = managed_team_ids(user)
    rep = rep_of(user)
    return Access(False, team_ids, None if rep is None else rep.pk)


def access_filter(access: Access, field: str = "") -> Q:
    """``rep_filter`` of a user with ``access``: a function of ``access`` alone, so a query
    built from it can be compiled once for every user of the same shape (reps.selectors)."""
    prefix = f"{field}__" if field else ""
    if access.admin:
        return Q()
    allowed = Q(pk__in=[])  # nothing, unless one of the rules below adds rows
    if access.team_ids:
        allowed |= Q(**{f"{prefix}team_id__in": access.team_ids})
    if access.rep_pk is not None:
        allowed |= Q(**{f"{prefix}pk": access.rep_pk})
    return allowed


def rep_filter(user: Any, field: str = "") -> Q:
    """A ``Q`` keeping the rows whose rep (reached through ``field``) ``user`` may see.

    ``field`` is the path from the model to the rep, e.g. ``"owner"`` for activities;
    empty for ``Rep`` itself.
    """
    return access_filter(access_of(user), field)


def visible_reps(user: Any) -> QuerySet[Rep]:
    return Rep.objects.filter(rep_filter(user))


def scope(queryset: QuerySet[M], user: Any, field: str = "owner") -> QuerySet[M]:
    """Keep the rows of ``queryset`` whose rep (through ``field``) ``user`` may see."""
    if not user.is_authenticated:
        return queryset.none()
    return queryset.filter(rep_filter(user, field))


def can_see_rep(user: Any, rep: Rep) -> bool:
    if is_admin(user):
        return True
    own = rep_of(user)
    if own is not None and own.pk == rep.pk:
        return True
    return rep.team_id is not None and rep.team_id in managed_team_ids(user)


def can_manage_rep(user: Any, rep: Rep) -> bool:
    """Whether ``user`` may act as ``rep``'s manager (reassign their deals, coach them)."""
    if is_admin(user):
        return True
    return rep.team_id is not None and rep.team_id in managed_team_ids(user)


def can_see_team(user: Any, team: Team) -> bool:
    return is_admin(user) or team.pk in managed_team_ids(user)


def can_edit_quotas(user: Any, team: Team | None = None) -> bool:
    """Whether ``user`` may set quotas and activity targets (of ``team``, when given).

    Admins always may; a manager only for the teams they manage (and their sub-teams), and
    only when ``SALESPERF_MANAGERS_EDIT_QUOTAS`` is on; reps never. Without ``team``: whether
    ``user`` may edit the quotas of at least one team.
    """
    if is_admin(user):
        return True
    if not getattr(settings, "SALESPERF_MANAGERS_EDIT_QUOTAS", False):
        return False
    team_ids = managed_team_ids(user)
    return bool(team_ids) if team is None else team.pk in team_ids


def can_see_quotas(user: Any, team: Team | None = None) -> bool:
    """Whether ``user`` may see the quota workspace (of ``team``, when given).

    Admins see every team's quotas, managers their teams' (and sub-teams'); reps none there
    (a rep's own quota shows on their dashboard).
    """
    if is_admin(user):
        return True
    team_ids = managed_team_ids(user)
    return bool(team_ids) if team is None else team.pk in team_ids
