"""Coaching emails: the reminder the day before a one-to-one (to the coach and the rep), the
weekly reminder of overdue action items (to the rep), and the team's week on Monday (to each
manager: who is at risk, the one-to-ones planned, overdue actions).

Each email goes out once: a ``SentEmail`` row (kind, what it is about, recipient) is written in
the same transaction as the sending, under a unique constraint, so a second run (or two at the
same time) sends nothing twice, and a failed send is tried again on the next run. A user turns
each kind off in their ``EmailPreference``; a user without an email address gets none. Emails
are plain text with an HTML alternative, through Django's email backend (``EMAIL_BACKEND``).
Private notes are never in an email: nothing here reads them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from coaching import agenda as agendas
from coaching import selectors
from coaching.models import ActionItem, CoachingSession, EmailKind, EmailPreference, SentEmail, SessionKind, SessionStatus
from kpis import selectors as kpi
from kpis.periods import Period, PeriodKind, day_start
from reps.models import Team
from salesperf import l10n

PREFERENCE_OF = {
    EmailKind.ONE_TO_ONE: "one_to_one_reminders",
    EmailKind.OVERDUE_ACTIONS: "overdue_action_reminders",
    EmailKind.WEEKLY_SUMMARY: "weekly_team_summary",
}


@dataclass
class Sent:
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _url(path: str) -> str:
    return settings.SALESPERF_BASE_URL.rstrip("/") + path


def _wants(user: Any, kind: str, preferences: dict[int, EmailPreference]) -> bool:
    if not user.email or not user.is_active:
        return False
    row = preferences.get(user.pk)
    return row is None or getattr(row, PREFERENCE_OF[kind])


def _preferences(user_ids: set[int]) -> dict[int, EmailPreference]:
    return {row.user_id: row for row in EmailPreference.objects.filter(user_id__in=user_ids)}


def send_once(*, kind: str, key: str, recipient: Any, template: str, context: dict[str, Any]) -> bool:
    """Send one email unless it was sent already; True if sent now."""
    if SentEmail.objects.filter(kind=kind, key=key, recipient=recipient).exists():
        return False
    context = {**context, "recipient": recipient, "site": settings.SALESPERF_BASE_URL}
    subject = " ".join(render_to_string(f"coaching/email/{template}_subject.txt", context).split())
    text = render_to_string(f"coaching/email/{template}.txt", context)
    html = render_to_string(f"coaching/email/{template}.html", context)
    try:
        with transaction.atomic():
            SentEmail.objects.create(kind=kind, key=key, recipient=recipient, subject=subject[:200])
            message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [recipient.email])
            message.attach_alternative(html, "text/html")
            message.send()
    except IntegrityError:  # sent by a run at the same moment
        return False
    return True


# --- the day before a one-to-one ------------------------------------------------------------


def headline(data: dict[str, Any]) -> dict[str, Any]:
    """The agenda's headline figures for an email (from ``agenda.agenda_data``)."""
    last_week = data.get("last_week_figures") or {}
    quota = data.get("quota_figures") or {}
    return {
        "contacts": last_week.get("contacts", 0),
        "offers": last_week.get("offers_submitted", 0),
        "deals_won": last_week.get("deals_won", 0),
        "won_revenue": l10n.money(last_week.get("won_revenue") or 0, symbol=True),  # as on the pages: "13,400 €"
        "attainment": _percent(quota.get("attainment")),
        "pace": _percent(quota.get("pace")),
        "band": quota.get("band"),
        "open_deals": sum(row["count"] for row in data.get("pipeline_by_stage", [])),
        "overdue_next_steps": data.get("overdue_next_steps", 0),
        "deals_to_review": [row["name"] for row in data.get("deals_to_review", [])],
    }


def _percent(value: Any) -> str:
    return "—" if value in (None, "") else l10n.percent(value)


