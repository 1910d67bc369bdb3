"""Deal reviews, stage tips (with the per-stage stall limit), recognition and account plans:
services, selectors and pages.

In ``cworld`` team A (``manager``) has ``rep`` (Rita) and ``teammate``; team B has ``other_rep``.
Each rep has one open deal ("Deal of rep", ...) without a next step, so it is worth a review.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from coaching import rules, selectors, services
from coaching.models import AccountPlan, ActionItem, DealReview, InControl, Recognition, StageTip
from reps.models import Opportunity, StageKind

pytestmark = pytest.mark.django_db


def deal(cworld, key: str = "rep") -> Opportunity:
    return cworld.opportunities[key]


def review(cworld, key: str = "rep", **fields) -> DealReview:
    target = deal(cworld, key)
    data = {"in_control": InControl.PARTLY, "missing": "The signer", "next_step": "Call the CFO", "private_notes": "Secret"}
    data.update(fields)
    return services.deal_review_record(opportunity=target, reviewed_by=target.owner.team.manager, **data)


def put_in_stage_since(opportunity: Opportunity, days: int) -> None:
    Opportunity.objects.filter(pk=opportunity.pk).update(stage_changed_at=timezone.now() - dt.timedelta(days=days))


# --- services -------------------------------------------------------------------------------


def test_a_manager_records_a_review_with_action_items_for_the_rep(cworld):
    made = review(
        cworld,
        actions=[services.ActionInput("Book the CFO call", timezone.localdate()), services.ActionInput("  ")],
        session=cworld.held["rep"],
    )
    assert made.rep == cworld.rep and made.reviewed_by == cworld.manager and made.missing == "The signer"
    items = list(made.action_items.all())
    assert [(i.title, i.rep, i.session) for i in items] == [("Book the CFO call", cworld.rep, cworld.held["rep"])]


@pytest.mark.parametrize("who", ["rep", "other_manager"])
def test_only_the_reps_manager_reviews_a_deal(cworld, who):
    user = cworld.rep.user if who == "rep" else cworld.other_rep.team.manager
    with pytest.raises(ValidationError):
        services.deal_review_record(opportunity=deal(cworld), reviewed_by=user, in_control="yes")
    assert not DealReview.objects.exists()


def test_a_closed_deal_or_a_session_with_another_rep_is_refused(cworld):
    with pytest.raises(ValidationError) as error:
        review(cworld, session=cworld.held["teammate"])
    assert "session" in error.value.message_dict
    won = cworld.pipeline.stages.get(kind=StageKind.WON)
    Opportunity.objects.filter(pk=deal(cworld).pk).update(stage=won)
    deal(cworld).refresh_from_db()
    with pytest.raises(ValidationError) as error:
        review(cworld)
    assert "opportunity" in error.value.message_dict
    assert not DealReview.objects.exists() and not ActionItem.objects.filter(title="x").exists()


def test_a_review_needs_a_valid_answer_on_control(cworld):
    with pytest.raises(ValidationError) as error:
        review(cworld, in_control="maybe")
    assert "in_control" in error.value.message_dict


def test_a_bad_action_saves_nothing(cworld):
    with pytest.raises(ValidationError):
        review(cworld, actions=[services.ActionInput("ok"), services.ActionInput("x" * 201)])
    assert not DealReview.objects.exists()
    assert not ActionItem.objects.filter(title="ok").exists()


def test_recognition_needs_text_and_a_coach(cworld):
    with pytest.raises(ValidationError):
        services.recognition_give(rep=cworld.rep, given_by=cworld.manager, text="   ")
    with pytest.raises(ValidationError):
        services.recognition_give(rep=cworld.other_rep, given_by=cworld.manager, text="Well done")
    made = services.recognition_give(rep=cworld.rep, given_by=cworld.manager, text=" Well done ", shared_with_team=True)
    assert made.text == "Well done" and made.date == timezone.localdate()


def test_stage_tip_is_one_per_stage_and_saved_again_in_place(cworld):
    stage = deal(cworld).stage
    first = services.stage_tip_save(stage=stage, tip=" Ask about the pain ", stall_after_days=10)
    again = services.stage_tip_save(stage=stage, contact_every_days=3)
    assert first.pk == again.pk and StageTip.objects.count() == 1
    again.refresh_from_db()
    assert (again.tip, again.contact_every_days, again.stall_after_days) == ("Ask about the pain", 3, 10)
    with pytest.raises(ValidationError):
        services.stage_tip_save(stage=stage, stall_after_days=0)


def test_an_account_plan_with_owners_and_due_dates(cworld):
    account = cworld.accounts["rep"]
    plan = services.account_plan_create(
        account=account,
        created_by=cworld.manager,
        goal="Renew",
        actions=[
            services.PlanActionInput("Visit", cworld.manager, timezone.localdate()),
            services.PlanActionInput("Send the report", cworld.rep.user),
        ],
    )
    assert plan.rep == cworld.rep
    first, second = plan.actions.order_by("pk")
    services.account_plan_update(
        plan=plan,
        actions=[
            services.PlanActionInput("Visit them", cworld.manager, done=True, id=first.pk),
            services.PlanActionInput("Call", cworld.rep.user),
        ],
    )
    rows = list(plan.actions.order_by("pk").values_list("pk", "title"))
    assert rows[0] == (first.pk, "Visit them") and rows[1][1] == "Call" and second.pk not in [r[0] for r in rows]
    assert plan.actions.get(pk=first.pk).is_done


def test_an_account_plans_owners_and_account_are_checked(cworld):
    with pytest.raises(ValidationError) as error:
        services.account_plan_create(
            account=cworld.accounts["rep"],
            created_by=cworld.manager,
            goal="Renew",
            actions=[services.PlanActionInput("Visit", cworld.teammate.user)],
        )
    assert "actions" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.account_plan_create(account=cworld.accounts["teammate"], rep=cworld.rep, created_by=cworld.manager, goal="x")
    assert not AccountPlan.objects.exists()


# --- selectors ------------------------------------------------------------------------------


def test_a_stage_limit_decides_when_a_deal_is_stalled_and_its_tip_comes_along(cworld):
    target = deal(cworld)
    put_in_stage_since(target, 12)  # under the default rule's two weeks: not stalled
    today = timezone.localdate()
    flagged = selectors.deals_to_review(user=cworld.manager, rep_ids=[cworld.rep.pk], today=today)[cworld.rep.pk][0]
    assert not any("stalled" in reason for reason in flagged.reasons) and flagged.tip == ""
    services.stage_tip_save(stage=target.stage, tip="Qualify fast", stall_after_days=10)
    flagged = selectors.deals_to_review(user=cworld.manager, rep_ids=[cworld.rep.pk], today=today)[cworld.rep.pk][0]
    assert "12 days in Prospecting (stalled: the stage's limit is 10 days)" in flagged.reasons
    assert flagged.tip == "Qualify fast"
    put_in_stage_since(target, 60)  # over 45 days, but the stage allows 90
    services.stage_tip_save(stage=target.stage, stall_after_days=90)
    flagged = selectors.deals_to_review(user=cworld.manager, rep_ids=[cworld.rep.pk], today=today)[cworld.rep.pk][0]
    assert not any("stalled" in reason for reason in flagged.reasons)


def test_last_reviews_keep_the_latest_per_deal_and_follow_visibility(cworld):
    review(cworld, date=timezone.localdate() - dt.timedelta(days=5), missing="old")
    latest = review(cworld, missing="new")
    other = review(cworld, "other_rep")
    ids = [deal(cworld).pk, deal(cworld, "other_rep").pk]
    assert selectors.last_reviews(user=cworld.manager, opportunity_ids=ids) == {deal(cworld).pk: latest}
    assert selectors.last_reviews(user=cworld.admin, opportunity_ids=ids)[deal(cworld, "other_rep").pk] == other


def test_deal_ids_reviewed_since_a_day(cworld):
    today = timezone.localdate()
    review(cworld, date=today - dt.timedelta(days=10))
    review(cworld, "teammate", date=today - dt.timedelta(days=2))
    ids = [deal(cworld).pk, deal(cworld, "teammate").pk, deal(cworld, "other_rep").pk]
    assert selectors.deal_ids_reviewed(deal_ids=ids, since=today - dt.timedelta(days=7)) == {deal(cworld, "teammate").pk}
    assert selectors.deal_ids_reviewed(deal_ids=ids, since=today - dt.timedelta(days=30)) == set(ids[:2])


def test_the_rep_never_reads_the_private_notes_of_a_review(cworld):
    made = review(cworld)
    assert not rules.can_see_review_notes(cworld.rep.user, made)
    assert rules.can_see_review_notes(cworld.manager, made)
    assert rules.can_see_review_notes(cworld.admin, made)


def test_recognition_is_seen_by_the_rep_and_if_shared_by_the_team(cworld):
    private = services.recognition_give(rep=cworld.rep, given_by=cworld.manager, text="Private praise")
    shared = services.recognition_give(rep=cworld.rep, given_by=cworld.manager, text="Shared", shared_with_team=True)
    assert set(rules.visible_recognitions(cworld.rep.user)) == {private, shared}
    assert set(rules.visible_recognitions(cworld.teammate.user)) == {shared}
    assert not rules.visible_recognitions(cworld.other_rep.user).exists()
    assert not rules.visible_recognitions(cworld.other_rep.team.manager).exists()


def test_recognition_candidates_are_the_coachable_reps_at_or_over_target(cworld, monkeypatch):
    rows = [
        {"rep": {"id": cworld.rep.pk, "name": "Rita Rep"}, "attainment": Decimal("1.0000")},
        {"rep": {"id": cworld.teammate.pk, "name": "Tom"}, "attainment": Decimal("0.9999")},
        {"rep": {"id": cworld.manager.pk * 1000, "name": "Not coachable"}, "attainment": Decimal("2")},
    ]
    seen = {}

    def kpi_table(**kwargs):
        seen.update(kwargs)
        return rows

    monkeypatch.setattr(selectors.kpi, "kpi_table", kpi_table)
    today = timezone.localdate()
    start = today.replace(day=1)
    services.recognition_give(rep=cworld.rep, given_by=cworld.manager, text="Great month")
    found = selectors.recognition_candidates(user=cworld.manager, team_id=cworld.team.pk, start=start, end=today, today=today)
    assert [(row["rep"]["id"], row["recognised_on"]) for row in found] == [(cworld.rep.pk, today)]
    assert seen["group_by"] == "rep" and seen["team_id"] == cworld.team.pk


def test_the_agenda_has_the_open_account_plan_actions(cworld):
    session = cworld.held["rep"]
    plan = services.account_plan_create(
        account=cworld.accounts["rep"],
        created_by=cworld.manager,
        goal="Renew",
        actions=[services.PlanActionInput("Visit", cworld.manager), services.PlanActionInput("Done", cworld.manager, done=True)],
    )
    # the agenda is as of the session's start: a plan written after it is not on it
    assert selectors.agenda(user=cworld.manager, session=session).account_plan_actions == []
    AccountPlan.objects.filter(pk=plan.pk).update(created_at=session.scheduled_for - dt.timedelta(days=1))
    plan.actions.filter(title="Done").update(done_at=session.scheduled_for - dt.timedelta(hours=1))
    agenda = selectors.agenda(user=cworld.manager, session=session)
    assert [action.title for action in agenda.account_plan_actions] == ["Visit"]
    # an action done after the session's start was still open at it
    plan.actions.filter(title="Done").update(done_at=session.scheduled_for + dt.timedelta(hours=1))
    agenda = selectors.agenda(user=cworld.manager, session=session)
    assert sorted(action.title for action in agenda.account_plan_actions) == ["Done", "Visit"]


# --- pages ----------------------------------------------------------------------------------


def review_url(cworld, key: str = "rep") -> str:
    return reverse("coaching_deal_review", args=[deal(cworld, key).pk])


def test_the_manager_records_a_review_from_the_rep_page(client, cworld):
    client.force_login(cworld.manager)
    page = client.get(reverse("rep_detail", args=[cworld.rep.pk]))
    assert review_url(cworld).encode() in page.content  # "Record a review" beside the deal worth it
    form = client.get(review_url(cworld))
    assert form.status_code == 200 and b"no next step" in form.content
    response = client.post(
        review_url(cworld),
        {
            "in_control": "partly",
            "missing": "The signer",
            "next_step": "Call the CFO",
            "private_notes": "Secret",
            "action_1": "Book",
        },
    )
    assert response.status_code == 302 and response["Location"].startswith(reverse("rep_detail", args=[cworld.rep.pk]))
    made = DealReview.objects.get()
    assert made.action_items.get().title == "Book"
    page = client.get(reverse("rep_detail", args=[cworld.rep.pk]))
    assert b"in control: Partly; missing: The signer; next step: Call the CFO" in page.content


def test_a_review_from_a_session_goes_back_to_it(client, cworld):
    client.force_login(cworld.manager)
    session = cworld.planned["rep"]  # its agenda is live (a held one's is as of its start, before the deal)
    page = client.get(reverse("coaching_session_detail", args=[session.pk]))
    assert f"{review_url(cworld)}?session={session.pk}".encode() in page.content
    response = client.post(f"{review_url(cworld)}?session={session.pk}", {"in_control": "yes", "session": session.pk})
    assert response.status_code == 302 and f"/coaching/sessions/{session.pk}/" in response["Location"]
    assert DealReview.objects.get().session == session


def test_the_session_page_lists_the_reviews_recorded_in_it_private_notes_for_managers_only(client, cworld):
    session = cworld.planned["rep"]
    url = reverse("coaching_session_detail", args=[session.pk])
    client.force_login(cworld.manager)
    response = client.post(
        f"{review_url(cworld)}?session={session.pk}",
        {
            "in_control": "partly",
            "missing": "Who signs",
            "next_step": "Meet the CFO",
            "private_notes": "Rep seems lost",
            "session": session.pk,
        },
    )
    assert response["Location"].endswith("#session-reviews")  # back to the review just recorded
    review(cworld, private_notes="Not in this session")  # another review of the rep, outside the session
    page = client.get(url).content.decode()
    section = page[page.index('id="session-reviews"') :]
    assert "Who signs" in section and "Meet the CFO" in section and "Rep seems lost" in section
    assert "Not in this session" not in section
    client.force_login(cworld.rep.user)
    page = client.get(url).content.decode()
    assert "Meet the CFO" in page
    assert "Rep seems lost" not in page  # never the private notes, for the rep
    client.force_login(cworld.teammate.user)
    assert client.get(url).status_code == 404


def test_the_session_page_links_recognition_for_the_coach_only_and_comes_back(client, cworld):
    session = cworld.planned["rep"]
    url = reverse("coaching_session_detail", args=[session.pk])
    recognition = reverse("coaching_recognition_create", args=[cworld.rep.pk])
    client.force_login(cworld.manager)
    assert f'href="{recognition}?next={url}"' in client.get(url).content.decode().replace("%2F", "/")
    response = client.post(f"{recognition}?next={url}", {"text": "Great discovery", "next": url})
    assert response.status_code == 302 and response["Location"] == url
    client.force_login(cworld.rep.user)
    assert recognition not in client.get(url).content.decode()


def test_a_review_without_an_answer_on_control_is_a_400_with_a_message(client, cworld):
    client.force_login(cworld.manager)
    response = client.post(review_url(cworld), {"missing": "x"})
    assert response.status_code == 400
    assert "Say whether the rep is in control" in response.content.decode()
    assert not DealReview.objects.exists()


@pytest.mark.parametrize(
    ("who", "key", "status"),
    [
        ("rep", "rep", 403),
        ("teammate", "rep", 404),
        ("manager", "other_rep", 404),
        ("nobody", "rep", 404),
        ("admin", "other_rep", 200),
    ],
)
def test_who_may_open_the_review_page(client, cworld, who, key, status):
    user = {"rep": cworld.rep.user, "teammate": cworld.teammate.user, "manager": cworld.manager, "admin": cworld.admin}.get(
        who, cworld.nobody
    )
    client.force_login(user)
    assert client.get(review_url(cworld, key)).status_code == status
    assert client.post(review_url(cworld, key), {"in_control": "yes"}).status_code in (status, 302)
    assert DealReview.objects.exists() is (status == 200)


def test_the_rep_page_hides_the_review_link_and_private_notes_from_the_rep(client, cworld):
    review(cworld, private_notes="Very secret")
    client.force_login(cworld.rep.user)
    page = client.get(reverse("rep_detail", args=[cworld.rep.pk])).content.decode()
    assert review_url(cworld) not in page and "Very secret" not in page
    assert "in control: Partly" in page  # the rep sees the review itself


def test_the_deal_page_shows_its_stage_tip(client, cworld):
    services.stage_tip_save(stage=deal(cworld).stage, tip="Qualify fast", contact_every_days=7)
    client.force_login(cworld.rep.user)
    page = client.get(reverse("opportunity_detail", args=[deal(cworld).pk])).content.decode()
    assert "Qualify fast" in page and "every 7 days" in page


def test_the_agenda_shows_the_stage_tip_beside_the_deal(client, cworld):
    services.stage_tip_save(stage=deal(cworld).stage, tip="Qualify fast")
    client.force_login(cworld.rep.user)
    page = client.get(reverse("coaching_session_detail", args=[cworld.planned["rep"].pk])).content.decode()
    assert "Qualify fast" in page and review_url(cworld) not in page  # the rep does not review


def test_the_manager_gives_recognition_and_the_rep_sees_it(client, cworld):
    client.force_login(cworld.manager)
    url = reverse("coaching_recognition_create", args=[cworld.rep.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"text": " "}).status_code == 400
    response = client.post(url, {"text": "Best month ever", "shared_with_team": "on"})
    assert response.status_code == 302
    assert Recognition.objects.get().shared_with_team
    rep_page = client.get(reverse("rep_detail", args=[cworld.rep.pk])).content.decode()
    assert "Best month ever" in rep_page and "Problem of rep" in rep_page  # recognition and feedback over time
    client.force_login(cworld.teammate.user)
    assert "Best month ever" in client.get(reverse("coaching_home")).content.decode()  # shared with the team


@pytest.mark.parametrize(("who", "status"), [("rep", 403), ("teammate", 404), ("other_manager", 404)])
def test_who_may_not_give_recognition(client, cworld, who, status):
    user = {"rep": cworld.rep.user, "teammate": cworld.teammate.user, "other_manager": cworld.other_rep.team.manager}[who]
    client.force_login(user)
    url = reverse("coaching_recognition_create", args=[cworld.rep.pk])
    assert client.post(url, {"text": "x"}).status_code == status
    assert not Recognition.objects.exists()


def test_candidates_for_recognition_on_the_coaching_page_and_in_the_team_meeting(client, cworld, monkeypatch):
    row = {"rep": {"id": cworld.rep.pk, "name": "Rita Rep"}, "attainment": Decimal("1.2500")}
    monkeypatch.setattr(selectors.kpi, "kpi_table", lambda **kwargs: [row])
    client.force_login(cworld.manager)
    url = reverse("coaching_recognition_create", args=[cworld.rep.pk])
    for page in (reverse("coaching_home"), reverse("team_meeting")):
        content = client.get(page, {"team": cworld.team.pk}).content.decode()
        assert "Suggested for recognition" in content and url in content and "125" in content


def test_an_account_plan_from_the_account_page(client, cworld):
    account = cworld.accounts["rep"]
    url = reverse("coaching_account_plan_create", args=[account.pk])
    client.force_login(cworld.manager)
    assert url in client.get(reverse("account_detail", args=[account.pk])).content.decode()
    assert client.post(url, {"goal": ""}).status_code == 400
    response = client.post(
        url, {"goal": "Renew", "action_1": "Visit", "owner_1": str(cworld.manager.pk), "due_1": "2030-01-10", "action_2": "Call"}
    )
    assert response.status_code == 302
    plan = AccountPlan.objects.get()
    assert [(a.title, a.owner_id) for a in plan.actions.order_by("pk")] == [
        ("Visit", cworld.manager.pk),
        ("Call", cworld.rep.user_id),
    ]
    # the rep ticks an action of their plan on their page
    client.force_login(cworld.rep.user)
    assert "Visit" in client.get(reverse("rep_detail", args=[cworld.rep.pk])).content.decode()
    action = plan.actions.get(title="Visit")
    assert client.post(reverse("coaching_plan_action_done", args=[action.pk]), {"done": "1"}).status_code == 302
    action.refresh_from_db()
    assert action.is_done
    client.force_login(cworld.teammate.user)
    assert client.post(reverse("coaching_plan_action_done", args=[action.pk]), {"done": "0"}).status_code == 404
    assert client.get(url).status_code == 404


def test_a_rep_may_not_plan_an_account(client, cworld):
    client.force_login(cworld.rep.user)
    assert client.get(reverse("coaching_account_plan_create", args=[cworld.accounts["rep"].pk])).status_code == 403
