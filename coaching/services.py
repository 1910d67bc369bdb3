"""Every write to the coaching records goes through these functions.

Who may write is checked by the callers (views and API, through ``coaching.rules``); these
validate the records themselves: a coach must be someone who may manage the rep, feedback has
all three parts, texts are trimmed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coaching import rules
from coaching.models import (
    ActionItem,
    Cadence,
    CoachingCadence,
    CoachingFeedback,
    CoachingSession,
    EmailPreference,
    FrozenAgenda,
    SessionKind,
    SessionStatus,
)
from kpis.periods import EARLIEST_DAY, LATEST_DAY
from reps import access
from reps.models import Rep

SESSION_FIELDS = {"kind", "scheduled_for", "minutes", "status", "shared_notes", "private_notes"}
ACTION_FIELDS = {"title", "due_date"}


def _save(obj: Any) -> Any:
    obj.full_clean()
    obj.save()
    return obj


def _trimmed(fields: dict[str, Any]) -> dict[str, Any]:
    return {key: value.strip() if isinstance(value, str) else value for key, value in fields.items()}


def _check_coach(coach: Any, rep: Rep) -> None:
    if not rules.can_coach(coach, rep):
        own = access.rep_of(coach)
        if own is not None and own.pk == rep.pk:
            raise ValidationError({"rep": _("You cannot coach yourself: your own manager coaches you.")})
        raise ValidationError({"rep": _("You may only coach the reps of the teams you manage.")})


def _check_when(session: CoachingSession) -> None:
    """A real date (the agenda looks at the weeks around it), and held means it took place:
    today at the latest (coaching time counts what was done)."""
    if session.scheduled_for is None:
        return
    day = timezone.localdate(session.scheduled_for)
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise ValidationError({"scheduled_for": _("Pick a date between the years 1900 and 2999.")})
    if session.status == SessionStatus.HELD and day > timezone.localdate():
        raise ValidationError(
            {"status": _("A session on a later day cannot be held yet: change its date, or mark it held once it took place.")}
        )


MAX_SESSION_MINUTES = 480


def _check_clash(session: CoachingSession) -> None:
    """Never double-book a coach: a session (not cancelled) may not overlap another of the
    same coach. One query (sessions are at most eight hours long)."""
    if session.status == SessionStatus.CANCELLED or session.scheduled_for is None or not session.minutes:
        return
    start = session.scheduled_for
    end = start + dt.timedelta(minutes=session.minutes)
    others = (
        CoachingSession.objects.filter(
            coach_id=session.coach_id,
            scheduled_for__lt=end,
            scheduled_for__gt=start - dt.timedelta(minutes=MAX_SESSION_MINUTES),
        )
        .exclude(status=SessionStatus.CANCELLED)
        .exclude(pk=session.pk)
        .select_related("rep__user")
        .order_by("scheduled_for")
    )
    for other in others:
        if other.scheduled_for + dt.timedelta(minutes=other.minutes) > start:
            local = timezone.localtime(other.scheduled_for)
            until = local + dt.timedelta(minutes=other.minutes)
            raise ValidationError(
                {
                    "scheduled_for": _(
                        "The coach already has a session then: %(kind)s with %(rep)s on %(day)s from %(start)s to "
                        "%(end)s. Pick another time."
                    )
                    % {
                        "kind": other.get_kind_display(),
                        "rep": other.rep.name,
                        "day": local.date().isoformat(),
                        "start": local.strftime("%H:%M"),
                        "end": until.strftime("%H:%M"),
                    }
                }
            )


def _after_save(session: CoachingSession, was_held: bool, moved: bool) -> None:
    """A session marked held keeps its agenda as it was (stored); one no longer held drops it."""
    from coaching.agenda import agenda_freeze  # the agenda reads through selectors, which import the models only

    if session.status == SessionStatus.HELD and (not was_held or moved):
        agenda_freeze(session=session)
    elif session.status != SessionStatus.HELD and was_held:
        FrozenAgenda.objects.filter(session=session).delete()


@transaction.atomic
def session_create(
    *,
    rep: Rep,
    coach: Any,
    scheduled_for: dt.datetime,
    kind: str = SessionKind.ONE_TO_ONE,
    minutes: int = 30,
    status: str = SessionStatus.PLANNED,
    shared_notes: str = "",
    private_notes: str = "",
) -> CoachingSession:
    _check_coach(coach, rep)
    session = CoachingSession(
        rep=rep,
        coach=coach,
        kind=kind,
        scheduled_for=scheduled_for,
        minutes=minutes,
        status=status,
        **_trimmed({"shared_notes": shared_notes, "private_notes": private_notes}),
    )
    _check_when(session)
    _check_clash(session)
    _save(session)
    _after_save(session, was_held=False, moved=False)
    return session


@transaction.atomic
def session_update(*, session: CoachingSession, **fields: Any) -> CoachingSession:
    """Change what ``SESSION_FIELDS`` names (notes, when, length, status, kind)."""
    unknown = set(fields) - SESSION_FIELDS
    if unknown:
        raise ValueError(f"not session fields: {sorted(unknown)}")
    was_held = session.pk is not None and session.status == SessionStatus.HELD
    before = (session.scheduled_for, session.minutes, session.status)
    for name, value in _trimmed(fields).items():
        setattr(session, name, value)
    _check_when(session)
    if (session.scheduled_for, session.minutes, session.status) != before:
        _check_clash(session)  # notes alone never: an old overlap must not block saving them
    _save(session)
    _after_save(session, was_held=was_held, moved=session.scheduled_for != before[0])
    return session


def session_delete(*, session: CoachingSession) -> None:
    session.delete()


@transaction.atomic
def feedback_give(
    *,
    rep: Rep,
    given_by: Any,
    problem: str,
    consequence: str,
    improvement: str,
    session: CoachingSession | None = None,
    date: dt.date | None = None,
) -> CoachingFeedback:
    """Record 3-part feedback; each part is required (blank after trimming is refused)."""
    _check_coach(given_by, rep)
    if session is not None and session.rep_id != rep.pk:
        raise ValidationError({"session": _("This session is with another rep.")})
    parts = _trimmed({"problem": problem, "consequence": consequence, "improvement": improvement})
    feedback = CoachingFeedback(rep=rep, given_by=given_by, session=session, date=date or timezone.localdate(), **parts)
    return _save(feedback)


def feedback_delete(*, feedback: CoachingFeedback) -> None:
    feedback.delete()


@transaction.atomic
def action_item_create(
    *, rep: Rep, created_by: Any, title: str, due_date: dt.date | None = None, session: CoachingSession | None = None
) -> ActionItem:
    _check_coach(created_by, rep)
    if session is not None and session.rep_id != rep.pk:
        raise ValidationError({"session": _("This session is with another rep.")})
    item = ActionItem(rep=rep, created_by=created_by, session=session, due_date=due_date, title=title.strip())
    return _save(item)


@transaction.atomic
def action_item_update(*, item: ActionItem, **fields: Any) -> ActionItem:
    unknown = set(fields) - ACTION_FIELDS
    if unknown:
        raise ValueError(f"not action item fields: {sorted(unknown)}")
    for name, value in _trimmed(fields).items():
        setattr(item, name, value)
    return _save(item)


def action_item_set_done(*, item: ActionItem, done: bool, at: dt.datetime | None = None) -> ActionItem:
    """Mark done (now, or ``at``) or open again; marking a done item done keeps its date."""
    if done and item.done_at is None:
        item.done_at = at or timezone.now()
    elif not done:
        item.done_at = None
    item.save(update_fields=["done_at"])
    return item


def action_item_delete(*, item: ActionItem) -> None:
    item.delete()


# --- one-to-one cadence ---------------------------------------------------------------------

CADENCE_FIELDS = {"cadence", "weekday", "time", "minutes"}


@transaction.atomic
def cadence_set(
    *,
    rep: Rep,
    by: Any,
    cadence: str = Cadence.WEEKLY,
    weekday: int = 1,
    time: dt.time = dt.time(9),
    minutes: int = 45,
) -> CoachingCadence:
    """Set the rep's one-to-one cadence (create or replace). ``by`` must coach the rep."""
    _check_coach(by, rep)
    row = CoachingCadence.objects.filter(rep=rep).first() or CoachingCadence(rep=rep)
    row.cadence, row.weekday, row.time, row.minutes = cadence, weekday, time, minutes
    row.updated_by, row.updated_at = by, timezone.now()
    return _save(row)


@transaction.atomic
def cadence_update(*, row: CoachingCadence, by: Any, **fields: Any) -> CoachingCadence:
    unknown = set(fields) - CADENCE_FIELDS
    if unknown:
        raise ValueError(f"not cadence fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(row, name, value)
    row.updated_by, row.updated_at = by, timezone.now()
    return _save(row)


def cadence_delete(*, row: CoachingCadence) -> None:
    """Back to the default (weekly)."""
    row.delete()


# --- email preferences ----------------------------------------------------------------------

EMAIL_PREFERENCE_FIELDS = {"one_to_one_reminders", "overdue_action_reminders", "weekly_team_summary"}


@transaction.atomic
def email_preferences_update(*, user: Any, **fields: Any) -> EmailPreference:
    unknown = set(fields) - EMAIL_PREFERENCE_FIELDS
    if unknown:
        raise ValueError(f"not email preferences: {sorted(unknown)}")
    row, _created = EmailPreference.objects.get_or_create(user=user)
    for name, value in fields.items():
        setattr(row, name, bool(value))
    return _save(row)
