"""``manage.py seed_demo``: counts, determinism, refusal on a database with data."""

import datetime as dt
import io
import itertools

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import models
from django.utils import timezone

from kpis.models import ActivityTarget, Quota
from reps.models import Activity, Opportunity, OpportunityOwnerChange, OpportunityStageChange, Rep, Team

pytestmark = pytest.mark.django_db

ARGS = ["--reps", "7", "--weeks", "6", "--seed", "3", "--today", "2026-11-25"]


def seed(*extra: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", *ARGS, *extra, stdout=out)
    return out.getvalue()


def fingerprint() -> dict:
    return {
        "teams": list(Team.objects.order_by("name").values_list("name", "parent__name", "manager__username")),
        "reps": list(Rep.objects.order_by("user__username").values_list("user__username", "team__name", "start_date")),
        "deals": list(
            Opportunity.objects.order_by("created_date", "name", "amount").values_list(
                "name", "owner__user__username", "stage__name", "amount", "created_date", "offer_date", "close_date"
            )
        ),
        "activities": list(
            Activity.objects.order_by("owner__user__username", "kind", "planned_date", "done_at", "subject").values_list(
                "owner__user__username", "kind", "status", "planned_date", "done_at"
            )
        ),
        "quotas": list(
            Quota.objects.order_by("rep__user__username", "start_date").values_list(
                "rep__user__username", "start_date", "end_date", "target"
            )
        ),
    }


def test_it_creates_regions_teams_reps_and_history():
    output = seed("--password", "demo-pass-1")
    assert Team.objects.filter(parent=None).count() == 1  # 7 reps → 2 teams of up to 6 → 1 region
    assert Team.objects.exclude(parent=None).count() == 2
    assert Rep.objects.count() == 7
    assert Opportunity.objects.count() > 7 * 6  # one to three new deals a rep a week
    deals = Opportunity.objects.count()
    assert OpportunityOwnerChange.objects.filter(from_owner=None).count() == deals
    assert OpportunityStageChange.objects.filter(from_stage=None).count() == deals
    assert Opportunity.objects.filter(stage__kind="won").exists()
    assert Opportunity.objects.filter(stage__kind="lost").exists()
    assert Opportunity.objects.filter(stage__kind="open").exists()
    assert Activity.objects.filter(status="done").exists() and Activity.objects.filter(status="planned").exists()
    assert Quota.objects.filter(rep__isnull=False).exists() and ActivityTarget.objects.exists()
    # Every seeded quota and target has its first history row, so a later change shows the old value.
    for model in (Quota, ActivityTarget):
        assert model.history.filter(history_type="+", history_change_reason="demo data").count() == model.objects.count()
    assert "rep1" in output and "Password" not in output
    for username in ("admin", "manager1", "rep7"):
        assert authenticate(username=username, password="demo-pass-1") is not None


def test_the_same_seed_gives_the_same_data():
    seed("--password", "x")
    first = fingerprint()
    seed("--password", "x", "--reset")
    assert fingerprint() == first


def test_it_refuses_a_database_with_data_unless_reset():
    seed("--password", "x")
    with pytest.raises(CommandError, match=r"already has sales data.*--reset"):
        seed("--password", "x")
    assert "leaving it as it is" in seed("--password", "x", "--if-empty")


def test_without_a_password_it_generates_one_and_prints_it_once():
    output = seed()
    line = next(line for line in output.splitlines() if line.startswith("Password"))
    password = line.rsplit(" ", 1)[1]
    assert authenticate(username="manager1", password=password) is not None
    assert output.count(password) == 1


def test_history_ends_on_the_anchor_date():
    seed("--password", "x")
    assert Opportunity.objects.latest("created_date").created_date <= dt.date(2026, 11, 25)
    assert not Activity.objects.filter(status="done", done_at__date__gt=dt.date(2026, 11, 26)).exists()


def test_the_events_instants_come_from_the_history_and_fall_on_their_dates():
    seed()
    filled = 0
    for row in Opportunity.objects.values_list("created_date", "created_at", "offer_date", "offer_at", "close_date", "closed_at"):
        for day, instant in zip(row[::2], row[1::2], strict=True):
            if instant is not None:
                assert timezone.localdate(instant) == day
                filled += 1
    assert not Opportunity.objects.filter(created_at=None).exists()  # created at 09:30 local on its day
    assert filled > Opportunity.objects.count()


def test_quotas_are_monthly_never_overlap_and_reach_the_end_of_next_quarter():
    seed("--password", "x")
    assert not Quota.objects.filter(team__isnull=False).exists()  # a team's target is its reps'
    by_rep: dict[int, list[tuple[dt.date, dt.date]]] = {}
    for rep_id, start, end in Quota.objects.order_by("rep", "start_date").values_list("rep", "start_date", "end_date"):
        by_rep.setdefault(rep_id, []).append((start, end))
    assert len(by_rep) == Rep.objects.count()
    for periods in by_rep.values():
        assert all(start.day == 1 and (end + dt.timedelta(days=1)).day == 1 for start, end in periods)  # whole months
        assert all(earlier[1] < later[0] for earlier, later in itertools.pairwise(periods))
        assert periods[-1][1] == dt.date(2027, 3, 31)  # today 2026-11-25: this quarter and the next


def test_attainment_is_believable_some_short_some_over():
    seed("--password", "x", "--reps", "12", "--weeks", "30")  # six whole months behind
    attainment = []
    for rep in Rep.objects.all():
        months = Quota.objects.filter(rep=rep, end_date__lt=dt.date(2026, 11, 1))
        target = sum(q.target for q in months)
        won = sum(
            o.amount
            for o in Opportunity.objects.filter(owner=rep, stage__kind="won", close_date__gte=min(q.start_date for q in months))
            if o.close_date < dt.date(2026, 11, 1)
        )
        attainment.append(won / target)
    assert min(attainment) < 0.85 and max(attainment) > 1.0, attainment


def test_forecast_calls_give_the_accuracy_tables_figures():
    """The rep page, the team forecast and the one-to-one agenda show forecast accuracy: the
    demo has the calls it counts (mid-month and end of month), by reps and their managers."""
    from django.contrib.auth import get_user_model

    from forecasts.models import ForecastSubmission
    from forecasts.selectors import accuracy

    seed("--password", "x", "--weeks", "20")
    rep, team = Rep.objects.select_related("team").first(), Team.objects.exclude(parent=None).first()
    assert ForecastSubmission.objects.filter(rep=rep).exists() and ForecastSubmission.objects.filter(team=team).exists()
    assert not ForecastSubmission.objects.filter(commit__gt=models.F("best_case")).exists()
    admin = get_user_model().objects.get(username="admin")
    scores = accuracy(user=admin, kind="month", today=dt.date(2026, 11, 25), rep_ids=[rep.pk], team_ids=[team.pk])
    for key in (("rep", rep.pk), ("team", team.pk)):
        ended = [p for p in scores[key]["periods"] if p["call_end"] is not None]
        assert len(ended) >= 3, scores[key]
        assert all(p["call_mid"] is not None for p in ended)
    assert ForecastSubmission.objects.filter(submitted_at__gt=timezone.now()).count() == 0


def test_nothing_happens_after_now(monkeypatch):
    """Seeded at 10:00 today: no call done, deal created or stage change later that day."""
    from django.utils import timezone

    now = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: now)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2026, 11, 25))
    seed("--password", "x")
    assert Activity.objects.filter(status="done").exists()
    assert not Activity.objects.filter(done_at__gt=now).exists()
    assert not OpportunityStageChange.objects.filter(changed_at__gt=now).exists()