def one_to_one_reminders(today: dt.date, sent: Sent) -> None:
    tomorrow = today + dt.timedelta(days=1)
    sessions = list(
        CoachingSession.objects.filter(
            kind=SessionKind.ONE_TO_ONE,
            status=SessionStatus.PLANNED,
            scheduled_for__gte=day_start(tomorrow),
            scheduled_for__lt=day_start(tomorrow + dt.timedelta(days=1)),
        )
        .select_related("rep__user", "rep__team", "coach")
        .defer("private_notes")
        .order_by("scheduled_for", "pk")
    )
    preferences = _preferences({s.coach_id for s in sessions} | {s.rep.user_id for s in sessions})
    for session in sessions:
        recipients = [user for user in (session.coach, session.rep.user) if _wants(user, EmailKind.ONE_TO_ONE, preferences)]
        if not recipients or all(
            SentEmail.objects.filter(kind=EmailKind.ONE_TO_ONE, key=f"session:{session.pk}", recipient=user).exists()
            for user in recipients
        ):
            continue
        data = agendas.agenda_data(session)
        context = {
            "session": session,
            "when": timezone.localtime(session.scheduled_for),
            "figures": headline(data),
            "open_actions": data["open_actions"],
            "url": _url(reverse("coaching_session_detail", args=[session.pk])),
        }
        for user in recipients:
            if send_once(
                kind=EmailKind.ONE_TO_ONE,
                key=f"session:{session.pk}",
                recipient=user,
                template="one_to_one",
                context={**context, "is_rep": user.pk == session.rep.user_id},
            ):
                sent.counts[EmailKind.ONE_TO_ONE] += 1


# --- overdue action items, weekly -----------------------------------------------------------


def overdue_action_reminders(today: dt.date, sent: Sent) -> None:
    monday = today - dt.timedelta(days=today.weekday())
    items = list(
        ActionItem.objects.filter(done_at__isnull=True, due_date__lt=today, rep__is_active=True)
        .select_related("rep__user")
        .order_by("rep_id", "due_date", "pk")
    )
    by_rep: dict[int, list[ActionItem]] = defaultdict(list)
    for item in items:
        by_rep[item.rep_id].append(item)
    preferences = _preferences({item.rep.user_id for item in items})
    for rep_items in by_rep.values():
        user = rep_items[0].rep.user
        if not _wants(user, EmailKind.OVERDUE_ACTIONS, preferences):
            continue
        context = {"items": rep_items, "today": today, "url": _url(reverse("coaching_home"))}
        if send_once(
            kind=EmailKind.OVERDUE_ACTIONS,
            key=f"week:{monday.isoformat()}",
            recipient=user,
            template="overdue_actions",
            context=context,
        ):
            sent.counts[EmailKind.OVERDUE_ACTIONS] += 1


# --- the team's week, for managers ----------------------------------------------------------


def weekly_summaries(today: dt.date, sent: Sent) -> None:
    monday = today - dt.timedelta(days=today.weekday())
    teams = list(Team.objects.filter(manager__isnull=False).select_related("manager").order_by("name"))
    managers = {team.manager_id: team.manager for team in teams}
    preferences = _preferences(set(managers))
    month = Period.containing(PeriodKind.MONTH, today)
    week_end = monday + dt.timedelta(days=7)
    for manager in managers.values():
        if not _wants(manager, EmailKind.WEEKLY_SUMMARY, preferences):
            continue
        if SentEmail.objects.filter(kind=EmailKind.WEEKLY_SUMMARY, key=f"week:{monday.isoformat()}", recipient=manager).exists():
            continue
        reps = selectors.reps_coaching_status(user=manager, team_ids=None, today=today)
        if not reps:
            continue
        rows = kpi.kpi_table(
            user=selectors.SYSTEM, start=month.start, end=month.end, group_by="rep", rep_ids=[r.pk for r in reps], today=today
        )
        at_risk = [row["rep"]["name"] for row in rows if row.get("band") == "at_risk"]
        planned = list(
            CoachingSession.objects.filter(
                coach=manager,
                status=SessionStatus.PLANNED,
                scheduled_for__gte=day_start(monday),
                scheduled_for__lt=day_start(week_end),
            )
            .select_related("rep__user")
            .defer("private_notes")
            .order_by("scheduled_for")
        )
        context = {
            "manager": manager,
            "monday": monday,
            "month": month,
            "at_risk": at_risk,
            "planned": planned,
            "overdue": [rep for rep in reps if rep.overdue_actions],
            "url": _url(reverse("coaching_home")),
        }
        if send_once(
            kind=EmailKind.WEEKLY_SUMMARY,
            key=f"week:{monday.isoformat()}",
            recipient=manager,
            template="weekly_summary",
            context=context,
        ):
            sent.counts[EmailKind.WEEKLY_SUMMARY] += 1


def send_all(*, today: dt.date | None = None) -> Sent:
    """Every reminder due ``today`` (see the module docstring)."""
    today = today or timezone.localdate()
    sent = Sent()
    one_to_one_reminders(today, sent)
    overdue_action_reminders(today, sent)
    weekly_summaries(today, sent)
    return sent


__all__ = ["Sent", "headline", "send_all", "send_once"]
