"""Writes of forecasts: a rep's or a team's call for a month or a quarter (docs/kpis.md, "Forecasts")."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from forecasts.models import ForecastPeriodKind, ForecastSubmission
from kpis.periods import EARLIEST_DAY, LATEST_DAY, Period
from reps.access import is_admin, managed_team_ids, rep_of
from reps.models import Rep, Team


def forecast_period(kind: str, start: dt.date) -> Period:
    """The month or quarter that begins on ``start``; ValidationError when there is none."""
    if kind not in ForecastPeriodKind.values:
        raise ValidationError({"period_kind": _("Choose month or quarter.")})
    if not EARLIEST_DAY <= start <= LATEST_DAY:
        raise ValidationError({"period_start": _("Give a date between the years 1900 and 2999.")})
    period = Period.containing(kind, start)
    if period.start != start:
        raise ValidationError(
            {
                "period_start": _("A %(kind)s forecast starts on the first day of it, here %(day)s.")
                % {"kind": kind, "day": period.start}
            }
        )
    return period


def can_submit(user: Any, *, rep: Rep | None = None, team: Team | None = None) -> bool:
    """A rep calls their own number; a manager their teams' (and sub-teams'); admins any."""
    if is_admin(user):
        return True
    if rep is not None:
        own = rep_of(user)
        return own is not None and own.pk == rep.pk
    return team is not None and team.pk in managed_team_ids(user)


@transaction.atomic
def forecast_submit(
    *,
    by_user: Any,
    period_kind: str,
    period_start: dt.date,
    commit: Decimal,
    best_case: Decimal,
    note: str = "",
    rep: Rep | None = None,
    team: Team | None = None,
    at: dt.datetime | None = None,
) -> ForecastSubmission:
    """Keep a new call of ``rep`` or ``team`` for the period; earlier calls stay as they were."""
    if (rep is None) == (team is None):
        raise ValidationError(_("A forecast is either a rep's or a team's."))
    if not can_submit(by_user, rep=rep, team=team):
        raise PermissionDenied
    period = forecast_period(period_kind, period_start)
    errors: dict[str, str] = {}
    if commit < 0:
        errors["commit"] = _("The commit cannot be negative.")
    if best_case < 0:
        errors["best_case"] = _("The best case cannot be negative.")
    elif best_case < commit:
        errors["best_case"] = _("The best case includes the commit: give at least %(commit)s.") % {"commit": commit}
    if errors:
        raise ValidationError(errors)
    submission = ForecastSubmission(
        rep=rep,
        team=team,
        period_kind=period_kind,
        period_start=period.start,
        period_end=period.end,
        commit=commit,
        best_case=best_case,
        note=note,
        submitted_by=by_user if getattr(by_user, "is_authenticated", False) else None,
        submitted_at=at or timezone.now(),
    )
    submission.full_clean()
    submission.save()
    return submission