def test_if_empty_on_existing_data_says_the_password_was_not_changed():
    assert "the password given with --password" in seed("--password", "x")
    out = seed("--if-empty", "--password", "other")
    assert "password was NOT changed" in out and "other" not in out


def test_make_run_names_no_password_that_seed_demo_may_have_kept():
    from pathlib import Path

    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text()
    recipe = makefile.split("\nrun: seed\n", 1)[1].split("\n\n", 1)[0]
    assert "runserver" in recipe and "DEMO_PASSWORD" not in recipe  # seed_demo prints the one that holds


def _bands(start: dt.date, end: dt.date, today: dt.date) -> set[str | None]:
    from django.contrib.auth import get_user_model

    from kpis.selectors import kpi_table

    admin = get_user_model().objects.get(username="admin")
    return {row["band"] for row in kpi_table(user=admin, start=start, end=end, group_by="rep", today=today)}


ALL_BANDS = {"at_risk", "close", "on_target"}


@pytest.mark.parametrize(
    ("now", "current_month_too"),
    [
        (dt.datetime(2026, 12, 1, 6, 30, tzinfo=dt.UTC), False),  # the first working day, before anything happened
        (dt.datetime(2026, 12, 1, 15, 0, tzinfo=dt.UTC), True),  # the first working day, in the afternoon
        (dt.datetime(2026, 12, 9, 10, 0, tzinfo=dt.UTC), True),
    ],
)
def test_reps_are_over_close_and_under_last_month_and_this_month(monkeypatch, now, current_month_too):
    """Issue 15: a mix of bands for the previous month always, and for the current one as soon as
    any of it has elapsed: on the 1st at 15:00, deals were won earlier today (never after now)."""
    today = now.date()
    monkeypatch.setattr(timezone, "now", lambda: now)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: today)
    call_command("seed_demo", "--reps", "12", "--weeks", "10", "--seed", "3", "--password", "x", stdout=io.StringIO())
    assert _bands(dt.date(2026, 11, 1), dt.date(2026, 11, 30), today) == ALL_BANDS
    this_month = _bands(dt.date(2026, 12, 1), dt.date(2026, 12, 31), today)
    if current_month_too:
        assert this_month == ALL_BANDS
        assert Opportunity.objects.filter(stage__kind="won", close_date__gte=dt.date(2026, 12, 1)).exists()
    assert not OpportunityStageChange.objects.filter(changed_at__gt=now).exists()
    assert not Opportunity.objects.filter(closed_at__gt=now).exists()


