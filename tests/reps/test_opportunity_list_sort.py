"""The opportunity list sorts by any column, totals the amount, and filters by an overdue next
step and by the expected close month."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
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


@pytest.mark.parametrize("key", ["name", "account", "stage", "amount", "expected_close", "forecast", "next_step", "owner"])
def test_every_column_sorts_both_ways(client, world, key):
    client.force_login(world.admin)
    up = [o.pk for o in client.get("/opportunities/", {"sort": key}).context["page"].object_list]
    down = client.get("/opportunities/", {"sort": f"-{key}"})
    assert down.status_code == 200 and down.context["sort"] == f"-{key}"
    assert sorted(up) == sorted(o.pk for o in down.context["page"].object_list)


def test_the_list_filters_by_stage_and_owner_and_totals_what_it_found(client, world):
    client.force_login(world.admin)
    proposal = world.pipeline.stages.get(name="Proposal")
    services.opportunity_update(opportunity=world.opportunities["rep"], amount=Decimal("70.00"))
    services.opportunity_move(opportunity=world.opportunities["teammate"], stage=proposal)
    response = client.get("/opportunities/", {"stage": proposal.pk})
    assert [o.name for o in response.context["page"].object_list] == ["Deal of teammate"]
    response = client.get("/opportunities/", {"owner": world.rep.pk})
    assert [o.name for o in response.context["page"].object_list] == ["Deal of rep"]
    assert response.context["total"] == {"amount": Decimal("70.00"), "count": 1}


def test_the_list_makes_the_same_number_of_queries_for_3_and_9_deals(client, world):
    """Session, user, role checks, filter choices, the total (one aggregate), the page count and
    the page: none of them per row, whatever the sort or the filter."""
    client.force_login(world.manager)
    query = {"sort": "-owner", "overdue": "", "close_month": ""}

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/opportunities/", query).status_code == 200
        return len(captured)

    few = queries()
    for n in range(6):
        owner = world.rep if n % 2 else world.teammate
        services.opportunity_create(
            owner=owner, name=f"Extra {n}", account=world.accounts["rep" if n % 2 else "teammate"], amount=Decimal(n)
        )
    assert queries() == few
