"""Reads of the coaching area about recognition and account plans: the reps worth recognising,
recognition and feedback over time, and the account plans with their open actions. Part of
``coaching.selectors`` (which re-exports every public name here).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db.models import F, Max, Prefetch, Q, QuerySet

from coaching import rules
from coaching.models import (
    AccountPlan,
    AccountPlanAction,
    Recognition,
)
from coaching.status_selectors import coachable_reps
from kpis import selectors as kpi
from reps.models import Rep

RECOGNITION_FROM = Decimal(1)  # at or above 100 % of the target: worth recognising (seed 003)


def recognition_candidates(
    *,
    user: Any,
    team_id: int,
    start: dt.date,
    end: dt.date,
    today: dt.date,
    rows: Sequence[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """The reps of the team (and sub-teams) ``user`` may coach whose attainment of start..end is
    at or above 100 % (docs/kpis.md, "Quota"), best first, each with ``recognised_on``: the last
    recognition they got in the period, if any. Rows: ``rep`` ({"id", "name"}), ``attainment``.
    ``rows``: the team's ``kpi_table`` rows of that period when the caller already has them."""
    if rows is None:
        rows = kpi.kpi_table(user=user, start=start, end=end, group_by="rep", team_id=team_id, today=today)
    coachable = set(coachable_reps(user).values_list("pk", flat=True))
    top = [
        row
        for row in rows
        if row.get("attainment") is not None and row["attainment"] >= RECOGNITION_FROM and row["rep"]["id"] in coachable
    ]
    if not top:
        return []
    recognised = dict(
        Recognition.objects.filter(rep_id__in=[row["rep"]["id"] for row in top], date__gte=start, date__lte=end)
        .order_by()
        .values("rep_id")
        .annotate(last=Max("date"))
        .values_list("rep_id", "last")
    )
    found = [
        {"rep": row["rep"], "attainment": row["attainment"], "recognised_on": recognised.get(row["rep"]["id"])} for row in top
    ]
    found.sort(key=lambda row: (-row["attainment"], row["rep"]["name"]))
    return found


def recognition_and_feedback(*, user: Any, rep_id: int, limit: int = 20) -> list[dict[str, Any]]:
    """The recognition and the 3-part feedback a rep received, latest first (two queries).
    Entries: ``kind`` ("recognition" or "feedback"), ``date``, ``record``."""
    recognitions = rules.visible_recognitions(user).filter(rep_id=rep_id).select_related("given_by")[:limit]
    feedback = rules.visible_feedback(user).filter(rep_id=rep_id).select_related("given_by")[:limit]
    entries = [{"kind": "recognition", "date": r.date, "record": r, "order": r.created_at} for r in recognitions]
    entries += [{"kind": "feedback", "date": f.date, "record": f, "order": f.created_at} for f in feedback]
    entries.sort(key=lambda entry: (entry["date"], entry["order"]), reverse=True)
    return entries[:limit]


def open_plan_actions(*, user: Any, rep_id: int) -> list[AccountPlanAction]:
    """The open actions of the rep's account plans, soonest due first. One query."""
    return list(
        AccountPlanAction.objects.filter(
            plan__in=rules.visible_account_plans(user).filter(rep_id=rep_id), done_at__isnull=True
        ).select_related("plan__account", "owner")
    )


def plan_actions_as_of(*, rep: Rep, moment: dt.datetime) -> list[AccountPlanAction]:
    """The actions of the rep's account plans open at ``moment`` (created by then, not done by
    then), soonest due first; the agenda's list, as of the session's start. Actions carry no
    creation time: those of a plan made by then count. One query."""
    actions = list(
        AccountPlanAction.objects.filter(plan__rep=rep, plan__created_at__lte=moment)
        .filter(Q(done_at__isnull=True) | Q(done_at__gt=moment))
        .select_related("plan__account", "owner")
        .order_by(F("due_date").asc(nulls_last=True), "pk")
    )
    for action in actions:
        action.done_at = None  # open then (in memory only)
    return actions


def _plans(user: Any) -> QuerySet[AccountPlan]:
    return (
        rules.visible_account_plans(user)
        .select_related("account")
        .prefetch_related(Prefetch("actions", queryset=AccountPlanAction.objects.select_related("owner")))
    )


def account_plans_of(*, user: Any, rep_id: int) -> list[AccountPlan]:
    """The rep's account plans with their actions and owners (three queries)."""
    return list(_plans(user).filter(rep_id=rep_id))


def account_plans_of_account(*, user: Any, account_id: int) -> list[AccountPlan]:
    """The plans of one customer that ``user`` may see, with their actions (three queries at most)."""
    return list(_plans(user).filter(account_id=account_id))
