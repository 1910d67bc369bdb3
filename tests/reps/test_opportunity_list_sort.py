"""The opportunity list sorts by any column, totals the amount, and filters by an overdue next
step and by the expected close month."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from reps import services
from tests.factories import make_pipeline, stage

pytestmark = pytest.mark.django_db


def deal(rep, name, amount, **fields):
    pipeline = make_pipeline()
    return services.opportunity_create(owner=rep, name=name, stage=stage(pipeline, "Discovery"), amount=Decimal(amount), **fields)


def names(content: str, wanted: list[str]) -> list[str]:
    return sorted(wanted, key=content.index)


def test_sort_total_and_filters(client, rep):
    today = timezone.localdate()
    deal(rep, "Alpha deal", "100.00", expected_close_date=dt.date(2031, 5, 10))
    deal(
        rep,
        "Bravo deal",
        "300.00",
        expected_close_date=dt.date(2031, 6, 1),
        next_step="call",
        next_step_date=today - dt.timedelta(days=2),
    )
    deal(rep, "Charlie deal", "200.00")
    client.force_login(rep.user)
    content = client.get("/opportunities/", {"sort": "-amount"}).content.decode()
    assert names(content, ["Alpha deal", "Bravo deal", "Charlie deal"]) == ["Bravo deal", "Charlie deal", "Alpha deal"]
    assert "600.00" in content and "3 deals match" in content
    content = client.get("/opportunities/", {"sort": "name"}).content.decode()
    assert names(content, ["Alpha deal", "Bravo deal", "Charlie deal"]) == ["Alpha deal", "Bravo deal", "Charlie deal"]
    content = client.get("/opportunities/", {"overdue": "on"}).content.decode()
    assert "Bravo deal" in content and "Alpha deal" not in content
    content = client.get("/opportunities/", {"close_month": "2031-05"}).content.decode()
    assert "Alpha deal" in content and "Bravo deal" not in content
    assert client.get("/opportunities/", {"close_month": "May"}).status_code == 200  # a form error, not a 500
    assert client.get("/opportunities/", {"sort": "password"}).status_code == 200


def test_the_board_shows_the_date_a_deal_was_won(client, rep):
    today = timezone.localdate()
    pipeline = make_pipeline()
    services.opportunity_create(
        owner=rep, name="Won deal", stage=stage(pipeline, "Won"), amount=Decimal("10.00"), created_date=today
    )
    client.force_login(rep.user)
    content = client.get("/opportunities/board/").content.decode()
    assert f"won {today.day} {today.strftime('%b')} {today.year}" in content
