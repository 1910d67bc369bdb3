"""``manage.py export_crm``: what it writes, ``import_crm`` reads back into the same data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from kpis.models import Quota
from reps import services
from reps.models import (
    Account,
    Activity,
    CustomerFeedback,
    Opportunity,
    OpportunityOwnerChange,
    OpportunityStageChange,
    Pipeline,
    Product,
    Rep,
    Team,
)
from tests.factories import AccountFactory, ProductFactory, RepFactory, TeamFactory, make_pipeline, stage

pytestmark = pytest.mark.django_db


def _wipe() -> None:
    for model in (Quota, CustomerFeedback, Activity, Opportunity, Account, Product, Rep):
        model.objects.all().delete()
    Team.objects.filter(parent__isnull=False).delete()
    Team.objects.all().delete()
    Pipeline.objects.all().delete()
    get_user_model().objects.all().delete()


def _files(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted(folder.glob("*.csv"))}


def _sorted(rows) -> list:
    return sorted(rows, key=repr)


def _snapshot() -> dict[str, list]:
    return {
        "reps": _sorted(Rep.objects.values_list("user__username", "team__name", "start_date", "segment")),
        "teams": _sorted(Team.objects.values_list("name", "parent__name", "manager__username")),
        "opportunities": _sorted(
            Opportunity.objects.values_list(
                "name",
                "owner__user__username",
                "stage__name",
                "amount",
                "created_date",
                "offer_date",
                "close_date",
                "account__name",
                "product__name",
                "lost_reason",
            )
        ),
        "history": _sorted(
            OpportunityStageChange.objects.values_list("opportunity__name", "from_stage__name", "to_stage__name", "changed_at")
        ),
        "owners": _sorted(OpportunityOwnerChange.objects.values_list("opportunity__name", "to_owner__user__username")),
        "activities": _sorted(
            Activity.objects.values_list(
                "owner__user__username", "kind", "status", "planned_date", "done_at", "account__name", "opportunity__name"
            )
        ),
        "feedback": _sorted(
            CustomerFeedback.objects.values_list("account__name", "rep__user__username", "date", "score", "is_complaint")
        ),
        "quotas": _sorted(
            Quota.objects.values_list("rep__user__username", "team__name", "metric", "start_date", "end_date", "target")
        ),
    }


def test_an_export_imports_back_into_the_same_data(tmp_path, recompute_calls):
    # Data made in the app (no external ids), with history through the services.
    pipeline = make_pipeline()
    region = TeamFactory(name="Region", manager=None)
    team = TeamFactory(name="Team A", parent=region)
    rep = RepFactory(team=team, segment="SMB")
    other = RepFactory(team=team)
    account = AccountFactory(name="Acme", owner=rep)
    product = ProductFactory(name="Widget", list_price=Decimal("250.00"))
    at = dt.datetime(2024, 2, 1, 9, tzinfo=dt.UTC)
    deal = services.opportunity_create(
        owner=rep, name="Acme deal", account=account, product=product, amount=Decimal("500.00"), at=at
    )
    services.opportunity_move(opportunity=deal, stage=stage(pipeline, "Proposal"), at=at + dt.timedelta(days=3))
    services.opportunity_move(opportunity=deal, stage=stage(pipeline, "Won"), at=at + dt.timedelta(days=9))
    services.opportunity_create(owner=other, name="Lost one", stage=stage(pipeline, "Lost"), lost_reason="Budget", at=at)
    services.activity_create(owner=rep, kind="call", status="done", done_at=at, opportunity=deal)
    services.activity_create(owner=other, kind="task", planned_date=dt.date(2024, 2, 5))
    services.feedback_create(account=account, date=dt.date(2024, 2, 20), score=4)
    Quota.objects.create(rep=rep, start_date=dt.date(2024, 1, 1), end_date=dt.date(2024, 3, 31), target=Decimal("1000.00"))
    Quota.objects.create(team=team, start_date=dt.date(2024, 1, 1), end_date=dt.date(2024, 3, 31), target=Decimal("5000.00"))
    before = _snapshot()
    first, second = tmp_path / "first", tmp_path / "second"

    out = StringIO()
    call_command("export_crm", "--format", "salesperf", str(first), stdout=out)
    assert "opportunities.csv: 2 rows" in out.getvalue()
    _wipe()
    call_command("import_crm", "--format", "salesperf", str(first), "--no-progress", stdout=StringIO(), stderr=StringIO())

    assert _snapshot() == before
    call_command("export_crm", "--format", "salesperf", str(second), stdout=StringIO())
    assert _files(second) == _files(first)
