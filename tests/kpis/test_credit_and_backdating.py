"""Credit to the owner at the time of the event, to the second, and backdated close dates
(docs/kpis.md, "Who gets the credit" and "Stages"), with the numbers worked out by hand.

Every scenario is checked twice: with the rows the services' on-commit recompute writes (and
those rows equal a full recompute's), and with rows written from scratch by
``manage.py recompute_kpis``; the figures are read through ``GET /api/v1/kpis/``, for reps
and for teams. The organisation is in Europe/Budapest (UTC+1 in March, UTC+2 in September),
so that a local day and a UTC day differ.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from kpis import selectors, sql
from kpis.models import KpiDay, KpiWonCycle
from kpis.services import kpi_recompute
from reps import services
from reps.models import Opportunity
from tests.factories import RepFactory, TeamFactory, make_pipeline
from tests.kpis.kpi_helpers import at, d, move, opp

pytestmark = pytest.mark.django_db

URL = "/api/v1/kpis/"
DEAL_FIGURES = ("opportunities_created", "offers_submitted", "deals_won", "won_revenue", "deals_lost", "lost_after_offer")
NOTHING = (0, 0, 0, "0.00", 0, 0)


@pytest.fixture(autouse=True)
def budapest(settings):
    settings.TIME_ZONE = "Europe/Budapest"


@pytest.fixture
def alpha():
    return TeamFactory(name="Alpha")


@pytest.fixture
def beta():
    return TeamFactory(name="Beta")


@pytest.fixture
def alice(alpha):
    return RepFactory(team=alpha)


@pytest.fixture
def bob(beta):
    return RepFactory(team=beta)


def stored_rows() -> tuple[list[dict], list[tuple]]:
    days = list(KpiDay.objects.order_by("rep", "day").values("rep", "day", *sql.COUNT_COLUMNS))
    cycles = list(KpiWonCycle.objects.order_by("rep", "day", "cycle_days").values_list("rep", "day", "cycle_days", "deals"))
    return days, cycles


@pytest.fixture(params=["on_commit", "recompute_kpis"])
def writes(request, django_capture_on_commit_callbacks):
    """A block of writes through the services, after which the KPI rows are up to date: either
    from the recomputes the services enqueue on commit, or from ``manage.py recompute_kpis``."""
    make_pipeline()

    @contextlib.contextmanager
    def run() -> Iterator[None]:
        if request.param == "on_commit":
            with django_capture_on_commit_callbacks(execute=True):
                yield
            incremental = stored_rows()
            kpi_recompute()
            assert stored_rows() == incremental  # the incremental rows are the full recompute's
        else:
            yield  # in a test transaction nothing is committed: no recompute runs by itself
            KpiDay.objects.all().delete()
            KpiWonCycle.objects.all().delete()
            call_command("recompute_kpis", stdout=StringIO())

    return run


def api(user, group_by: str, start: str, end: str) -> dict[int, dict]:
    client = APIClient()
    client.force_authenticate(user)
    response = client.get(URL, {"start": start, "end": end, "group_by": group_by})
    assert response.status_code == 200, response.content
    return {row[group_by]["id"]: row for row in response.json()}


def deals(user, group_by: str, obj, start: str, end: str) -> tuple:
    row = api(user, group_by, start, end)[obj.pk]
    return tuple(row[name] for name in DEAL_FIGURES)


def figure(user, group_by: str, obj, start: str, end: str, name: str):
    return api(user, group_by, start, end)[obj.pk][name]


# --- Who gets the credit: the owner at the instant of the event --------------------------------


def test_a_deal_won_at_10_and_handed_over_at_16_is_the_first_owners_win(writes, alice, bob, alpha, beta, admin_user):
    with writes():
        deal = opp(alice, "2025-03-03", amount="500.00")  # Monday 10:00
        move(deal, "Won", "2025-03-05")  # Wednesday 10:00: reaches the offer and is won
        services.opportunity_reassign(opportunity=deal, owner=bob, at=at("2025-03-05", 16))
    for start, end, won in (
        ("2025-03-05", "2025-03-05", (0, 1, 1, "500.00", 0, 0)),  # created on the Monday
        ("2025-03-03", "2025-03-09", (1, 1, 1, "500.00", 0, 0)),
        ("2025-03-01", "2025-03-31", (1, 1, 1, "500.00", 0, 0)),
    ):
        assert deals(admin_user, "rep", alice, start, end) == won
        assert deals(admin_user, "rep", bob, start, end) == NOTHING
        assert deals(admin_user, "team", alpha, start, end) == won
        assert deals(admin_user, "team", beta, start, end) == NOTHING
    month = api(admin_user, "rep", "2025-03-01", "2025-03-31")
    assert (month[alice.pk]["win_rate"], month[alice.pk]["offer_to_close"]) == ("1.0000", "1.0000")
    assert (month[alice.pk]["avg_deal_size"], month[alice.pk]["sales_cycle_days"]) == ("500.00", "2.0")
    assert (month[bob.pk]["win_rate"], month[bob.pk]["avg_deal_size"], month[bob.pk]["sales_cycle_days"]) == (None, None, None)
    assert figure(admin_user, "team", alpha, "2025-03-01", "2025-03-31", "sales_cycle_days") == "2.0"
    assert figure(admin_user, "team", beta, "2025-03-01", "2025-03-31", "sales_cycle_days") is None
    # The weekly series (dashboards, /api/v1/kpis/weekly/) reads the same rows.
    for key, obj, won in (("rep_id", alice, 1), ("rep_id", bob, 0), ("team_id", alpha, 1), ("team_id", beta, 0)):
        week = selectors.weekly_series(user=admin_user, weeks=1, until=d("2025-03-05"), **{key: obj.pk})[0]
        assert (week["week"], week["deals_won"], week["won_revenue"]) == (d("2025-03-03"), won, Decimal(500 * won))
    # Events after the hand-over are the new owner's: reopened and won again the same day.
    with writes():
        move(deal, "Negotiation", "2025-03-05")  # 10:00 again, but the move's instant is what counts
    deal.refresh_from_db()
    with writes():
        services.opportunity_move(opportunity=deal, stage=deal.pipeline.stages.get(name="Won"), at=at("2025-03-05", 17))
    assert deals(admin_user, "rep", alice, "2025-03-05", "2025-03-05") == (0, 1, 0, "0.00", 0, 0)  # the offer stays
    assert deals(admin_user, "rep", bob, "2025-03-05", "2025-03-05") == (0, 0, 1, "500.00", 0, 0)
    assert figure(admin_user, "team", beta, "2025-03-01", "2025-03-31", "sales_cycle_days") == "2.0"


def test_an_owner_change_at_half_past_midnight_is_on_the_local_day(writes, alice, bob, alpha, beta, admin_user):
    # Tuesday 00:30 in Budapest is Monday 23:30 UTC: the change belongs to Tuesday.
    handover = at("2025-03-04", 0, 30)
    with writes():
        backdated = opp(alice, "2025-03-03", amount="100.00")
        timed = opp(alice, "2025-03-03", amount="300.00")
        services.opportunity_move(opportunity=timed, stage=timed.pipeline.stages.get(name="Proposal"), at=at("2025-03-04", 0, 15))
        services.opportunity_reassign(opportunity=backdated, owner=bob, at=handover)
        services.opportunity_reassign(opportunity=timed, owner=bob, at=handover)
        # Won on Tuesday, dated Monday: only the date is known, so the owner at the end of
        # Monday (local) gets it: Alice, though in UTC the hand-over was on Monday.
        move(backdated, "Won", "2025-03-04", close_date=d("2025-03-03"))
        move(timed, "Won", "2025-03-04")  # Tuesday 10:00: Bob's
    backdated.refresh_from_db()
    timed.refresh_from_db()
    assert (backdated.close_date, backdated.closed_at, backdated.offer_date, backdated.offer_at) == (
        d("2025-03-03"),
        None,
        d("2025-03-03"),
        None,
    )
    assert (timed.offer_date, timed.offer_at) == (d("2025-03-04"), at("2025-03-04", 0, 15))
    assert deals(admin_user, "rep", alice, "2025-03-03", "2025-03-03") == (2, 1, 1, "100.00", 0, 0)
    assert deals(admin_user, "rep", alice, "2025-03-04", "2025-03-04") == (0, 1, 0, "0.00", 0, 0)  # offer at 00:15
    assert deals(admin_user, "rep", bob, "2025-03-03", "2025-03-03") == NOTHING
    assert deals(admin_user, "rep", bob, "2025-03-04", "2025-03-04") == (0, 0, 1, "300.00", 0, 0)
    week = ("2025-03-03", "2025-03-09")
    assert deals(admin_user, "team", alpha, *week) == (2, 2, 1, "100.00", 0, 0)
    assert deals(admin_user, "team", beta, *week) == (0, 0, 1, "300.00", 0, 0)
    assert figure(admin_user, "rep", alice, *week, "sales_cycle_days") == "0.0"
    assert figure(admin_user, "rep", bob, *week, "sales_cycle_days") == "1.0"
    assert figure(admin_user, "rep", alice, *week, "contact_to_offer") == "1.0000"  # both created deals reached it


# --- Stages: backdated close dates --------------------------------------------------------------


def test_a_backdated_win_that_skipped_the_offer_is_an_offer_of_its_close_date(writes, alice, alpha, admin_user):
    # Moved on Wednesday 1 October, dated Tuesday 30 September: September's offer and win.
    with writes():
        skipped = opp(alice, "2025-09-15", amount="500.00")
        move(skipped, "Won", "2025-10-01", close_date=d("2025-09-30"))
        # Entered the offer stage at 09:00 on the day of the move: the close date still comes first.
        proposed = opp(alice, "2025-09-15", amount="200.00")
        move(proposed, "Proposal", "2025-10-01")
        move(proposed, "Won", "2025-10-01", close_date=d("2025-09-30"))
        # Lost the same way: entering lost does not reach the offer, so its offer is the day it
        # entered the offer stage, 1 October, after it was lost: not a loss after the offer.
        lost = opp(alice, "2025-09-15")
        move(lost, "Proposal", "2025-10-01")
        move(lost, "Lost", "2025-10-01", close_date=d("2025-09-30"))
    for deal in (skipped, proposed):
        deal.refresh_from_db()
        assert (deal.offer_date, deal.offer_at, deal.close_date, deal.closed_at) == (d("2025-09-30"), None, d("2025-09-30"), None)
    lost.refresh_from_db()
    assert (lost.offer_date, lost.close_date, lost.closed_at) == (d("2025-10-01"), d("2025-09-30"), None)
    assert lost.offer_at is not None
    september, october = ("2025-09-01", "2025-09-30"), ("2025-10-01", "2025-10-31")
    for group_by, obj in (("rep", alice), ("team", alpha)):
        assert deals(admin_user, group_by, obj, *september) == (3, 2, 2, "700.00", 1, 0)
        assert deals(admin_user, group_by, obj, *october) == (0, 1, 0, "0.00", 0, 0)
    figures = api(admin_user, "rep", *september)[alice.pk]
    assert figures["win_rate"] == "0.6667"  # 2 / (2 + 1)
    assert figures["offer_to_close"] == "1.0000"  # 2 / (2 + 0 lost after the offer)
    assert figures["contact_to_offer"] == "1.0000"  # all three have reached the offer by now
    assert figures["sales_cycle_days"] == "15.0"  # 15 Sep → 30 Sep, both
    # The week of Monday 29 September straddles the months: the days decide.
    assert deals(admin_user, "rep", alice, "2025-09-29", "2025-10-05") == (0, 3, 2, "700.00", 1, 0)


def test_editing_the_close_date_moves_the_offer_the_credit_and_both_days(writes, alice, bob, alpha, beta, admin_user):
    with writes():
        skipped = opp(alice, "2025-03-03", amount="80.00")  # won without the offer stage
        staged = opp(alice, "2025-03-03", amount="20.00")  # through the offer stage first
        for deal in (skipped, staged):
            services.opportunity_reassign(opportunity=deal, owner=bob, at=at("2025-03-10"))
        services.opportunity_move(opportunity=staged, stage=staged.pipeline.stages.get(name="Proposal"), at=at("2025-03-12", 9))
        move(skipped, "Won", "2025-03-12")
        move(staged, "Won", "2025-03-12")
    assert deals(admin_user, "rep", bob, "2025-03-12", "2025-03-12") == (0, 2, 2, "100.00", 0, 0)
    assert deals(admin_user, "rep", alice, "2025-03-01", "2025-03-31") == (2, 0, 0, "0.00", 0, 0)

    # Back to Wednesday 5 March, before the hand-over: both wins and offers are Alice's that day.
    with writes():
        for deal in (skipped, staged):
            services.opportunity_update(opportunity=Opportunity.objects.get(pk=deal.pk), close_date=d("2025-03-05"))
    assert deals(admin_user, "rep", alice, "2025-03-05", "2025-03-05") == (0, 2, 2, "100.00", 0, 0)
    assert deals(admin_user, "rep", bob, "2025-03-01", "2025-03-31") == NOTHING
    assert deals(admin_user, "team", alpha, "2025-03-01", "2025-03-31") == (2, 2, 2, "100.00", 0, 0)
    assert deals(admin_user, "team", beta, "2025-03-01", "2025-03-31") == NOTHING
    assert figure(admin_user, "rep", alice, "2025-03-01", "2025-03-31", "sales_cycle_days") == "2.0"
    assert not KpiDay.objects.filter(rep=bob, day=d("2025-03-12")).exists()  # the old day is emptied

    # Forward to Friday 14 March: the offer the win reached follows it (Bob's, that day); the
    # one reached through the offer stage goes back to when it was: Wednesday 12 March, 09:00.
    with writes():
        for deal in (skipped, staged):
            services.opportunity_update(opportunity=Opportunity.objects.get(pk=deal.pk), close_date=d("2025-03-14"))
    skipped.refresh_from_db()
    staged.refresh_from_db()
    assert (skipped.offer_date, skipped.offer_at) == (d("2025-03-14"), None)
    assert (staged.offer_date, staged.offer_at) == (d("2025-03-12"), at("2025-03-12", 9))
    assert deals(admin_user, "rep", alice, "2025-03-01", "2025-03-31") == (2, 0, 0, "0.00", 0, 0)
    assert deals(admin_user, "rep", bob, "2025-03-12", "2025-03-12") == (0, 1, 0, "0.00", 0, 0)
    assert deals(admin_user, "rep", bob, "2025-03-14", "2025-03-14") == (0, 1, 2, "100.00", 0, 0)
    assert deals(admin_user, "team", beta, "2025-03-10", "2025-03-16") == (0, 2, 2, "100.00", 0, 0)
    assert figure(admin_user, "team", beta, "2025-03-10", "2025-03-16", "sales_cycle_days") == "11.0"

    # Back to the day of the move: the close has its instant again (10:00, Bob's).
    with writes():
        services.opportunity_update(opportunity=Opportunity.objects.get(pk=skipped.pk), close_date=d("2025-03-12"))
    skipped.refresh_from_db()
    assert (skipped.closed_at, skipped.offer_at) == (at("2025-03-12"), at("2025-03-12"))
    assert deals(admin_user, "rep", bob, "2025-03-12", "2025-03-12") == (0, 2, 1, "80.00", 0, 0)


def test_editing_the_creation_date_moves_an_offer_reached_on_creation(writes, alice, alpha, admin_user):
    with writes():
        created_in_offer = opp(alice, "2025-04-01", stage_name="Proposal")  # reaches the offer on creation
        proposed_later = opp(alice, "2025-04-01")
        move(proposed_later, "Proposal", "2025-04-02")  # reached through the stages: stays
    with writes():
        for deal in (created_in_offer, proposed_later):
            services.opportunity_update(opportunity=Opportunity.objects.get(pk=deal.pk), created_date=d("2025-03-31"))
    for group_by, obj in (("rep", alice), ("team", alpha)):
        assert deals(admin_user, group_by, obj, "2025-03-01", "2025-03-31") == (2, 1, 0, "0.00", 0, 0)
        assert deals(admin_user, group_by, obj, "2025-04-01", "2025-04-30") == (0, 1, 0, "0.00", 0, 0)
    assert figure(admin_user, "rep", alice, "2025-03-01", "2025-03-31", "contact_to_offer") == "1.0000"
