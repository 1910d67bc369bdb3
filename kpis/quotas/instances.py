"""One quota or target edited in place (the Django admin, the API's single records), by the
rules of the bulk saves."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kpis.models import ActivityTarget, Quota
from kpis.quotas.base import ActivityTargetInput, QuotaInput, QuotaInputError, RowError, _history_user, _reason
from kpis.quotas.quota_saves import _plan_quotas
from kpis.quotas.target_saves import _apply_targets, _plan_targets, _TargetPlan


def quota_input_of(quota: Quota) -> QuotaInput:
    return QuotaInput(
        quota.rep_id, quota.team_id, quota.metric, quota.activity_kind or "", quota.start_date, quota.end_date, quota.target
    )


def activity_target_input_of(target: ActivityTarget) -> ActivityTargetInput:
    return ActivityTargetInput(target.rep_id, target.team_id, target.kind, target.start_date, target.end_date, target.per_week)


def validate_quota_instance(quota: Quota, *, user: Any) -> list[RowError]:
    """The rules of ``save_quotas`` for one quota edited in place (its stored self set aside)."""
    row = quota_input_of(quota)
    if row.target is None:
        return [RowError(0, "target", _("Enter a target."))]
    exclude = [quota.pk] if quota.pk else []
    plan = _plan_quotas([row], user, exclude)
    if plan.errors:
        return plan.errors
    if plan.updates or plan.unchanged:  # the key of another stored quota
        return [RowError(0, None, _("A quota with the same owner, metric and dates exists already; change that one."))]
    return []


@transaction.atomic
def save_quota_instance(quota: Quota, *, user: Any, source: str) -> Quota:
    """Save one quota edited in place, after the rules of ``save_quotas``; history keeps ``source``."""
    errors = validate_quota_instance(quota, user=user)
    if errors:
        raise QuotaInputError(errors)
    quota._change_reason = _reason(source)  # type: ignore[attr-defined]
    quota._history_user = _history_user(user)  # type: ignore[attr-defined]
    quota.save()
    return quota


def _plan_target_instance(target: ActivityTarget, user: Any) -> _TargetPlan:
    row = activity_target_input_of(target)
    if row.per_week is None:
        return _TargetPlan([RowError(0, "per_week", _("Enter a weekly target."))])
    plan = _plan_targets([row], user, [target.pk] if target.pk else [])
    key = (row.rep_id, row.team_id, row.kind, row.start_date)
    if not plan.errors and (plan.unchanged or any(update[1] == key for update in plan.updates)):
        plan.errors = [RowError(0, None, _("A target with the same owner, kind and start exists already; change that one."))]
    return plan


def validate_activity_target_instance(target: ActivityTarget, *, user: Any) -> list[RowError]:
    """The rules of ``save_activity_targets`` for one target edited in place."""
    return _plan_target_instance(target, user).errors


@transaction.atomic
def save_activity_target_instance(target: ActivityTarget, *, user: Any, source: str) -> ActivityTarget:
    """Save one target edited in place; an open-ended target before it ends the day before, as
    ``save_activity_targets`` does, and so does this one if a later target follows it."""
    plan = _plan_target_instance(target, user)
    if plan.errors:
        raise QuotaInputError(plan.errors)
    (own,) = plan.creates  # set aside above, the edited target is "new" to the plan
    target.end_date = own[1]
    if plan.updates:  # the earlier open-ended target, ended the day before this one
        _apply_targets(_TargetPlan([], updates=plan.updates), user, source)
    target._change_reason = _reason(source)  # type: ignore[attr-defined]
    target._history_user = _history_user(user)  # type: ignore[attr-defined]
    target.save()
    return target
