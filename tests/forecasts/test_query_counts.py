"""The forecast team page and the segment page make as many queries for 3 reps as for 1."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forecasts import services
from reps import services as rep_services
from reps.models import Stage
from tests.factories import AccountFactory, RepFactory, TeamFactory, make_pipeline

pytestmark = pytest.mark.django_db


def _rep_with_deals(team, name, stages):
    rep = RepFactory(team=team, user__username=name)
    account = AccountFactory(name=f"Account {name}", owner=rep, segment=f"Segment {name}")
    for stage, amount in (("Won", "100.00"), ("Negotiation", "200.00"), ("Proposal", "300.00")):
        rep_services.opportunity_create(
            owner=rep,
            name=f"{name} {stage}",
            account=account,
            stage=stages[stage],
            amount=Decimal(amount),
            expected_close_date=dt.date(2026, 12, 20),
        )
    services.forecast_submit(
        by_user=rep.user,
        rep=rep,
        period_kind="month",
        period_start=dt.date(2026, 12, 1),
        commit=Decimal("1"),
        best_case=Decimal("2"),
    )
    return rep


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "url",
    ["/forecast/?team={team}&period=month&start=2026-12-01", "/segments/?team={team}&period=quarter&start=2026-10-01&by=segment"],
)
def test_pages_make_a_constant_number_of_queries(client, url):
    make_pipeline()
    stages = {s.name: s for s in Stage.objects.all()}
    team = TeamFactory(name="Team A")
    _rep_with_deals(team, "one", stages)
    client.force_login(team.manager)
    client.get(url.format(team=team.pk))  # warm-up: session, content types
    few = _queries(client, url.format(team=team.pk))
    for name in ("two", "three"):
        _rep_with_deals(team, name, stages)
    assert _queries(client, url.format(team=team.pk)) == few
