"""The API of deal reviews, stage tips, recognition and account plans: private notes, bad input,
what each role sees, and the agenda's new parts. (Who may do what on each endpoint is in
tests/api/test_permission_matrix.py.)"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from coaching import services
from coaching.models import AccountPlan, ActionItem, DealReview, Recognition, StageTip

pytestmark = pytest.mark.django_db

REVIEWS = "/api/v1/deal-reviews/"
TIPS = "/api/v1/stage-tips/"
RECOGNITIONS = "/api/v1/recognitions/"
PLANS = "/api/v1/account-plans/"


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def as_user(api: APIClient, user) -> APIClient:
    api.force_authenticate(user)
    return api


def test_the_manager_records_a_review_with_actions(api, cworld):
    deal = cworld.opportunities["rep"]
    response = as_user(api, cworld.manager).post(
        REVIEWS,
        {
            "opportunity": deal.pk,
            "session": cworld.held["rep"].pk,
            "in_control": "no",
            "missing": "The budget",
            "next_step": "Meet the CFO",
            "private_notes": "Secret",
            "actions": [{"title": "Book the CFO", "due_date": "2030-01-02"}, {"title": "Send the case"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["rep"] == cworld.rep.pk and body["reviewed_by"] == cworld.manager.pk and body["private_notes"] == "Secret"
    assert "actions" not in body and len(body["action_items"]) == 2
    assert set(ActionItem.objects.filter(pk__in=body["action_items"]).values_list("rep", flat=True)) == {cworld.rep.pk}


def test_the_rep_never_gets_a_reviews_private_notes(api, cworld):
    review = services.deal_review_record(
        opportunity=cworld.opportunities["rep"], reviewed_by=cworld.manager, in_control="partly", private_notes="Secret"
    )
    as_user(api, cworld.rep.user)
    listed = api.get(REVIEWS).json()["results"]
    assert [row["id"] for row in listed] == [review.pk] and "private_notes" not in listed[0]
    assert "private_notes" not in api.get(f"{REVIEWS}{review.pk}/").json()
    assert "Secret" not in api.get(f"{REVIEWS}?opportunity={cworld.opportunities['rep'].pk}").content.decode()
    assert as_user(APIClient(), cworld.admin).get(f"{REVIEWS}{review.pk}/").json()["private_notes"] == "Secret"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"in_control": "maybe"}, "in_control"),
        ({}, "in_control"),
        ({"in_control": "yes", "date": "3100-01-01"}, "date"),
        ({"in_control": "yes", "actions": [{"title": ""}]}, "actions"),
        ({"in_control": "yes", "opportunity": 999999}, "opportunity"),
    ],
)
def test_bad_review_input_is_a_400_naming_the_field(api, cworld, payload, field):
    data = {"opportunity": cworld.opportunities["rep"].pk, **payload}
    response = as_user(api, cworld.manager).post(REVIEWS, data, format="json")
    assert response.status_code == 400 and field in response.json()
    assert not DealReview.objects.exists()


def test_a_reviews_deal_and_session_are_set_on_creation_only(api, cworld):
    review = services.deal_review_record(opportunity=cworld.opportunities["rep"], reviewed_by=cworld.manager, in_control="no")
    as_user(api, cworld.manager)
    assert api.patch(f"{REVIEWS}{review.pk}/", {"opportunity": cworld.opportunities["teammate"].pk}).status_code == 400
    response = api.patch(f"{REVIEWS}{review.pk}/", {"in_control": "yes", "missing": "  nothing  "}, format="json")
    assert response.status_code == 200 and response.json()["missing"] == "nothing"


def test_stage_tips_everyone_reads_admins_write(api, cworld):
    stage = cworld.opportunities["rep"].stage
    as_user(api, cworld.rep.user)
    assert api.post(TIPS, {"stage": stage.pk, "tip": "x"}).status_code == 403
    as_user(api, cworld.manager)
    assert api.post(TIPS, {"stage": stage.pk, "tip": "x"}).status_code == 403
    as_user(api, cworld.admin)
    response = api.post(TIPS, {"stage": stage.pk, "tip": "Qualify", "stall_after_days": 20}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["stage_name"] == stage.name and response.json()["pipeline"] == stage.pipeline_id
    assert api.post(TIPS, {"stage": stage.pk, "tip": "again"}).status_code == 400  # one per stage
    assert api.post(TIPS, {"stage": stage.pk + 1000, "tip": "x"}).status_code == 400
    tip = StageTip.objects.get()
    assert api.patch(f"{TIPS}{tip.pk}/", {"stall_after_days": 0}, format="json").status_code == 400
    as_user(api, cworld.rep.user)
    assert api.get(TIPS).json()["results"][0]["tip"] == "Qualify"
    assert api.delete(f"{TIPS}{tip.pk}/").status_code == 403


def test_recognitions_of_the_team_are_seen_by_the_teammates_when_shared(api, cworld):
    shared = services.recognition_give(rep=cworld.rep, given_by=cworld.manager, text="Shared", shared_with_team=True)
    services.recognition_give(rep=cworld.rep, given_by=cworld.manager, text="Only Rita")
    as_user(api, cworld.teammate.user)
    assert [row["id"] for row in api.get(RECOGNITIONS).json()["results"]] == [shared.pk]
    assert api.patch(f"{RECOGNITIONS}{shared.pk}/", {"text": "Mine now"}).status_code == 403
    assert api.delete(f"{RECOGNITIONS}{shared.pk}/").status_code == 403
    as_user(api, cworld.rep.user)
    assert len(api.get(RECOGNITIONS).json()["results"]) == 2


def test_the_manager_gives_recognition_through_the_api(api, cworld):
    as_user(api, cworld.manager)
    assert api.post(RECOGNITIONS, {"rep": cworld.rep.pk, "text": " "}, format="json").status_code == 400
    response = api.post(RECOGNITIONS, {"rep": cworld.rep.pk, "text": "Best month"}, format="json")
    assert response.status_code == 201 and response.json()["date"] == timezone.localdate().isoformat()
    assert Recognition.objects.get().given_by == cworld.manager


def test_an_account_plan_through_the_api(api, cworld):
    as_user(api, cworld.manager)
    response = api.post(
        PLANS,
        {
            "account": cworld.accounts["rep"].pk,
            "goal": "Renew",
            "actions": [{"title": "Visit", "owner": cworld.manager.pk}, {"title": "Report", "owner": cworld.rep.user_id}],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["rep"] == cworld.rep.pk and [a["title"] for a in body["actions"]] == ["Visit", "Report"]
    visit = body["actions"][0]["id"]
    response = api.patch(
        f"{PLANS}{body['id']}/",
        {"actions": [{"id": visit, "title": "Visit", "owner": cworld.manager.pk, "done": True}]},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert [(a["id"], a["done"]) for a in response.json()["actions"]] == [(visit, True)]
    bad = api.patch(f"{PLANS}{body['id']}/", {"actions": [{"title": "x", "owner": cworld.teammate.user_id}]}, format="json")
    assert bad.status_code == 400 and "actions" in bad.json()
    assert AccountPlan.objects.get().actions.count() == 1
    # the rep reads it, and the agenda of their session lists its open actions
    as_user(api, cworld.rep.user)
    assert api.get(f"{PLANS}{body['id']}/").status_code == 200
    assert api.patch(f"{PLANS}{body['id']}/", {"goal": "x"}).status_code == 403


def test_an_account_of_another_team_is_unknown_for_a_plan(api, cworld):
    response = as_user(api, cworld.manager).post(PLANS, {"account": cworld.accounts["other_rep"].pk, "goal": "x"}, format="json")
    assert response.status_code == 400 and "account" in response.json()


def test_the_agenda_has_the_stage_tip_and_the_plan_actions(api, cworld):
    # the planned session's agenda is live; a held one's is as of its start (see test_agenda)
    services.stage_tip_save(stage=cworld.opportunities["rep"].stage, tip="Qualify fast")
    services.account_plan_create(
        account=cworld.accounts["rep"],
        created_by=cworld.manager,
        goal="Renew",
        actions=[services.PlanActionInput("Visit", cworld.manager)],
    )
    body = as_user(api, cworld.manager).get(f"/api/v1/coaching-sessions/{cworld.planned['rep'].pk}/agenda/").json()
    assert body["deals_to_review"][0]["tip"] == "Qualify fast"
    assert [(a["title"], a["account"], a["goal"]) for a in body["account_plan_actions"]] == [("Visit", "Account of rep", "Renew")]


@pytest.mark.parametrize("base", [REVIEWS, RECOGNITIONS, PLANS, TIPS])
def test_lists_do_not_query_per_row(api, cworld, base):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert as_user(api, cworld.admin).get(base).status_code == 200
        return len(queries)

    def add() -> None:
        for key in ("rep", "teammate", "other_rep"):
            rep = getattr(cworld, key)
            manager = rep.team.manager
            services.deal_review_record(opportunity=cworld.opportunities[key], reviewed_by=manager, in_control="no")
            services.recognition_give(rep=rep, given_by=manager, text="Good")
            services.account_plan_create(
                account=cworld.accounts[key], created_by=manager, goal="g", actions=[services.PlanActionInput("a", manager)]
            )

    services.stage_tip_save(stage=cworld.pipeline.stages.first(), tip="t")
    add()
    count()  # the first request of the user reads what the next ones have cached
    few = count()
    add()
    for stage in cworld.pipeline.stages.all()[1:]:
        services.stage_tip_save(stage=stage, tip="t")
    assert count() == few
