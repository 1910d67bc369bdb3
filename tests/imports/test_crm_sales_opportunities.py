"""The public "CRM + Sales Opportunities" data set imports exactly as its raw files say.

Expected numbers were counted from the raw files with an independent script (csv module).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Count, Q, Sum

from imports import services
from reps.models import Account, Opportunity, OpportunityOwnerChange, OpportunityStageChange, Product, Rep, Team

pytestmark = [pytest.mark.dataset, pytest.mark.django_db]
FORMAT = "crm-sales-opportunities"


@pytest.fixture
def imported(crm_dataset_dir, recompute_calls):
    return services.import_run(format=FORMAT, directory=crm_dataset_dir)


def test_it_imports_deals_per_stage(imported):
    per_stage = dict(Opportunity.objects.values_list("stage__name").annotate(n=Count("pk")))
    assert per_stage == {"Won": 4238, "Lost": 2473, "Engaging": 1589, "Prospecting": 500}


def test_it_imports_total_won_revenue(imported):
    total = Opportunity.objects.filter(stage__kind="won").aggregate(s=Sum("amount"))["s"]
    assert total == Decimal("10005534.00")


def test_open_deals_are_valued_at_the_list_price(imported):
    # GTXPro rows priced as GTX Pro (4821).
    total = Opportunity.objects.filter(stage__kind="open").aggregate(s=Sum("amount"))["s"]
    assert total == Decimal("4966215.00")


def test_it_imports_reps_per_team_under_their_region(imported):
    teams = {
        t.name: (t.parent.name, t.manager.get_full_name(), t.n)
        for t in Team.objects.filter(parent__isnull=False).select_related("parent", "manager").annotate(n=Count("reps"))
    }
    assert teams == {
        "Central – Dustin Brinkmann": ("Central", "Dustin Brinkmann", 5),
        "Central – Melvin Marxen": ("Central", "Melvin Marxen", 6),
        "East – Cara Losch": ("East", "Cara Losch", 6),
        "East – Rocco Neubert": ("East", "Rocco Neubert", 6),
        "West – Celia Rouche": ("West", "Celia Rouche", 6),
        "West – Summer Sewald": ("West", "Summer Sewald", 6),
    }
    assert Team.objects.filter(parent__isnull=True).count() == 3
    assert Rep.objects.count() == 35
    assert set(Rep.objects.values_list("start_date", flat=True)) == {dt.date(2016, 10, 20)}
    assert not Rep.objects.filter(memberships__start_date=dt.date(2016, 10, 20)).filter(team__isnull=True).exists()


def test_won_deals_per_quarter_of_a_rep_are_as_in_the_raw_files(imported):
    rep = Rep.objects.get(user__first_name="Darcel", user__last_name="Schlecht")
    quarters = []
    for start, end in [((1, 1), (3, 31)), ((4, 1), (6, 30)), ((7, 1), (9, 30)), ((10, 1), (12, 31))]:
        deals = Opportunity.objects.filter(owner=rep, close_date__range=(dt.date(2017, *start), dt.date(2017, *end)))
        quarters.append(
            deals.aggregate(
                won=Count("pk", filter=Q(stage__kind="won")),
                revenue=Sum("amount", filter=Q(stage__kind="won")),
                lost=Count("pk", filter=Q(stage__kind="lost")),
            )
        )
    assert quarters == [
        {"won": 44, "revenue": Decimal("112255.00"), "lost": 13},
        {"won": 96, "revenue": Decimal("310075.00"), "lost": 60},
        {"won": 115, "revenue": Decimal("373218.00"), "lost": 66},
        {"won": 94, "revenue": Decimal("357666.00"), "lost": 65},
    ]


def test_each_deal_gets_its_stage_and_owner_history(imported):
    won = Opportunity.objects.get(external_id="1C1I7A6R")  # Moses Frase, Won, 2016-10-20 → 2017-03-01
    assert (won.created_date, won.offer_date, won.close_date) == (
        dt.date(2016, 10, 20),
        dt.date(2016, 10, 20),
        dt.date(2017, 3, 1),
    )
    assert won.amount == Decimal("1054.00")
    history = [(c.to_stage.name, c.changed_at.date()) for c in won.stage_changes.select_related("to_stage")]
    assert history == [("Prospecting", dt.date(2016, 10, 20)), ("Engaging", dt.date(2016, 10, 20)), ("Won", dt.date(2017, 3, 1))]
    assert OpportunityStageChange.objects.count() == 8800 + 8300 + 6711  # created; engaged; closed
    assert OpportunityOwnerChange.objects.filter(from_owner__isnull=True).count() == 8800


def test_messy_data_is_repaired_and_reported(imported):
    repairs = {(r["file"], r["message"]): r["count"] for r in imported.as_dict()["repairs"]}
    assert repairs[("accounts.csv", "sector “technolgy” read as “technology”")] == 12
    assert repairs[("sales_pipeline.csv", "product “GTXPro” read as “GTX Pro”")] == 1480
    assert repairs[("sales_pipeline.csv", "deal without an account: imported without one")] == 1425
    assert (
        repairs[("sales_pipeline.csv", "Prospecting deal without engage_date: created on the last date of the data (2017-12-31)")]
        == 500
    )
    assert Opportunity.objects.filter(account__isnull=True).count() == 1425
    assert Opportunity.objects.filter(product__name="GTX Pro").count() == 1480  # no row spells it "GTX Pro"
    assert not Account.objects.filter(sector="technolgy").exists()
    assert Product.objects.count() == 7


def test_a_second_import_changes_nothing(imported, crm_dataset_dir, recompute_calls):
    before = Opportunity.objects.order_by("pk").values_list("pk", "updated_at")
    before = list(before)
    again = services.import_run(format=FORMAT, directory=crm_dataset_dir)
    totals = again.totals()
    assert (totals.created, totals.updated) == (0, 0)
    assert totals.unchanged == 7 + 85 + 9 + 35 + 1 + 8800
    assert list(Opportunity.objects.order_by("pk").values_list("pk", "updated_at")) == before
    assert OpportunityStageChange.objects.count() == 8800 + 8300 + 6711
    assert len(recompute_calls) == 1  # only the first import changed KPI inputs


def test_kpis_are_recomputed_from_the_first_date_for_all_reps(imported, recompute_calls):
    assert recompute_calls == [{"since": dt.date(2016, 10, 20), "rep_ids": sorted(Rep.objects.values_list("pk", flat=True))}]
