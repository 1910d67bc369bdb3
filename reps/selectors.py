"""Reads of the sales data, scoped by reps.access and shaped for their pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce, TruncDate
from django.shortcuts import get_object_or_404

from kpis.periods import day_start
from reps.access import (
    Access,
    Role,
    access_filter,
    access_of,
    can_manage_rep,
    is_admin,
    rep_filter,
    rep_of,
    role_of,
    scope,
    visible_reps,
    visible_teams,
)
from reps.models import (
    Account,
    Activity,
    ActivityStatus,
    CustomerFeedback,
    Opportunity,
    OpportunityStageChange,
    Pipeline,
    Rep,
    StageKind,
    Team,
)
from salesperf.sql import with_total

if TYPE_CHECKING:
    from kpis.models import Quota


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


def visible_activity_rows(user: Any) -> QuerySet[Activity]:
    """Visible activities without joins: the API renders related records as ids only."""
    return scope(Activity.objects.all(), user, "owner")


# The columns the API's activity rows are rendered from, in the order of its fields
# (reps.api.serializers.activity_rows_data).
ACTIVITY_ROW_COLUMNS = (
    "id",
    "owner_id",
    "kind",
    "status",
    "subject",
    "planned_date",
    "done_at",
    "account_id",
    "opportunity_id",
    "notes",
    "created_at",
)


def visible_activity_values(user: Any, ordering: Sequence[str]) -> QuerySet[Activity]:
    """Visible activities as tuples of ``ACTIVITY_ROW_COLUMNS``, in ``ordering``: the activity
    list's read, with no model instance built for a row."""
    return visible_activity_rows(user).order_by(*ordering).values_list(*ACTIVITY_ROW_COLUMNS)


def _activity_values_for(access: Access, ordering: Sequence[str]) -> QuerySet[Activity]:
    """``visible_activity_values`` of a user with ``access`` (signed in), built from it alone."""
    owner_rule = access_filter(access, "owner")
    return Activity.objects.filter(owner_rule).order_by(*ordering).values_list(*ACTIVITY_ROW_COLUMNS)


# Stand-ins for the values of an access shape: no id is negative, so a parameter of the compiled
# query equal to one of them is that value (_SENTINEL the rep, _SENTINEL + 1 + i the i-th team).
_SENTINEL = -(2**62)
_MAX_SHAPES = 64
# (kind, value) per parameter: ("rep", None), ("team", i) or ("constant", value).
_Slots = tuple[tuple[str, Any], ...]
_compiled_pages: dict[tuple[Any, ...], tuple[str, _Slots] | None] = {}
_NOT_COMPILED: Any = object()


def _compile_activity_page(shape: tuple[Any, ...]) -> tuple[str, _Slots] | None:
    """SQL and parameter slots of the activity page with its total, for every user of ``shape``
    (admin or not, number of managed teams, whether a rep; ordering; database), or None when it
    cannot be reused (no rows at all, or values the database's converters would change)."""
    admin, team_count, has_rep, ordering, using = shape
    stand_in = Access(admin, frozenset(_SENTINEL + 1 + i for i in range(team_count)), _SENTINEL if has_rep else None)
    compiler = with_total(_activity_values_for(stand_in, ordering)).query.get_compiler(using=using)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return None
    # The total (COUNT, an int from the driver) may have one; a row's column must not.
    if any(index < len(ACTIVITY_ROW_COLUMNS) for index in compiler.get_converters([c for c, _s, _a in compiler.select])):
        return None
    slots: list[tuple[str, Any]] = []
    for value in params:
        if value == _SENTINEL and has_rep:
            slots.append(("rep", None))
        elif isinstance(value, int) and _SENTINEL < value <= _SENTINEL + team_count:
            slots.append(("team", value - _SENTINEL - 1))
        else:
            slots.append(("constant", value))
    return f"{sql} LIMIT %s OFFSET %s", tuple(slots)


class ActivityPageSource:
    """The activity list's rows for ``CountInPagePaginator``: a page of
    ``visible_activity_values(user, ordering)`` with the total, read with SQL compiled once per
    access shape and reused with this user's values.

    Building and compiling the ORM query cost as much CPU as the database's answer; the query
    is still the ORM's, built from ``reps.access.access_filter`` (with stand-in values), so the
    access rule lives in one place. ``count()`` and slicing, for the paginator's fallbacks, go
    through the queryset itself.
    """

    def __init__(self, user: Any, ordering: Sequence[str]) -> None:
        self.user = user
        self.ordering = tuple(ordering)

    @cached_property
    def queryset(self) -> QuerySet[Activity]:
        return visible_activity_values(self.user, self.ordering)

    def count(self) -> int:
        return self.queryset.count()

    def __getitem__(self, index: Any) -> Any:
        return self.queryset[index]

    def rows_with_total(self, offset: int, limit: int) -> list[tuple[Any, ...]]:
        """Rows ``offset`` to ``offset + limit`` as tuples, each with the total number of rows last."""
        if not self.user.is_authenticated:
            return []
        access = access_of(self.user)
        using = router.db_for_read(Activity)
        shape = (access.admin, len(access.team_ids), access.rep_pk is not None, self.ordering, using)
        compiled = _compiled_pages.get(shape, _NOT_COMPILED)
        if compiled is _NOT_COMPILED:  # (threads: one may clear the dict while another reads it)
            compiled = _compile_activity_page(shape)
            if len(_compiled_pages) >= _MAX_SHAPES:
                _compiled_pages.clear()
            _compiled_pages[shape] = compiled
        if compiled is None:
            return list(with_total(self.queryset)[offset : offset + limit])
        sql, slots = compiled
        teams = sorted(access.team_ids)
        params = [access.rep_pk if kind == "rep" else teams[value] if kind == "team" else value for kind, value in slots]
        with connections[using].cursor() as cursor:
            cursor.execute(sql, [*params, limit, offset])
            return cursor.fetchall()


