"""Reads of the coaching area about the coaches and their reps: coaching time, the coaching
share per week, and each rep's coaching status. Part of ``coaching.selectors`` (which
re-exports every public name here).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.db.models import Count, Max, Min, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from coaching import rules
from coaching.deal_selectors import deal_ids_reviewed, deals_to_review
from coaching.models import (
    ActionItem,
    CoachingSession,
    SessionKind,
    SessionStatus,
)
from kpis import selectors as kpi
from kpis.periods import day_start
from reps import access
from reps.models import Opportunity, Rep

IDEAL_COACHING_SHARE = Decimal("0.5")  # half of a manager's time (seed 002)

SYSTEM = SimpleNamespace(is_authenticated=True, is_superuser=True, is_staff=True, pk=None)
"""Reads everything: the agenda is the same for the rep and each of their coaches (none of it is
private), so it is built once whoever asks; who may see the session is checked by the caller."""


def _in_days(start: dt.date, end: dt.date) -> Q:
    """Sessions scheduled on a local day in start..end."""
    return Q(scheduled_for__gte=day_start(start), scheduled_for__lt=day_start(end + dt.timedelta(days=1)))


def upcoming(today: dt.date) -> Q:
    """Sessions still planned from today on (one whose day has passed is due to be marked held
    or cancelled, not upcoming)."""
    return Q(status=SessionStatus.PLANNED, scheduled_for__gte=day_start(today))


# --- coaching time --------------------------------------------------------------------------


def working_minutes(start: dt.date, end: dt.date) -> int:
    return kpi.working_days(start, end) * settings.COACHING_WORKDAY_HOURS * 60


def coaching_time(
    *,
    user: Any,
    start: dt.date,
    end: dt.date,
    coach_ids: Iterable[int] | None = None,
    team_ids: Iterable[int] | None = None,
) -> list[dict[str, Any]]:
    """Per coach: the minutes of the sessions they held in start..end (with the reps ``user``
    may see; with the reps now in ``team_ids`` if given), how many, and their share of the
    working time of the period. One query.

    Rows: ``coach`` ({"id", "name"}), ``minutes``, ``sessions``, ``one_to_ones``, ``share``
    (a ratio, None for a period without working days); most coaching first.
    """
    held = rules.visible_sessions(user).filter(_in_days(start, end), status=SessionStatus.HELD)
    if coach_ids is not None:
        held = held.filter(coach_id__in=list(coach_ids))
    if team_ids is not None:
        held = held.filter(rep__team_id__in=list(team_ids))
    groups = (
        held.order_by()
        .values("coach_id", "coach__first_name", "coach__last_name", "coach__username")
        .annotate(
            minutes=Sum("minutes"),
            sessions=Count("pk"),
            one_to_ones=Count("pk", filter=Q(kind=SessionKind.ONE_TO_ONE)),
        )
    )
    available = working_minutes(start, end)
    rows = []
    for group in groups:
        name = f"{group['coach__first_name']} {group['coach__last_name']}".strip() or group["coach__username"]
        rows.append(
            {
                "coach": {"id": group["coach_id"], "name": name},
                "minutes": group["minutes"],
                "sessions": group["sessions"],
                "one_to_ones": group["one_to_ones"],
                "share": (Decimal(group["minutes"]) / available).quantize(kpi.RATIO, rounding=ROUND_HALF_UP)
                if available
                else None,
            }
        )
    rows.sort(key=lambda row: (-row["minutes"], row["coach"]["name"]))
    return rows


# --- the reps' coaching status --------------------------------------------------------------


def coachable_reps(user: Any) -> QuerySet[Rep]:
    """The active reps ``user`` may coach: those of the teams they manage (and below); all for
    an admin. Seeing is not enough: a rep sees themselves but does not coach themselves."""
    reps = Rep.objects.filter(is_active=True).exclude(user_id=user.pk).select_related("user", "team")  # not oneself
    return reps if access.is_admin(user) else reps.filter(team_id__in=access.managed_team_ids(user))


CADENCE_DAYS = {"weekly": 7, "biweekly": 14, "monthly": 31}  # a one-to-one older than this is overdue
REVIEW_WEEKS = 4  # a deal worth a review not reviewed for this long needs one


def reviewed_deal_ids(*, rep_ids: Iterable[int], since: dt.date, deals: Iterable[Opportunity]) -> set[int]:
    """The deals (among ``deals``) reviewed since ``since``: with a deal review recorded (see
    :func:`deal_ids_reviewed`, the single place that says what "reviewed" means). One query.
    ``rep_ids`` is kept for the callers."""
    return deal_ids_reviewed(deal_ids=[deal.pk for deal in deals], since=since)


def reps_coaching_status(*, user: Any, team_ids: Iterable[int] | None, today: dt.date) -> list[Rep]:
    """The active reps ``user`` may coach (in ``team_ids`` if given), each annotated with
    ``last_one_to_one`` (the last held), ``days_since_one_to_one``, ``next_session`` (the next
    planned from today), ``open_actions``, ``overdue_actions``, ``cadence`` and
    ``unreviewed_deals`` (their deals worth a review not reviewed in ``REVIEW_WEEKS`` weeks),
    and ``attention``: what needs doing (a one-to-one older than the cadence allows, overdue
    actions, deals to review). ``needs_one_to_one`` is the first of those. A rep is up to
    date when ``attention`` is empty. Three queries."""
    sessions = CoachingSession.objects.filter(rep=OuterRef("pk")).order_by()
    last_held = sessions.filter(
        kind=SessionKind.ONE_TO_ONE, status=SessionStatus.HELD, scheduled_for__lt=day_start(today + dt.timedelta(days=1))
    ).values("rep")
    next_planned = sessions.filter(upcoming(today)).values("rep")
    actions = ActionItem.objects.filter(rep=OuterRef("pk"), done_at__isnull=True).order_by().values("rep")
    queryset = coachable_reps(user).select_related("coaching_cadence")
    if team_ids is not None:
        queryset = queryset.filter(team_id__in=list(team_ids))
    reps = list(
        queryset.annotate(
            last_one_to_one=Subquery(last_held.annotate(last=Max("scheduled_for")).values("last")),
            next_session=Subquery(next_planned.annotate(first=Min("scheduled_for")).values("first")),
            open_actions=Coalesce(Subquery(actions.annotate(n=Count("pk")).values("n")), 0),
            overdue_actions=Coalesce(Subquery(actions.filter(due_date__lt=today).annotate(n=Count("pk")).values("n")), 0),
        )
    )
    rep_ids = [rep.pk for rep in reps]
    flagged = deals_to_review(user=SYSTEM, rep_ids=rep_ids, today=today) if reps else {}
    worth = [review.opportunity for reviews in flagged.values() for review in reviews]
    reviewed = reviewed_deal_ids(rep_ids=rep_ids, since=today - dt.timedelta(weeks=REVIEW_WEEKS), deals=worth) if worth else set()
    for rep in reps:
        row = getattr(rep, "coaching_cadence", None)
        cadence = row.cadence if row else "weekly"
        last = timezone.localdate(rep.last_one_to_one) if rep.last_one_to_one else None
        rep.days_since_one_to_one = (today - last).days if last else None  # type: ignore[attr-defined]
        rep.cadence = row.get_cadence_display() if row else _("Every week")  # type: ignore[attr-defined]
        limit = CADENCE_DAYS.get(cadence)
        rep.needs_one_to_one = limit is not None and (last is None or (today - last).days > limit)  # type: ignore[attr-defined]
        unreviewed = [r for r in flagged.get(rep.pk, []) if r.opportunity.pk not in reviewed]
        rep.unreviewed_deals = len(unreviewed)  # type: ignore[attr-defined]
        attention = []
        if rep.needs_one_to_one:  # type: ignore[attr-defined]
            attention.append(_("No one-to-one for over a week") if limit == 7 else _("One-to-one overdue"))
        if rep.overdue_actions:
            attention.append(
                ngettext("%(n)d overdue action item", "%(n)d overdue action items", rep.overdue_actions)
                % {"n": rep.overdue_actions}
            )
        if unreviewed:
            attention.append(
                ngettext(
                    "%(n)d deal worth a review not reviewed in %(weeks)d weeks",
                    "%(n)d deals worth a review not reviewed in %(weeks)d weeks",
                    len(unreviewed),
                )
                % {"n": len(unreviewed), "weeks": REVIEW_WEEKS}
            )
        rep.attention = attention  # type: ignore[attr-defined]
    return reps


def coaching_share_by_week(*, coach_id: int, today: dt.date, weeks: int = 12) -> list[dict[str, Any]]:
    """The coach's coaching time per ISO week over the last ``weeks`` weeks (this one included):
    ``week`` (its Monday), ``minutes`` held and ``share`` of the week's working time. One query."""
    monday = today - dt.timedelta(days=today.weekday())
    first = monday - dt.timedelta(weeks=weeks - 1)
    minutes: dict[dt.date, int] = defaultdict(int)
    for when, length in CoachingSession.objects.filter(
        _in_days(first, monday + dt.timedelta(days=6)), coach_id=coach_id, status=SessionStatus.HELD
    ).values_list("scheduled_for", "minutes"):
        day = timezone.localdate(when)
        minutes[day - dt.timedelta(days=day.weekday())] += length
    rows = []
    for i in range(weeks):
        week = first + dt.timedelta(weeks=i)
        available = working_minutes(week, week + dt.timedelta(days=6))
        share = (Decimal(minutes[week]) / available).quantize(kpi.RATIO, rounding=ROUND_HALF_UP) if available else None
        rows.append({"week": week, "minutes": minutes[week], "share": share})
    return rows
