"""Growth by segment, hand-worked: sums per value, year and period comparisons, credit, access."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kpis.periods import Period, PeriodKind
from kpis.segments import merged_ranges, segment_growth, year_before
from reps import services
from reps.models import Stage
from tests.factories import AccountFactory, AdminFactory, RepFactory, TeamFactory, UserFactory, make_pipeline

pytestmark = pytest.mark.django_db

Q1_2026 = Period.containing(PeriodKind.QUARTER, dt.date(2026, 1, 1))


@pytest.fixture
def book():
    """Retail: 1000 won in Q1 2026, 400 won in Q1 2025, 250 won in Q4 2025, one lost in Q1 2026.
    Public sector: 300 won in Q1 2025 only. Rita owns all but the 250, which Tom won."""
    make_pipeline()
    stages = {s.name: s for s in Stage.objects.all()}
    team = TeamFactory(name="Team A")
    other = TeamFactory(name="Team B")
    rita = RepFactory(team=team, user__username="rita")
    tom = RepFactory(team=other, user__username="tom")
    retail = AccountFactory(name="Shop", segment="Retail", owner=rita)
    public = AccountFactory(name="Town hall", segment="Public", owner=rita)

    def won(owner, account, amount, day, stage="Won", **extra):
        return services.opportunity_create(
            owner=owner,
            name=f"{account} {day}",
            account=account,
            stage=stages[stage],
            amount=Decimal(amount),
            created_date=dt.date.fromisoformat(day),
            close_date=dt.date.fromisoformat(day),
            **extra,
        )

    won(rita, retail, "1000.00", "2026-02-10")
    won(rita, retail, "400.00", "2025-03-01")
    won(tom, retail, "250.00", "2025-11-05")
    won(rita, retail, "0.00", "2026-03-01", stage="Lost", lost_reason="Price")
    won(rita, public, "300.00", "2025-01-15")
    return {"team": team, "other": other, "rita": rita, "tom": tom}


def test_the_periods_are_read_as_disjoint_ranges():
    """Q1 2026 and the quarter before touch: one range; the year before is apart, unless a long
    custom period overlaps it."""
    assert merged_ranges([Q1_2026, Q1_2026.previous(), year_before(Q1_2026)]) == [
        (dt.date(2025, 1, 1), dt.date(2025, 3, 31)),
        (dt.date(2025, 10, 1), dt.date(2026, 3, 31)),
    ]
    long = Period.custom(dt.date(2025, 1, 1), dt.date(2026, 6, 30))
    assert merged_ranges([long, year_before(long), long.previous()]) == [(long.previous().start, dt.date(2026, 6, 30))]


def test_one_query_for_the_three_periods(book):
    with CaptureQueriesContext(connection) as queries:
        report = segment_growth(by="segment", period=Q1_2026, team_ids=[book["team"].pk, book["other"].pk])
    assert len(queries) == 1  # the closed deals of the three periods, summed per segment and period
    assert [row["value"] for row in report.rows] == ["Retail", "Public"]


def test_year_before_keeps_the_same_days():
    assert year_before(Q1_2026) == Period.containing(PeriodKind.QUARTER, dt.date(2025, 1, 1))
    feb = Period.custom(dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    assert (year_before(feb).start, year_before(feb).end) == (dt.date(2023, 2, 1), dt.date(2023, 2, 28))


def test_it_compares_each_segment_with_a_year_before_and_the_period_before(book):
    report = segment_growth(by="segment", period=Q1_2026)
    rows = {row["value"]: row for row in report.rows}
    retail = rows["Retail"]
    assert retail["current"] == {
        "won_revenue": Decimal("1000.00"),
        "deals_won": 1,
        "deals_lost": 1,
        "win_rate": Decimal("0.5000"),
        "avg_deal_size": Decimal("1000.00"),
    }
    assert retail["year_ago"]["won_revenue"] == Decimal("400.00")
    assert retail["growth_year"] == Decimal("1.5000")  # (1000 − 400) / 400
    assert retail["previous"]["won_revenue"] == Decimal("250.00")
    assert retail["growth_previous"] == Decimal("3.0000")  # (1000 − 250) / 250
    assert retail["trend"] == "grows"
    public = rows["Public"]
    assert public["current"]["won_revenue"] == Decimal("0.00") and public["current"]["win_rate"] is None
    assert public["growth_year"] == Decimal("-1.0000") and public["trend"] == "shrinks"
    assert public["growth_previous"] is None  # nothing the quarter before: undefined, not 0 %
    assert [row["value"] for row in report.rows] == ["Retail", "Public"]


def test_a_team_counts_the_deals_its_reps_won_while_in_it(book):
    report = segment_growth(by="segment", period=Q1_2026, team_ids=[book["other"].pk])
    rows = {row["value"]: row for row in report.rows}
    assert list(rows) == ["Retail"]
    assert rows["Retail"]["previous"]["won_revenue"] == Decimal("250.00")  # Tom's
    assert rows["Retail"]["current"]["won_revenue"] == Decimal("0.00")


def test_a_deal_is_credited_to_its_owner_at_the_close(book):
    """Rita's 1000 won in February, handed to Tom afterwards: still Rita's."""
    from reps.models import Opportunity

    deal = Opportunity.objects.get(amount=Decimal("1000.00"))
    services.opportunity_reassign(opportunity=deal, owner=book["tom"], at=timezone.now())
    tom = segment_growth(by="segment", period=Q1_2026, rep_ids=[book["tom"].pk]).rows
    assert [row["current"]["won_revenue"] for row in tom] == [Decimal("0.00")]  # only his 250 of Q4 2025
    rita = segment_growth(by="segment", period=Q1_2026, rep_ids=[book["rita"].pk]).rows
    assert {row["value"]: row["current"]["won_revenue"] for row in rita}["Retail"] == Decimal("1000.00")


def test_the_api_answers_with_the_figures_and_scopes_by_user(book, client):
    client.force_login(book["rita"].user)
    answer = client.get("/api/v1/kpis/segments/", {"start": "2026-01-01", "end": "2026-03-31", "by": "segment"})
    assert answer.status_code == 200
    retail = {row["value"]: row for row in answer.json()["rows"]}["Retail"]
    assert (retail["current"]["won_revenue"], retail["growth_year"], retail["trend"]) == ("1000.00", "1.5000", "grows")
    # Rita sees only her own deals: Tom's 250 of Q4 2025 is not hers.
    assert retail["previous"]["won_revenue"] == "0.00"
    assert (
        client.get("/api/v1/kpis/segments/", {"start": "2026-01-01", "end": "2026-03-31", "team": book["other"].pk}).status_code
        == 403
    )
    assert client.get("/api/v1/kpis/segments/", {"start": "2026-01-01", "end": "2026-03-31", "by": "colour"}).status_code == 400
    assert client.get("/api/v1/kpis/segments/", {"start": "3026-01-01", "end": "3026-03-31"}).status_code == 400


def test_who_may_see_the_page(book, client):
    url = "/segments/?period=quarter&start=2026-01-01&by=segment"
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(UserFactory(username="nobody"))
    assert client.get(url).status_code == 403
    client.force_login(book["team"].manager)
    page = client.get(url)
    assert page.status_code == 200 and "Retail" in page.content.decode()
    assert client.get(url + f"&team={book['other'].pk}").status_code == 403
    client.force_login(AdminFactory())
    assert client.get(url + "&by=product").status_code == 200
    assert client.get(url + "&by=colour").status_code == 200  # falls back, says why