def visible_rep_list(user: Any) -> QuerySet[Rep]:
    return visible_reps(user).select_related("user", "team")


# --- accounts and feedback ------------------------------------------------------------------
#
# Account rule: a user sees an account when they may see its owner, when it has no owner
# (shared accounts are visible to every user with a role), or when they may see an
# opportunity or activity on it (a rep working a deal on a colleague's account sees the
# account, not the colleague's other records). Its owning rep and admins edit or delete it;
# unowned accounts are edited by managers and admins; a manager may give an account of their
# teams (or an unowned one) to a rep of their teams.


def _account_filter(user: Any) -> Q:
    if is_admin(user):
        return Q()
    if role_of(user) == Role.NONE:
        return Q(pk__in=[])
    owner_rule = rep_filter(user, "owner")
    deals = scope(Opportunity.objects.filter(account__isnull=False), user, "owner").values("account_id")
    activities = scope(Activity.objects.filter(account__isnull=False), user, "owner").values("account_id")
    return owner_rule | Q(owner__isnull=True) | Q(pk__in=deals) | Q(pk__in=activities)


def visible_accounts(user: Any) -> QuerySet[Account]:
    """Accounts ``user`` may see (the rule above), with their owner."""
    if not user.is_authenticated:
        return Account.objects.none()
    return Account.objects.filter(_account_filter(user)).select_related("owner__user")


def can_edit_account(user: Any, account: Account) -> bool:
    if is_admin(user):
        return True
    if account.owner_id is None:
        return role_of(user) == Role.MANAGER
    return can_write(user, account.owner)


def visible_feedback(user: Any) -> QuerySet[CustomerFeedback]:
    """Feedback credited to a rep the user may see, or to nobody on an account they see."""
    if not user.is_authenticated:
        return CustomerFeedback.objects.none()
    queryset = CustomerFeedback.objects.select_related("account", "rep__user")
    if is_admin(user):
        # rep_filter() is an empty Q for admins, and ``Q() | other`` is just ``other``.
        return queryset
    unassigned = Q(rep__isnull=True, account__in=visible_accounts(user).values("pk"))
    return queryset.filter(rep_filter(user, "rep") | unassigned)


def visible_pipelines(user: Any) -> QuerySet[Pipeline]:
    if role_of(user) == Role.NONE:
        return Pipeline.objects.none()
    return Pipeline.objects.prefetch_related("stages")


def account_detail(user: Any, pk: int) -> Account:
    """One account with its opportunities and feedback, as ``user`` sees them (its timeline is
    paged apart: ``account_timeline``)."""
    opportunities = visible_opportunities(user).order_by("stage__kind", "expected_close_date", "-pk")
    return get_object_or_404(
        visible_accounts(user).prefetch_related(
            Prefetch("opportunities", queryset=opportunities, to_attr="visible_opportunities"),
            Prefetch("feedback", queryset=visible_feedback(user), to_attr="visible_feedback"),
        ),
        pk=pk,
    )


def timeline(user: Any) -> QuerySet[Activity]:
    """Activities newest first (done ones by when they were done, planned ones by their day)."""
    return visible_activities(user).annotate(when=Coalesce(TruncDate("done_at"), "planned_date")).order_by("-when", "-pk")


def account_timeline(user: Any, account_id: int) -> QuerySet[Activity]:
    """An account's activities as ``user`` sees them, newest first: years of calls, so it is paged."""
    return timeline(user).filter(account_id=account_id)


def opportunity_detail(user: Any, pk: int) -> Opportunity:
    changes = OpportunityStageChange.objects.select_related("from_stage", "to_stage", "changed_by").order_by("changed_at", "pk")
    return get_object_or_404(
        visible_opportunities(user).prefetch_related(
            Prefetch("activities", queryset=timeline(user), to_attr="timeline"),
            Prefetch("stage_changes", queryset=changes, to_attr="history"),
            "pipeline__stages",
        ),
        pk=pk,
    )


# --- the rep's week -------------------------------------------------------------------------


def week_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    """Monday and Sunday of ``day``'s ISO week (shared KPI definitions, "Time")."""
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


