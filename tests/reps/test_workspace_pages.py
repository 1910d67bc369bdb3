"""Pages of the rep workspace: my week, quick-add, one-click done, opportunities, accounts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reps import services
from reps.models import Activity, ActivityStatus, CustomerFeedback, OpportunityStageChange

pytestmark = pytest.mark.django_db


@pytest.fixture
def rep_client(client, world):
    client.force_login(world.rep.user)
    return client


def _stage(world, name):
    return world.pipeline.stages.get(name=name)


# --- my week ----------------------------------------------------------------------------------


def test_my_week_lists_today_this_week_next_week_and_overdue(rep_client, world):
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    services.activity_create(owner=world.rep, kind="email", planned_date=today - dt.timedelta(days=3), subject="Overdue mail")
    services.activity_create(owner=world.rep, kind="task", planned_date=monday + dt.timedelta(days=8), subject="Next week task")
    services.activity_create(owner=world.other_rep, kind="call", planned_date=today, subject="Not mine")
    response = rep_client.get(reverse("my_week"))
    assert response.status_code == 200
    assert [a.subject for a in response.context["due_today"]] == ["Overdue mail", "Call of rep"]
    assert [a.subject for a in response.context["next_week"]] == ["Next week task"]
    page = response.content.decode()
    assert "overdue" in page
    assert "Not mine" not in page
    assert "No revenue quota covers today" in page  # the empty state of the pace card


def test_my_week_makes_the_same_number_of_queries_for_3_and_9_activities(rep_client, world):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert rep_client.get(reverse("my_week")).status_code == 200
        return len(captured)

    today = timezone.localdate()
    for _n in range(2):
        services.activity_create(owner=world.rep, kind="call", planned_date=today, opportunity=world.opportunities["rep"])
    few = queries()
    for _n in range(6):
        services.activity_create(owner=world.rep, kind="call", planned_date=today, opportunity=world.opportunities["rep"])
        services.activity_create(owner=world.rep, kind="call", status="done", account=world.accounts["rep"])
    assert queries() == few


def test_quick_add_logs_a_done_call_on_a_deal_picked_from_the_list(rep_client, world):
    deal = world.opportunities["rep"]
    data = {"kind": "call", "status": "done", "date": timezone.localdate().isoformat(), "target": f"Deal of rep #o{deal.pk}"}
    response = rep_client.post(reverse("activity_quick_add"), data)
    assert response.status_code == 302
    activity = Activity.objects.get(owner=world.rep, status=ActivityStatus.DONE)
    assert activity.opportunity == deal
    assert activity.account == deal.account


def test_quick_add_plans_an_activity_on_an_account_typed_by_name(rep_client, world):
    day = timezone.localdate() + dt.timedelta(days=2)
    data = {"kind": "proposal_meeting", "status": "planned", "date": day.isoformat(), "target": "account of REP"}
    assert rep_client.post(reverse("activity_quick_add"), data).status_code == 302
    activity = Activity.objects.get(owner=world.rep, kind="proposal_meeting")
    assert activity.planned_date == day
    assert activity.account == world.accounts["rep"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"target": "Deal of other_rep"}, "target"),  # another rep's deal does not exist for this rep
        ({"kind": "lunch"}, "kind"),
        ({"date": "someday"}, "date"),
        ({"date": (timezone.localdate() + dt.timedelta(days=1)).isoformat()}, "date"),  # done tomorrow
    ],
)
def test_quick_add_answers_bad_input_next_to_the_field(rep_client, world, change, field):
    data = {"kind": "call", "status": "done", "date": timezone.localdate().isoformat(), **change}
    response = rep_client.post(reverse("activity_quick_add"), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Activity.objects.filter(owner=world.rep, status=ActivityStatus.DONE).exists()


def test_one_click_done_marks_the_activity_done(rep_client, world):
    activity = world.activities["rep"]
    response = rep_client.post(reverse("activity_done", args=[activity.pk]))
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.DONE
    assert activity.done_at is not None


def test_another_reps_activity_cannot_be_marked_done(rep_client, world):
    assert rep_client.post(reverse("activity_done", args=[world.activities["other_rep"].pk])).status_code == 404


# --- opportunities ----------------------------------------------------------------------------


def test_the_list_shows_open_deals_by_default_and_filters(client, world):
    client.force_login(world.admin)
    services.opportunity_move(opportunity=world.opportunities["teammate"], stage=_stage(world, "Won"))
    names = [o.name for o in client.get(reverse("opportunity_list")).context["page"].object_list]
    assert sorted(names) == ["Deal of other_rep", "Deal of rep"]
    closed = client.get(reverse("opportunity_list"), {"state": "closed"}).context["page"].object_list
    assert [o.name for o in closed] == ["Deal of teammate"]
    by_account = client.get(reverse("opportunity_list"), {"account": world.accounts["rep"].pk}).context["page"]
    assert [o.name for o in by_account.object_list] == ["Deal of rep"]


def test_a_rep_sees_only_their_deals_in_list_and_board(rep_client, world):
    assert [o.name for o in rep_client.get(reverse("opportunity_list")).context["page"].object_list] == ["Deal of rep"]
    columns = rep_client.get(reverse("opportunity_board")).context["columns"]
    assert [deal.name for column in columns for deal in column["deals"]] == ["Deal of rep"]
    assert rep_client.get(reverse("opportunity_detail", args=[world.opportunities["other_rep"].pk])).status_code == 404


def test_the_board_makes_the_same_number_of_queries_for_3_and_9_deals(client, world):
    client.force_login(world.admin)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("opportunity_board")).status_code == 200
        return len(captured)

    few = queries()
    for n in range(6):
        services.opportunity_create(
            owner=world.rep, name=f"Extra {n}", account=world.accounts["rep"], stage=_stage(world, "Proposal")
        )
    assert queries() == few


def test_a_rep_creates_a_deal(rep_client, world):
    data = {
        "name": "Warehouse robots",
        "account": world.accounts["rep"].pk,
        "amount": "2500",
        "expected_close_date": "2030-03-31",
    }
    response = rep_client.post(reverse("opportunity_create"), data)
    assert response.status_code == 302
    deal = world.rep.opportunities.get(name="Warehouse robots")
    assert deal.amount == Decimal("2500")
    assert deal.stage == _stage(world, "Prospecting")


def test_a_negative_amount_is_a_field_error(rep_client, world):
    response = rep_client.post(reverse("opportunity_create"), {"name": "X", "amount": "-1"})
    assert response.status_code == 200
    assert "amount" in response.context["form"].errors


def test_moving_to_lost_asks_for_a_reason(rep_client, world):
    deal = world.opportunities["rep"]
    response = rep_client.post(reverse("opportunity_move", args=[deal.pk]), {"stage": _stage(world, "Lost").pk})
    assert response.status_code == 400
    assert "lost_reason" in response.context["form"].errors
    deal.refresh_from_db()
    assert deal.stage == _stage(world, "Prospecting")


def test_moving_to_won_sets_the_close_date_which_stays_editable_and_reopen_clears_it(rep_client, world):
    deal = world.opportunities["rep"]
    response = rep_client.post(reverse("opportunity_move", args=[deal.pk]), {"stage": _stage(world, "Won").pk})
    assert response.status_code == 302
    deal.refresh_from_db()
    assert deal.close_date == timezone.localdate()
    assert OpportunityStageChange.objects.filter(opportunity=deal).count() == 2

    form = rep_client.get(reverse("opportunity_edit", args=[deal.pk])).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data["close_date"] = "2026-01-10"
    assert rep_client.post(reverse("opportunity_edit", args=[deal.pk]), data).status_code == 302
    deal.refresh_from_db()
    assert deal.close_date == dt.date(2026, 1, 10)

    rep_client.post(reverse("opportunity_move", args=[deal.pk]), {"stage": _stage(world, "Negotiation").pk})
    deal.refresh_from_db()
    assert deal.close_date is None


def test_the_deal_page_shows_its_history_and_timeline(rep_client, world):
    deal = world.opportunities["rep"]
    services.activity_create(owner=world.rep, kind="email", status="done", opportunity=deal, subject="Sent the deck")
    page = rep_client.get(reverse("opportunity_detail", args=[deal.pk])).content.decode()
    assert "Sent the deck" in page
    assert "Stage history" in page


# --- accounts ---------------------------------------------------------------------------------


def test_a_rep_lists_their_and_shared_accounts(rep_client, world):
    names = [a.name for a in rep_client.get(reverse("account_list")).context["page"].object_list]
    assert names == ["Account of rep", "Shared account"]
    assert rep_client.get(reverse("account_detail", args=[world.accounts["other_rep"].pk])).status_code == 404


def test_feedback_is_recorded_from_the_account_page(rep_client, world):
    account = world.accounts["rep"]
    data = {"date": timezone.localdate().isoformat(), "score": "2", "is_complaint": "on", "text": "Late delivery"}
    response = rep_client.post(reverse("feedback_create", args=[account.pk]), data)
    assert response.status_code == 302
    entry = CustomerFeedback.objects.get(text="Late delivery")
    assert (entry.rep, entry.score, entry.is_complaint) == (world.rep, 2, True)
    assert "Late delivery" in rep_client.get(reverse("account_detail", args=[account.pk])).content.decode()


@pytest.mark.parametrize(
    ("data", "field"), [({"score": "9"}, "score"), ({"score": ""}, "score"), ({"score": "3", "date": "x"}, "date")]
)
def test_bad_feedback_answers_next_to_the_field(rep_client, world, data, field):
    response = rep_client.post(reverse("feedback_create", args=[world.accounts["rep"].pk]), {"date": "2026-01-05", **data})
    assert response.status_code == 400
    assert field in response.context["feedback_form"].errors


def test_the_account_list_makes_the_same_number_of_queries_for_3_and_9_accounts(client, world):
    client.force_login(world.manager)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("account_list")).status_code == 200
        return len(captured)

    few = queries()
    for n in range(6):
        services.account_create(name=f"Extra {n}", owner=world.rep)
    assert queries() == few


def test_my_week_shows_the_quota_pace_from_the_kpi_engine(rep_client, world, django_capture_on_commit_callbacks):
    from kpis.models import Quota

    today = timezone.localdate()
    start = today.replace(day=1)
    end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    Quota.objects.create(rep=world.rep, start_date=start, end_date=end, target=Decimal("4000.00"))
    with django_capture_on_commit_callbacks(execute=True):
        services.opportunity_update(opportunity=world.opportunities["rep"], amount=Decimal("1000.00"))
        services.opportunity_move(opportunity=world.opportunities["rep"], stage=_stage(world, "Won"))
    response = rep_client.get(reverse("my_week"))
    pace = response.context["pace"]
    assert pace["target"] == Decimal("4000.00")
    assert pace["won_revenue"] == Decimal("1000.00")
    assert pace["attainment"] == Decimal("0.25")
    assert "Quota pace" in response.content.decode()


def test_a_manager_reads_but_does_not_move_edit_or_tick_off_their_reps_work(client, world):
    client.force_login(world.manager)
    deal = world.opportunities["rep"]
    page = client.get(reverse("opportunity_detail", args=[deal.pk])).content.decode()
    assert "Move to another stage" not in page
    assert client.post(reverse("opportunity_move", args=[deal.pk]), {"stage": _stage(world, "Won").pk}).status_code == 403
    assert client.post(reverse("activity_done", args=[world.activities["rep"].pk])).status_code == 403
    board = client.get(reverse("opportunity_board")).content.decode()
    assert reverse("opportunity_move", args=[deal.pk]) not in board


def test_a_manager_reassigns_a_deal_within_their_team_from_the_edit_page(client, world):
    client.force_login(world.manager)
    deal = world.opportunities["rep"]
    form = client.get(reverse("opportunity_edit", args=[deal.pk])).context["form"]
    assert list(form.fields) == ["owner"]
    response = client.post(reverse("opportunity_edit", args=[deal.pk]), {"owner": world.teammate.pk, "name": "Renamed"})
    assert response.status_code == 302
    deal.refresh_from_db()
    assert (deal.owner, deal.name) == (world.teammate, "Deal of rep")
    response = client.post(reverse("opportunity_edit", args=[deal.pk]), {"owner": world.other_rep.pk})
    assert response.status_code == 200
    assert "owner" in response.context["form"].errors
