"""Django admin of coaching: admins only, change lists without a query per row, search and filters."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coaching import services

pytestmark = pytest.mark.django_db

CHANGELISTS = ["coachingsession", "coachingfeedback", "actionitem"]


def changelist(model: str) -> str:
    return reverse(f"admin:coaching_{model}_changelist")


def add_rows(cworld, count: int) -> None:
    now = timezone.now()
    for i in range(count):
        for offset, key in enumerate(("rep", "teammate", "other_rep")):
            rep = cworld.world.rep_named(key)
            coach = rep.team.manager
            when = now - dt.timedelta(days=7 * i + 14, hours=offset)  # a coach is never double-booked
            session = services.session_create(rep=rep, coach=coach, scheduled_for=when)
            services.feedback_give(rep=rep, given_by=coach, session=session, problem=f"p{i}", consequence="c", improvement="i")
            services.action_item_create(rep=rep, created_by=coach, session=session, title=f"Action {i}")


def queries_of(client, url: str, params: dict | None = None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200, url
    return len(queries)


# Session, user, teams of the filter, count (filtered and all), page rows; with a date
# hierarchy also its first/last date and its days: the same whatever the number of rows.
PINNED = {"coachingsession": 8, "coachingfeedback": 8, "actionitem": 6}


def test_change_lists_do_not_query_per_row(client, cworld):
    client.force_login(cworld.admin)
    few = {model: queries_of(client, changelist(model)) for model in CHANGELISTS}  # 2, 1 and 1 per rep
    add_rows(cworld, 4)
    many = {model: queries_of(client, changelist(model)) for model in CHANGELISTS}
    assert many == few == PINNED


def test_only_admins_reach_the_coaching_admin(client, cworld):
    for user in (cworld.manager, cworld.rep.user, cworld.nobody):
        client.force_login(user)
        response = client.get(changelist("coachingsession"))
        assert response.status_code == 302  # to the admin login: staff only
        assert "/admin/login/" in response["Location"]


def test_the_admin_sees_private_notes_and_edits_a_session(client, cworld):
    client.force_login(cworld.admin)
    session = cworld.held["rep"]
    response = client.get(reverse("admin:coaching_coachingsession_change", args=[session.pk]))
    assert response.status_code == 200
    assert "Private notes of rep" in response.content.decode()


def test_search_and_filters(client, cworld):
    client.force_login(cworld.admin)
    response = client.get(changelist("coachingsession"), {"q": "rita", "status__exact": "held"})
    assert [row.pk for row in response.context["cl"].result_list] == [cworld.held["rep"].pk]
    response = client.get(changelist("coachingfeedback"), {"q": "Problem of teammate"})
    assert [row.pk for row in response.context["cl"].result_list] == [cworld.feedback["teammate"].pk]
    services.action_item_set_done(item=cworld.actions["other_rep"], done=True)
    response = client.get(changelist("actionitem"), {"done": "yes"})
    assert [row.pk for row in response.context["cl"].result_list] == [cworld.actions["other_rep"].pk]
    response = client.get(changelist("actionitem"), {"done": "no"})
    assert response.context["cl"].result_count == 2


# --- deal reviews, stage tips, recognition, account plans -------------------------------------

RECORD_CHANGELISTS = ["dealreview", "stagetip", "recognition", "accountplan"]


def add_records(cworld) -> None:
    for key in ("rep", "teammate", "other_rep"):
        rep = cworld.world.rep_named(key)
        manager = rep.team.manager
        services.deal_review_record(
            opportunity=cworld.opportunities[key], reviewed_by=manager, in_control="no", private_notes=f"Secret {key}"
        )
        services.recognition_give(rep=rep, given_by=manager, text=f"Well done {key}")
        services.account_plan_create(
            account=cworld.accounts[key], created_by=manager, goal=f"Goal {key}", actions=[services.PlanActionInput("a", manager)]
        )


def test_record_change_lists_do_not_query_per_row(client, cworld):
    client.force_login(cworld.admin)
    stages = list(cworld.pipeline.stages.all())
    services.stage_tip_save(stage=stages[0], tip="first")
    add_records(cworld)
    few = {model: queries_of(client, changelist(model)) for model in RECORD_CHANGELISTS}
    add_records(cworld)
    for stage in stages[1:]:
        services.stage_tip_save(stage=stage, tip="more")
    assert {model: queries_of(client, changelist(model)) for model in RECORD_CHANGELISTS} == few


def test_the_admin_writes_a_stage_tip_and_reads_a_reviews_private_notes(client, cworld):
    add_records(cworld)
    client.force_login(cworld.admin)
    stage = cworld.pipeline.stages.first()
    response = client.post(
        reverse("admin:coaching_stagetip_add"),
        {"stage": stage.pk, "tip": "Qualify fast", "contact_every_days": "7", "stall_after_days": "20"},
    )
    assert response.status_code == 302, response.content[:2000]
    assert stage.coaching_tip.stall_after_days == 20
    review = cworld.opportunities["rep"].coaching_reviews.get()
    page = client.get(reverse("admin:coaching_dealreview_change", args=[review.pk])).content.decode()
    assert "Secret rep" in page
    plan = cworld.accounts["rep"].coaching_plans.get()
    assert client.get(reverse("admin:coaching_accountplan_change", args=[plan.pk])).status_code == 200
    response = client.get(changelist("recognition"), {"q": "Well done teammate"})
    assert len(response.context["cl"].result_list) == 1