def planned_activities(rep: Rep, start: dt.date | None, end: dt.date) -> QuerySet[Activity]:
    """The rep's still-planned activities due from ``start`` (or any earlier day) to ``end``."""
    qs = Activity.objects.filter(owner=rep, status=ActivityStatus.PLANNED, planned_date__lte=end)
    if start is not None:
        qs = qs.filter(planned_date__gte=start)
    return qs.select_related("account", "opportunity").order_by("planned_date", "pk")


def done_activities_on(rep: Rep, day: dt.date) -> QuerySet[Activity]:
    start = day_start(day)
    return (
        Activity.objects.filter(
            owner=rep, status=ActivityStatus.DONE, done_at__gte=start, done_at__lt=start + dt.timedelta(days=1)
        )
        .select_related("account", "opportunity")
        .order_by("-done_at", "-pk")
    )


def quick_add_targets(user: Any, limit: int = 300) -> list[tuple[str, str]]:
    """Type-ahead choices for the quick-add form: the user's open deals, then their accounts.

    Each choice is ``(value, label)``; the value carries a ``#o<id>`` or ``#a<id>`` tag that
    the form resolves, so two deals with the same name stay apart.
    """
    deals = (
        visible_opportunities(user)
        .filter(stage__kind=StageKind.OPEN)
        .order_by("-stage_changed_at")
        .values_list("pk", "name", "account__name")[:limit]
    )
    accounts = visible_accounts(user).order_by("name").values_list("pk", "name")[:limit]
    choices = [(f"{name} · {account or '—'} #o{pk}", name) for pk, name, account in deals]
    choices += [(f"{name} #a{pk}", name) for pk, name in accounts]
    return choices


def current_won_revenue_quota(rep: Rep, day: dt.date) -> Quota | None:
    """The rep's won-revenue quota running on ``day``, the shortest one if several overlap."""
    from kpis.models import Quota, QuotaMetric

    quotas = Quota.objects.filter(rep=rep, metric=QuotaMetric.WON_REVENUE, start_date__lte=day, end_date__gte=day)
    return min(quotas, key=lambda q: (q.end_date - q.start_date, q.start_date), default=None)


def quota_pace(user: Any, rep: Rep, day: dt.date) -> dict[str, Any] | None:
    """The rep's row of the KPI table over their current won-revenue quota, with the quota."""
    quota = current_won_revenue_quota(rep, day)
    if quota is None:
        return None
    try:
        from kpis.selectors import kpi_table
    except ImportError:  # the KPI engine is not installed yet
        return None
    try:
        table = kpi_table(user=user, start=quota.start_date, end=quota.end_date, group_by="rep")
    except NotImplementedError:  # interface stub only
        return None
    rows = [row for row in table if row["rep"]["id"] == rep.pk]
    if not rows or rows[0].get("target") is None:
        return None
    return {"quota": quota, **rows[0]}


def account_list(user: Any) -> QuerySet[Account]:
    """Visible accounts with the number of open deals on each that the user may see."""
    open_deals = Q(opportunities__stage__kind=StageKind.OPEN) & rep_filter(user, "opportunities__owner")
    return visible_accounts(user).annotate(open_deals=Count("opportunities", filter=open_deals)).order_by("name", "pk")


def board_columns(user: Any, pipeline: Pipeline, *, since: dt.date) -> list[dict[str, Any]]:
    """The board of ``pipeline``: one column per stage with the visible deals in it.

    Open stages show all their deals; won and lost only those closed since ``since``.
    One query for the stages and one for the deals, whatever the number of columns.
    """
    stages = list(pipeline.stages.order_by("order"))
    deals = (
        visible_opportunities(user)
        .filter(pipeline=pipeline)
        .filter(Q(stage__kind=StageKind.OPEN) | Q(close_date__gte=since))
        .order_by("expected_close_date", "-pk")
    )
    by_stage: dict[int, list[Opportunity]] = {stage.pk: [] for stage in stages}
    for deal in deals:
        by_stage[deal.stage_id].append(deal)
    return [{"stage": stage, "deals": by_stage[stage.pk], "total": sum(d.amount for d in by_stage[stage.pk])} for stage in stages]


# --- who may write --------------------------------------------------------------------------
#
# A rep writes their own records; a manager reads their teams' records and may only give them
# to another rep of their teams; an admin writes everything.


def can_write(user: Any, rep: Rep | None) -> bool:
    """Whether ``user`` may edit, move or delete a record owned by ``rep``."""
    if is_admin(user):
        return True
    own = rep_of(user)
    return own is not None and rep is not None and own.pk == rep.pk


def can_reassign(user: Any, from_rep: Rep | None, to_rep: Rep) -> bool:
    """Whether ``user`` may give a record of ``from_rep`` to ``to_rep`` (managers, within their teams)."""
    if is_admin(user):
        return True
    if from_rep is not None and from_rep.pk == to_rep.pk:
        return True
    from_ok = from_rep is None or can_manage_rep(user, from_rep)
    return from_ok and can_manage_rep(user, to_rep)


def can_edit_feedback(user: Any, feedback: CustomerFeedback) -> bool:
    if feedback.rep_id is None:
        return can_edit_account(user, feedback.account)
    return can_write(user, feedback.rep)
