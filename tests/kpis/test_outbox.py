"""The outbox: a write whose recompute cannot be queued still succeeds, and nothing is lost."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from kpis import outbox, tasks
from kpis.models import KpiDay, PendingRecompute, WorkerHeartbeat
from reps.models import Activity
from tests.factories import PASSWORD, RepFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker_down(monkeypatch):
    """Every task the web process queues fails as when Redis cannot be reached."""

    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:1. Connection refused.")

    monkeypatch.setattr(tasks.recompute_rep_days, "delay", refuse)


def _log_in(client, user) -> None:
    client.login(username=user.username, password=PASSWORD)


def test_a_saved_activity_answers_success_while_the_broker_is_down(client, broker_down, django_capture_on_commit_callbacks):
    rep = RepFactory()
    _log_in(client, rep.user)
    with django_capture_on_commit_callbacks(execute=True):
        payload = {"kind": "call", "status": "done", "done_at": "2025-03-04T10:00:00Z"}
        response = client.post("/api/v1/activities/", payload, content_type="application/json")
    assert response.status_code == 201, response.content
    assert Activity.objects.filter(owner=rep).count() == 1
    pending = PendingRecompute.objects.get()
    assert (pending.rep_ids, pending.days, pending.attempts) == ([rep.pk], ["2025-03-04"], 1)
    assert "OperationalError" in pending.last_error
    assert not KpiDay.objects.exists()


def test_a_quick_add_redirects_and_my_week_says_the_figures_may_be_stale(client, broker_down, django_capture_on_commit_callbacks):
    rep = RepFactory()
    _log_in(client, rep.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("activity_quick_add"), {"kind": "call", "status": "done", "date": timezone.localdate().isoformat()}
        )
    assert response.status_code == 302
    page = client.get(reverse("my_week")).content.decode()
    assert "Figures may be stale since" in page


def test_the_flush_runs_every_missed_recompute_even_a_back_dated_one(client, broker_down, django_capture_on_commit_callbacks):
    rep = RepFactory()
    _log_in(client, rep.user)
    old = (timezone.localdate() - dt.timedelta(days=900)).isoformat()  # far outside the nightly window
    with django_capture_on_commit_callbacks(execute=True):
        for when in (f"{old}T10:00:00Z", "2025-03-04T10:00:00Z"):
            response = client.post(
                "/api/v1/activities/", {"kind": "call", "status": "done", "done_at": when}, content_type="application/json"
            )
            assert response.status_code == 201
    assert PendingRecompute.objects.count() == 2

    assert tasks.flush_pending_recomputes() == 2  # the broker is back: beat (or a starting worker) runs the flush
    assert sorted(KpiDay.objects.filter(rep=rep).values_list("day", "contacts")) == [
        (dt.date.fromisoformat(old), 1),
        (dt.date(2025, 3, 4), 1),
    ]
    assert not PendingRecompute.objects.exists()
    assert WorkerHeartbeat.objects.exists()
    assert "Figures may be stale" not in client.get(reverse("my_week")).content.decode()


def test_a_queued_recompute_is_left_to_its_task_for_a_minute(rep):
    fresh = PendingRecompute.objects.create(rep_ids=[rep.pk], days=["2025-03-04"])
    assert outbox.pending_recomputes_flush() == 0
    assert outbox.figures_stale_since() is None  # a healthy worker gets to it first
    later = timezone.now() + dt.timedelta(minutes=2)
    assert outbox.figures_stale_since(now=later) == fresh.created_at
    assert outbox.pending_recomputes_flush(now=later) == 1
    assert not PendingRecompute.objects.exists()


def test_the_task_takes_its_row_out_of_the_outbox_and_a_second_run_changes_nothing(rep, django_capture_on_commit_callbacks):
    from reps import services

    with django_capture_on_commit_callbacks(execute=False):
        services.activity_create(owner=rep, kind="call", status="done", done_at=timezone.make_aware(dt.datetime(2025, 3, 4, 10)))
    pending = PendingRecompute.objects.get()
    tasks.recompute_rep_days(rep_ids=pending.rep_ids, days=pending.days, pending_id=pending.pk)
    tasks.recompute_rep_days(rep_ids=pending.rep_ids, days=pending.days, pending_id=pending.pk)
    assert not PendingRecompute.objects.exists()
    assert list(KpiDay.objects.values_list("day", "contacts")) == [(dt.date(2025, 3, 4), 1)]


def test_one_failing_row_does_not_hold_back_the_others(rep, monkeypatch):
    good = PendingRecompute.objects.create(rep_ids=[rep.pk], days=["2025-03-04"], attempts=1)
    bad = PendingRecompute.objects.create(rep_ids=[rep.pk], days=["2025-03-05"], attempts=1)
    real = outbox.kpi_recompute_days

    def fails_on_the_fifth(*, rep_ids, days):
        if dt.date(2025, 3, 5) in set(days):
            raise RuntimeError("boom")
        return real(rep_ids=rep_ids, days=days)

    monkeypatch.setattr(outbox, "kpi_recompute_days", fails_on_the_fifth)
    assert outbox.pending_recomputes_flush() == 1
    assert list(PendingRecompute.objects.values_list("pk", "attempts")) == [(bad.pk, 2)]
    assert not PendingRecompute.objects.filter(pk=good.pk).exists()


@pytest.mark.parametrize("page", ["dashboard", "rep_detail", "team_meeting", "leaderboard", "team_overview"])
def test_the_kpi_pages_say_since_when_the_figures_may_be_stale(client, rep, manager, page):
    waiting = PendingRecompute.objects.create(rep_ids=[rep.pk], days=["2025-03-04"], attempts=1)
    _log_in(client, manager)
    url = reverse(page, args=[rep.pk]) if page == "rep_detail" else reverse(page)
    text = client.get(url).content.decode()
    assert f"Figures may be stale since {timezone.localtime(waiting.created_at):%Y-%m-%d %H:%M}" in text
    waiting.delete()
    assert "Figures may be stale" not in client.get(url).content.decode()


def test_other_pages_do_not_show_the_notice(client, rep):
    PendingRecompute.objects.create(rep_ids=[rep.pk], days=["2025-03-04"], attempts=1)
    _log_in(client, rep.user)
    assert "Figures may be stale" not in client.get(reverse("account_list")).content.decode()


def test_a_recompute_that_fails_in_eager_mode_keeps_the_write_and_the_row(
    client, monkeypatch, django_capture_on_commit_callbacks
):
    def boom(**kwargs):
        raise RuntimeError("the recompute failed")

    monkeypatch.setattr(outbox, "kpi_recompute_days", boom)
    rep = RepFactory()
    _log_in(client, rep.user)
    with django_capture_on_commit_callbacks(execute=True):
        payload = {"kind": "call", "status": "done", "done_at": "2025-03-04T10:00:00Z"}
        response = client.post("/api/v1/activities/", payload, content_type="application/json")
    assert response.status_code == 201
    assert list(PendingRecompute.objects.values_list("attempts", "last_error")) == [(1, "RuntimeError: the recompute failed")]
