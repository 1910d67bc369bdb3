"""Deviations of the order book between two meetings, hand-worked, and their query count."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from forecasts.deviations import order_book_deviations, team_total
from reps import services as rep_services
from reps.models import OpportunityFieldChange, Stage
from tests.factories import RepFactory, TeamFactory, make_pipeline

pytestmark = pytest.mark.django_db

ECD = OpportunityFieldChange.Field.EXPECTED_CLOSE_DATE
AMOUNT = OpportunityFieldChange.Field.AMOUNT
SINCE = "2026-11-23 10:00"  # the last one-to-one
UNTIL = "2026-11-30 10:00"  # this one


def at(text: str) -> dt.datetime:
    return timezone.make_aware(dt.datetime.fromisoformat(text))


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


@pytest.fixture
def stages():
    make_pipeline()
    return {s.name: s for s in Stage.objects.all()}


def deal(owner, stage, amount, *, created, when="2026-11-01 09:00", close=None, **fields):
    """A deal created on ``created``; entered at ``when`` (its instant is known when on that day)."""
    return rep_services.opportunity_create(
        owner=owner,
        name=f"{stage.name} {amount} {created}",
        stage=stage,
        amount=Decimal(amount),
        created_date=day(created),
        close_date=day(close) if close else None,
        at=at(when),
        **fields,
    )


def edit(opportunity, field, old, new, when):
    OpportunityFieldChange.objects.create(opportunity=opportunity, field=field, old_value=old, new_value=new, changed_at=at(when))


def make_book(stages, rep):
    s = stages
    # A: pushed on 20 Nov (before), 24 and 25 Nov (in), pulled in on 26 Nov, pushed again on 1 Dec (after)
    a = deal(rep, s["Proposal"], "650.00", created="2026-11-01", expected_close_date=day("2027-01-05"))
    edit(a, ECD, "2026-12-10", "2026-12-15", "2026-11-20 12:00")
    edit(a, ECD, "2026-12-15", "2026-12-20", "2026-11-24 12:00")
    edit(a, ECD, "2026-12-20", "2027-01-05", "2026-11-25 12:00")
    edit(a, AMOUNT, "500.00", "650.00", "2026-11-25 12:00")
    edit(a, ECD, "2027-01-05", "2026-12-31", "2026-11-26 12:00")
    edit(a, ECD, "2026-12-31", "2027-02-01", "2026-12-01 12:00")
    # B: its expected close cleared: pushed out once
    b = deal(rep, s["Discovery"], "300.00", created="2026-11-01")
    edit(b, ECD, "2026-12-10", "", "2026-11-27 12:00")
    # C: amount cut by 200
    c = deal(rep, s["Negotiation"], "800.00", created="2026-11-01", expected_close_date=day("2026-12-20"))
    edit(c, AMOUNT, "1000.00", "800.00", "2026-11-28 12:00")
    # added: D dated on the meeting's day, instant unknown (end of that day: after it) -> in;
    # E entered at 9:00 that day, before the meeting -> out; F dated 30 Nov, instant unknown
    # (end of day: after until) -> out; G entered on 29 Nov -> in
    deal(rep, s["Prospecting"], "100.00", created="2026-11-23")
    deal(rep, s["Prospecting"], "110.00", created="2026-11-23", when="2026-11-23 09:00")
    deal(rep, s["Prospecting"], "120.00", created="2026-11-30")
    deal(rep, s["Prospecting"], "130.00", created="2026-11-29", when="2026-11-29 12:00")
    # closed: won 1000 on 27 Nov, lost 200 on 28 Nov (in); won 5000 on 22 Nov (out)
    deal(rep, s["Won"], "1000.00", created="2026-11-01", close="2026-11-27")
    deal(rep, s["Lost"], "200.00", created="2026-11-01", close="2026-11-28", lost_reason="Price")
    deal(rep, s["Won"], "5000.00", created="2026-11-01", close="2026-11-22")
    return a, b


def test_deviations_between_two_meetings(stages):
    """Pushed: A twice (24 and 25 Nov; four times ever), B once (cleared): 2 deals, 3 pushes,
    650 + 300 = 950. Amounts: +150 (A) − 200 (C) = −50 in 2 edits. Added: D 100 + G 130 = 230.
    Won: 1000. Lost: 200. Another rep's push is theirs."""
    rep = RepFactory(user__username="rita")
    other = RepFactory(user__username="olga")
    a, b = make_book(stages, rep)
    theirs = deal(other, stages["Proposal"], "70.00", created="2026-11-01", expected_close_date=day("2026-12-20"))
    edit(theirs, ECD, "2026-12-01", "2026-12-20", "2026-11-24 08:00")

    rows = order_book_deviations(rep_ids=[rep.pk, other.pk], since=at(SINCE), until=at(UNTIL))
    row = rows[rep.pk]
    assert (row["pushed_count"], row["pushes"], row["pushed_amount"]) == (2, 3, Decimal("950.00"))
    assert [(d["id"], d["times"], d["times_ever"]) for d in row["pushed_deals"]] == [(a.pk, 2, 4), (b.pk, 1, 1)]
    assert (row["amount_changed_count"], row["amount_changed_amount"]) == (2, Decimal("-50.00"))
    assert (row["added_count"], row["added_amount"]) == (2, Decimal("230.00"))
    assert (row["won_count"], row["won_amount"]) == (1, Decimal("1000.00"))
    assert (row["lost_count"], row["lost_amount"]) == (1, Decimal("200.00"))
    assert (rows[other.pk]["pushed_count"], rows[other.pk]["pushed_amount"]) == (1, Decimal("70.00"))
    total = team_total(rows)
    assert (total["pushed_count"], total["pushes"], total["pushed_amount"], total["won_amount"]) == (
        3,
        4,
        Decimal("1020.00"),
        Decimal("1000.00"),
    )


def test_a_rep_without_changes_has_zeros(stages):
    rep = RepFactory()
    row = order_book_deviations(rep_ids=[rep.pk], since=at(SINCE), until=at(UNTIL))[rep.pk]
    assert row["pushed_deals"] == [] and row["pushes"] == 0 and row["won_amount"] == Decimal("0.00")


def test_three_queries_whatever_the_number_of_reps(stages):
    team = TeamFactory()
    reps = [RepFactory(team=team) for _ in range(3)]
    for rep in reps:
        make_book(stages, rep)
    with CaptureQueriesContext(connection) as one:
        order_book_deviations(rep_ids=[reps[0].pk], since=at(SINCE), until=at(UNTIL))
    with CaptureQueriesContext(connection) as three:
        rows = order_book_deviations(rep_ids=[r.pk for r in reps], since=at(SINCE), until=at(UNTIL))
    assert len(one) == len(three) == 3  # pushed deals, amount edits, added/won/lost
    assert all(rows[r.pk]["pushes"] == 3 for r in reps)
