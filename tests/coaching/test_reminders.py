"""Reminder emails: the day before a one-to-one, overdue action items weekly, the team's week
for managers; each once, plain text and HTML, each kind switched off per user, and never a
private note."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from coaching import reminders, services
from coaching.models import EmailKind, SentEmail
from tests.coaching.world import make_coaching_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def cworld(db):
    world = make_coaching_world()
    for user in (world.manager, world.rep.user, world.teammate.user, world.other_rep.user, world.other_rep.team.manager):
        user.email = f"{user.username}@example.com"
        user.save(update_fields=["email"])
    return world


def to(address_part: str) -> list:
    return [m for m in mail.outbox if any(address_part in a for a in m.to)]


def test_the_day_before_a_one_to_one_the_coach_and_the_rep_get_its_agenda(cworld):
    today = timezone.localdate()
    sent = reminders.send_all(today=today)
    assert sent.counts[EmailKind.ONE_TO_ONE] == 6  # tomorrow: 3 one-to-ones, each to its coach and its rep
    [rita] = [m for m in to("rita@") if "one-to-one" in m.subject]
    coach = cworld.manager.get_full_name() or cworld.manager.get_username()
    assert f"Tomorrow: one-to-one with {coach}," in rita.subject  # the rep is told whom she meets, not her own name
    [coach_mail] = [m for m in to(f"{cworld.manager.username}@") if "with Rita Rep" in m.subject]
    assert coach_mail.subject.startswith("Tomorrow: one-to-one with Rita Rep, ")
    assert "Action of rep" in rita.body  # the open action items
    assert "Deal of rep" in rita.body  # a deal worth a review
    html, mimetype = rita.alternatives[0]
    assert mimetype == "text/html" and "Action of rep" in html
    for message in mail.outbox:  # never a private note, in any email
        assert "Private notes" not in message.body
        assert "Private notes" not in message.alternatives[0][0]


def test_the_headline_figures_read_as_on_the_pages():
    """Money with separators and the currency, ratios in percent (not "13400.00")."""
    figures = reminders.headline(
        {"last_week_figures": {"won_revenue": "13400.00", "deals_won": 4}, "quota_figures": {"attainment": "0.8250"}}
    )
    assert figures["won_revenue"] in ("13,400\u00a0€", "€13,400")
    assert figures["attainment"] == "82.5 %"
    assert figures["pace"] == "—"


def test_each_email_is_sent_once(cworld):
    today = timezone.localdate()
    first = reminders.send_all(today=today).total
    count = len(mail.outbox)
    assert first == count > 0
    assert reminders.send_all(today=today).total == 0
    call_command("send_coaching_reminders", "--today", today.isoformat())
    assert len(mail.outbox) == count
    assert SentEmail.objects.count() == count


def test_overdue_action_items_are_reminded_weekly(cworld):
    item = cworld.actions["rep"]
    services.action_item_update(item=item, due_date=timezone.localdate() - dt.timedelta(days=2))
    today = timezone.localdate()
    reminders.send_all(today=today)
    [message] = [m for m in to("rita@") if "overdue" in m.subject]
    assert "Action of rep" in message.body
    reminders.send_all(today=today + dt.timedelta(days=1))
    assert len([m for m in to("rita@") if "overdue" in m.subject]) in (1, 2)  # again only in a new week
    monday = today - dt.timedelta(days=today.weekday()) + dt.timedelta(days=7)
    reminders.send_all(today=monday)
    key = f"week:{monday.isoformat()}"
    assert SentEmail.objects.filter(kind=EmailKind.OVERDUE_ACTIONS, key=key, recipient=cworld.rep.user).count() == 1


def test_the_managers_week(cworld):
    today = timezone.localdate()
    reminders.send_all(today=today)
    [summary] = [m for m in to(f"{cworld.manager.username}@") if "week from" in m.subject]
    assert "One-to-ones planned this week" in summary.body
    assert not [m for m in to("rita@") if "week from" in m.subject]  # managers only


def test_a_user_switches_an_email_off(cworld):
    services.email_preferences_update(user=cworld.rep.user, one_to_one_reminders=False)
    services.email_preferences_update(user=cworld.manager, weekly_team_summary=False)
    reminders.send_all(today=timezone.localdate())
    assert not [m for m in to("rita@") if "one-to-one" in m.subject]
    assert not [m for m in to(f"{cworld.manager.username}@") if "week from" in m.subject]
    assert [m for m in to(f"{cworld.manager.username}@") if "one-to-one" in m.subject]


def test_a_user_without_an_email_address_gets_none(cworld):
    cworld.rep.user.email = ""
    cworld.rep.user.save(update_fields=["email"])
    reminders.send_all(today=timezone.localdate())
    assert not SentEmail.objects.filter(recipient=cworld.rep.user).exists()


def test_a_failed_send_is_tried_again(cworld, monkeypatch):
    def fail(*args, **kwargs):
        raise OSError("SMTP down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", fail)
    with pytest.raises(OSError):
        reminders.send_all(today=timezone.localdate())
    assert not SentEmail.objects.exists()
    monkeypatch.undo()
    assert reminders.send_all(today=timezone.localdate()).total > 0