def test_the_recent_held_sessions_have_their_agenda_stored_the_older_ones_read_live():
    """Issue 14: seed_demo stores the agendas of the last 7 days' held sessions (each rep's latest
    one-to-one, whose deals are still being edited); the older ones read live as of their start
    until the nightly run (freeze_missing) stores them."""
    from coaching import agenda
    from coaching.models import CoachingSession, FrozenAgenda

    output = seed("--password", "x")
    now = dt.datetime(2026, 11, 25, 23, 59, tzinfo=timezone.get_current_timezone())  # --today pinned: its last minute
    since = dt.datetime(2026, 11, 18, tzinfo=timezone.get_current_timezone())
    held = CoachingSession.objects.filter(status="held")
    recent, older = held.filter(scheduled_for__gte=since), held.filter(scheduled_for__lt=since)
    assert recent.filter(kind="one_to_one").values("rep").distinct().count() >= 5 and older.exists()
    assert not recent.filter(frozen_agenda__isnull=True).exists()
    assert not older.filter(frozen_agenda__isnull=False).exists()
    assert not FrozenAgenda.objects.exclude(session__status="held").exists()
    assert not FrozenAgenda.objects.filter(frozen_at__gt=now).exists()
    assert f"{recent.count()} agendas" in output
    stored = agenda.agenda_data(recent.first())
    assert stored["frozen_at"] is not None and dt.datetime.fromisoformat(stored["as_of"]) <= now
    assert agenda.agenda_data(older.first())["frozen_at"] is None  # live, as of its start
    assert agenda.freeze_missing() == older.count()  # what the nightly run stores


def test_seed_demo_stores_the_latest_agendas_only_up_to_its_cap(monkeypatch):
    """The cap keeps a large seed's cost bounded: the latest sessions first."""
    from coaching.models import CoachingSession
    from reps import demo

    monkeypatch.setattr(demo, "FROZEN_AGENDA_LIMIT", 3)
    seed("--password", "x")
    held = CoachingSession.objects.filter(status="held").order_by("-scheduled_for", "-pk")
    assert [s.pk for s in held if hasattr(s, "frozen_agenda")] == [s.pk for s in held[:3]]
