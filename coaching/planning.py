"""Planning the one-to-ones ahead of time from each rep's cadence (what beat runs every night,
and ``manage.py plan_one_to_ones``).

A rep without a ``CoachingCadence`` has the default: weekly, Tuesday at 09:00, 45 minutes.
The coach is the manager of the rep's team (nobody coaches themselves). For each rep and each
due day in the window (from tomorrow to the end of next week), a one-to-one is planned unless
the rep already has one (of any status, any coach) in that cadence period: the ISO week
(weekly), that week or the one before (every two weeks), the calendar month (monthly). So a
second run creates nothing, and a one-to-one the manager cancelled or moved is not planned
again. The slot is the usual weekday and time; if the coach is busy then, the next free slot
that day (every 30 minutes until 18:00); a day without one is skipped and reported.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from coaching import services
from coaching.models import Cadence, CoachingCadence, CoachingSession, SessionKind, SessionStatus
from kpis.periods import day_start
from reps.models import Rep

DEFAULT = CoachingCadence(cadence=Cadence.WEEKLY, weekday=1, time=dt.time(9), minutes=45)
STEP = dt.timedelta(minutes=30)
LAST_START = dt.time(18)


@dataclass
class PlanResult:
    created: list[CoachingSession] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # why a due one-to-one was not planned


def window(today: dt.date) -> tuple[dt.date, dt.date]:
    """From tomorrow to the Sunday of next week: next week's one-to-ones exist all week long."""
    monday = today - dt.timedelta(days=today.weekday())
    return today + dt.timedelta(days=1), monday + dt.timedelta(days=13)


def _period(cadence: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The days in which one one-to-one satisfies the cadence, for a one-to-one due on ``day``."""
    monday = day - dt.timedelta(days=day.weekday())
    if cadence == Cadence.BIWEEKLY:
        return monday - dt.timedelta(days=7), monday + dt.timedelta(days=6)
    if cadence == Cadence.MONTHLY:
        following = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
        return day.replace(day=1), following - dt.timedelta(days=1)
    return monday, monday + dt.timedelta(days=6)


def _due_days(row: CoachingCadence, first: dt.date, last: dt.date) -> list[dt.date]:
    day = first + dt.timedelta(days=(row.weekday - first.weekday()) % 7)
    days = []
    while day <= last:
        days.append(day)
        day += dt.timedelta(days=7)
    return days


def _overlaps(busy: list[tuple[dt.datetime, dt.datetime]], start: dt.datetime, end: dt.datetime) -> bool:
    return any(b_start < end and start < b_end for b_start, b_end in busy)


@transaction.atomic
def plan_one_to_ones(*, today: dt.date | None = None, rep_ids: list[int] | None = None) -> PlanResult:
    """Plan the due one-to-ones of the window (see the module docstring). Idempotent.

    Reads in three queries (reps with their cadence and coach, the reps' one-to-ones, the
    coaches' sessions in the window) and writes each new session through
    ``services.session_create`` (which refuses a clash, as for any session).
    """
    today = today or timezone.localdate()
    first, last = window(today)
    reps_qs = (
        Rep.objects.filter(is_active=True, team__manager__isnull=False)
        .exclude(team__manager_id=F("user_id"))  # a team lead who sells is coached by their own manager
        .select_related("user", "team__manager", "coaching_cadence")
        .select_for_update(of=("self",))
        .order_by("pk")
    )
    if rep_ids is not None:
        reps_qs = reps_qs.filter(pk__in=rep_ids)
    reps = list(reps_qs)
    lookback = first - dt.timedelta(days=31)  # the widest cadence period before a due day
    existing: dict[int, list[dt.date]] = defaultdict(list)
    for rep_id, when in CoachingSession.objects.filter(
        rep_id__in=[rep.pk for rep in reps],
        kind=SessionKind.ONE_TO_ONE,
        scheduled_for__gte=day_start(lookback),
        scheduled_for__lt=day_start(last + dt.timedelta(days=32)),
    ).values_list("rep_id", "scheduled_for"):
        existing[rep_id].append(timezone.localdate(when))
    busy: dict[int, list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
    coach_ids = {rep.team.manager_id for rep in reps}
    for coach_id, when, minutes in (
        CoachingSession.objects.filter(
            coach_id__in=coach_ids,
            scheduled_for__gte=day_start(first) - dt.timedelta(minutes=services.MAX_SESSION_MINUTES),
            scheduled_for__lt=day_start(last + dt.timedelta(days=1)),
        )
        .exclude(status=SessionStatus.CANCELLED)
        .values_list("coach_id", "scheduled_for", "minutes")
    ):
        busy[coach_id].append((when, when + dt.timedelta(minutes=minutes)))

    result = PlanResult()
    for rep in reps:
        row = getattr(rep, "coaching_cadence", None) or DEFAULT
        if row.cadence == Cadence.NONE:
            continue
        coach = rep.team.manager
        for day in _due_days(row, first, last):
            start, end = _period(row.cadence, day)
            if any(start <= held <= end for held in existing[rep.pk]):
                continue
            slot = _free_slot(busy[coach.pk], day, row.time, row.minutes)
            if slot is None:
                result.skipped.append(f"{rep.name} {day.isoformat()}: {coach.get_username()} has no free slot that day")
                continue
            try:
                session = services.session_create(
                    rep=rep, coach=coach, scheduled_for=slot, minutes=row.minutes, kind=SessionKind.ONE_TO_ONE
                )
            except ValidationError as error:
                result.skipped.append(f"{rep.name} {day.isoformat()}: {'; '.join(error.messages)}")
                continue
            existing[rep.pk].append(day)
            busy[coach.pk].append((slot, slot + dt.timedelta(minutes=row.minutes)))
            result.created.append(session)
    return result


def _free_slot(busy: list[tuple[dt.datetime, dt.datetime]], day: dt.date, time: dt.time, minutes: int) -> dt.datetime | None:
    start = timezone.make_aware(dt.datetime.combine(day, time))
    latest = timezone.make_aware(dt.datetime.combine(day, LAST_START))
    length = dt.timedelta(minutes=minutes)
    while start <= latest:
        if not _overlaps(busy, start, start + length):
            return start
        start += STEP
    return None
