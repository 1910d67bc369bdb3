"""Who may do what through the API: every endpoint × role × own/other record, in one test.

"own" is the rep's record (for the manager: a record of their team); "other" is the record
of a rep in another team. A record the user may not see answers 404; one they see but may
not change answers 403; a related id they may not use answers 400 on its field.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction

from reps.models import Account, Opportunity
from tests.api.world import World

pytestmark = pytest.mark.django_db

CRUD = ["accounts", "opportunities", "activities", "feedback"]
READ_ONLY = ["teams", "reps", "pipelines"]
ROLES = ["rep", "manager", "admin", "nobody", "anonymous"]
WHICH = ["own", "other"]

OPS: dict[str, list[str]] = {
    "accounts": ["list", "retrieve", "create", "update", "delete", "reassign"],
    "opportunities": ["list", "retrieve", "create", "update", "delete", "move", "reassign"],
    "activities": ["list", "retrieve", "create", "update", "delete", "reassign"],
    "feedback": ["list", "retrieve", "create", "update", "delete"],
    "teams": ["list", "retrieve", "create"],
    "reps": ["list", "retrieve", "create"],
    "pipelines": ["list", "retrieve", "create"],
}

UPDATES = {
    "accounts": {"sector": "Retail"},
    "opportunities": {"next_step": "Send the proposal"},
    "activities": {"notes": "Talked about the renewal."},
    "feedback": {"text": "Happy with the onboarding."},
}


def expected_status(endpoint: str, op: str, role: str, which: str) -> int:
    if role in ("anonymous", "nobody"):
        return 403
    if endpoint in READ_ONLY:
        if op == "create":
            return 405
        if op == "list" or endpoint == "pipelines" or role == "admin":
            return 200
        if endpoint == "teams" and role == "rep":
            return 404  # a rep manages no team
        return 200 if which == "own" else 404
    if op == "list":
        return 200
    if op == "create":
        if which == "other" and role != "admin":
            return 400  # the other rep (or their account) is not one the user may use
        if role == "manager" and endpoint in ("opportunities", "activities"):
            return 403  # managers read their reps' deals and activities, they do not log them
        return 201
    visible = role == "admin" or which == "own"
    if not visible:
        return 404
    if op == "retrieve":
        return 200
    if op == "reassign":
        return 400 if role == "rep" else 200  # a rep cannot use a teammate as owner
    if role == "manager":
        return 403
    if op == "delete":
        return 400 if endpoint == "accounts" else 204  # the account still has a deal
    return 200


# One test per endpoint × role × own/other; its operations run in turn, each rolled back to
# the same starting data (building the data once per case keeps the matrix fast).
CASES = [
    (endpoint, role, which) for endpoint in OPS for role in ROLES for which in (["own"] if endpoint == "pipelines" else WHICH)
]


def _user(world: World, role: str) -> Any:
    return {"rep": world.rep.user, "manager": world.manager, "admin": world.admin, "nobody": world.nobody}.get(role)


def _target(world: World, endpoint: str, which: str) -> Any:
    key = "rep" if which == "own" else "other_rep"
    return {
        "accounts": world.accounts,
        "opportunities": world.opportunities,
        "activities": world.activities,
        "feedback": world.feedback,
        "teams": {"rep": world.team, "other_rep": world.other_team},
        "reps": {"rep": world.rep, "other_rep": world.other_rep},
        "pipelines": {"rep": world.pipeline, "other_rep": world.pipeline},
    }[endpoint][key]


def _create_payload(world: World, endpoint: str, which: str) -> dict[str, Any]:
    owner = world.rep if which == "own" else world.other_rep
    return {
        "accounts": {"name": "Brand new account", "owner": owner.pk},
        "opportunities": {"name": "Brand new deal", "owner": owner.pk, "amount": "500.00"},
        "activities": {"kind": "call", "status": "done", "owner": owner.pk},
        "feedback": {"account": world.accounts["rep" if which == "own" else "other_rep"].pk, "score": 5},
        "teams": {"name": "X"},
        "reps": {"team": world.team.pk},
        "pipelines": {"name": "X"},
    }[endpoint]


def _call(api, world: World, endpoint: str, op: str, which: str) -> Any:
    target = _target(world, endpoint, which)
    base = f"/api/v1/{endpoint}/"
    detail = f"{base}{target.pk}/"
    if op == "list":
        return api.get(base, {"page_size": 200})
    if op == "retrieve":
        return api.get(detail)
    if op == "create":
        return api.post(base, _create_payload(world, endpoint, which), format="json")
    if op == "update":
        return api.patch(detail, UPDATES[endpoint], format="json")
    if op == "delete":
        return api.delete(detail)
    if op == "move":
        won = world.pipeline.stages.get(kind="won")
        return api.post(f"{detail}move/", {"stage": won.pk}, format="json")
    if op == "reassign":
        return api.patch(detail, {"owner": world.teammate.pk}, format="json")
    raise AssertionError(op)  # pragma: no cover


@pytest.mark.parametrize(("endpoint", "role", "which"), CASES)
def test_permission_matrix(api, world, endpoint, role, which):
    user = _user(world, role)
    if user is not None:
        api.force_authenticate(user)
    target = _target(world, endpoint, which)
    wrong: list[str] = []
    for op in OPS[endpoint]:
        savepoint = transaction.savepoint()
        response = _call(api, world, endpoint, op, which)
        expected = expected_status(endpoint, op, role, which)
        if response.status_code != expected:
            wrong.append(f"{op}: {response.status_code} (expected {expected}) {response.content[:200]!r}")
        elif op == "list" and expected == 200:
            ids = {row["id"] for row in response.json()["results"]}
            sees = role == "admin" or which == "own"
            if endpoint == "teams" and role == "rep":
                sees = False
            if (target.pk in ids) is not sees:
                wrong.append(f"list: the record is {'missing' if sees else 'listed'}")
        transaction.savepoint_rollback(savepoint)
    assert not wrong, "\n".join(wrong)


# --- the same rules on the pages ---------------------------------------------------------------
#
# Every page that creates or changes a record, × every role, on the rep's record ("own"; the
# manager's team) and on another team's ("other"). 302 is a saved write (redirect to the
# record), 403 a refusal, 404 a record the user may not see, "login" the login redirect.

PAGE_OPS = [
    "quick_add",
    "activity_done",
    "opportunity_create",
    "opportunity_move",
    "opportunity_reassign",
    "account_create",
    "account_edit",
    "feedback_create",
]


def expected_page_status(op: str, role: str, which: str) -> int | str:
    if role == "anonymous":
        return "login"
    if role == "nobody":  # sees no record at all
        return 404 if op in ("activity_done", "opportunity_move", "opportunity_reassign", "account_edit") else 403
    if op == "quick_add":  # logs an activity for the user's own rep
        return 302 if role == "rep" else 403
    if op == "opportunity_create" and role == "manager":
        return 403  # managers do not log their reps' deals (the API says the same)
    if op in ("opportunity_create", "account_create"):
        if which == "other" and role == "rep":
            return 302  # a rep is offered no owner to choose: the record is theirs (checked below)
        if which == "other" and role == "manager":
            return 200  # the other team's rep is not a choice: the form again, with the error
        return 302
    visible = role == "admin" or which == "own"
    if not visible:
        return 404
    if op == "feedback_create":
        return 302  # credited to the rep, or (manager, admin) the account's owner
    if op == "opportunity_reassign":
        return 302  # the owner edits (a rep is offered no owner: checked below); the manager reassigns
    return 403 if role == "manager" else 302


def _page_call(client, world: World, op: str, which: str) -> Any:
    from django.urls import reverse

    key = "rep" if which == "own" else "other_rep"
    owner = world.rep_named(key)
    opportunity, activity, account = world.opportunities[key], world.activities[key], world.accounts[key]
    if op == "quick_add":
        return client.post(reverse("activity_quick_add"), {"kind": "call", "status": "planned", "date": "2025-03-04"})
    if op == "activity_done":
        return client.post(reverse("activity_done", args=[activity.pk]))
    if op == "opportunity_create":
        return client.post(reverse("opportunity_create"), {"name": "New deal", "amount": "10", "owner": owner.pk})
    if op == "opportunity_move":
        won = world.pipeline.stages.get(kind="won")
        return client.post(reverse("opportunity_move", args=[opportunity.pk]), {"stage": won.pk})
    if op == "opportunity_reassign":
        data = {"name": opportunity.name, "amount": "1000.00", "owner": world.teammate.pk}
        return client.post(reverse("opportunity_edit", args=[opportunity.pk]), data)
    if op == "account_create":
        return client.post(reverse("account_create"), {"name": "New account", "owner": owner.pk})
    if op == "account_edit":
        return client.post(reverse("account_edit", args=[account.pk]), {"name": "Renamed", "owner": owner.pk})
    if op == "feedback_create":
        return client.post(reverse("feedback_create", args=[account.pk]), {"date": "2025-03-04", "score": "4"})
    raise AssertionError(op)  # pragma: no cover


@pytest.mark.parametrize(("role", "which"), [(role, which) for role in ROLES for which in WHICH])
def test_page_permission_matrix(client, world, role, which):
    user = _user(world, role)
    if user is not None:
        client.force_login(user)
    wrong: list[str] = []
    for op in PAGE_OPS:
        savepoint = transaction.savepoint()
        response = _page_call(client, world, op, which)
        expected = expected_page_status(op, role, which)
        got: int | str = response.status_code
        if got == 302 and "/login/" in response["Location"]:
            got = "login"
        if got == 400 and expected == 200:
            got = 200  # some forms answer their errors with 400
        if got != expected:
            wrong.append(f"{op}: {got} (expected {expected})")
        elif op == "opportunity_reassign" and expected == 302:
            owner = Opportunity.objects.get(pk=world.opportunities["rep" if which == "own" else "other_rep"].pk).owner
            if (owner == world.teammate) is (role == "rep"):
                wrong.append(f"{op}: the owner is {owner} after a {role}'s edit")
        elif role == "rep" and op in ("opportunity_create", "account_create"):
            model = Opportunity if op == "opportunity_create" else Account
            if model.objects.filter(name__startswith="New ").exclude(owner=world.rep).exists():
                wrong.append(f"{op}: a rep created a record for someone else")
        transaction.savepoint_rollback(savepoint)
    assert not wrong, "\n".join(wrong)


# --- quotas and weekly activity targets -----------------------------------------------------
# Admins write; managers read their teams' (and write them only with
# SALESPERF_MANAGERS_EDIT_QUOTAS on: the "editor" role); reps read their own.

QUOTA_ENDPOINTS = ["quotas", "activity-targets"]
QUOTA_ROLES = ["rep", "manager", "editor", "admin", "nobody", "anonymous"]
QUOTA_OPS = {
    "quotas": ["list", "retrieve", "create", "update", "delete", "bulk"],
    "activity-targets": ["list", "retrieve", "create", "update", "delete"],
}


def expected_quota_status(op: str, role: str, which: str) -> int:
    if role in ("anonymous", "nobody"):
        return 403
    if op == "list":
        return 200
    writes = role == "admin" or (role == "editor" and which == "own")
    if op in ("create", "bulk"):
        if role in ("rep", "manager"):
            return 403
        if not writes:
            return 400  # a rep of another team: refused on the row's field
        return 201 if op == "create" else 200
    if role != "admin" and which == "other":
        return 404
    if op == "retrieve":
        return 200
    if role in ("rep", "manager"):
        return 403
    return 204 if op == "delete" else 200


# --- deal reviews, recognitions, account plans, stage tips --------------------------------------
# The same matrix for the coaching records of issue 14: only the rep's managers (and admins)
# write them; the rep reads their own; stage tips are read by everyone and written by admins.

COACHING_RECORDS = ["deal-reviews", "recognitions", "account-plans"]
COACHING_OPS = ["list", "retrieve", "create", "update", "delete"]
COACHING_UPDATES = {
    "deal-reviews": {"missing": "The budget"},
    "recognitions": {"text": "Even better"},
    "account-plans": {"goal": "Renew for three years"},
    "stage-tips": {"tip": "Ask about the pain first"},
}


def _coaching_records(world: World) -> dict[str, dict[str, Any]]:
    from coaching import services as coaching_services

    records: dict[str, dict[str, Any]] = {name: {} for name in COACHING_RECORDS}
    for which, key in (("own", "rep"), ("other", "other_rep")):
        rep = world.rep_named(key)
        manager = rep.team.manager
        records["deal-reviews"][which] = coaching_services.deal_review_record(
            opportunity=world.opportunities[key], reviewed_by=manager, in_control="partly", private_notes="Secret"
        )
        records["recognitions"][which] = coaching_services.recognition_give(rep=rep, given_by=manager, text="Well done")
        records["account-plans"][which] = coaching_services.account_plan_create(
            account=world.accounts[key], created_by=manager, goal="Renew"
        )
    stages = list(world.pipeline.stages.all())
    records["stage-tips"] = {"own": coaching_services.stage_tip_save(stage=stages[0], tip="Qualify"), "stage": stages[1]}
    return records


def _coaching_payload(world: World, endpoint: str, which: str, records: dict[str, Any]) -> dict[str, Any]:
    key = "rep" if which == "own" else "other_rep"
    return {
        "deal-reviews": {"opportunity": world.opportunities[key].pk, "in_control": "yes"},
        "recognitions": {"rep": world.rep_named(key).pk, "text": "Great quarter"},
        "account-plans": {"account": world.accounts[key].pk, "goal": "Grow"},
        "stage-tips": {"stage": records["stage-tips"]["stage"].pk, "tip": "Present in person"},
    }[endpoint]


def expected_coaching_status(endpoint: str, op: str, role: str, which: str) -> int:
    if role in ("anonymous", "nobody"):
        return 403
    if endpoint == "stage-tips":
        if op in ("list", "retrieve"):
            return 200
        if role != "admin":
            return 403
        return {"create": 201, "update": 200, "delete": 204}[op]
    if op == "list":
        return 200
    if op == "create":
        if role == "rep":
            return 403
        if role == "manager" and which == "other":
            return 400  # the other team's rep, deal or account is not one the manager may use
        return 201
    visible = role == "admin" or which == "own"
    if not visible:
        return 404
    if op == "retrieve":
        return 200
    if role == "rep":
        return 403
    return 204 if op == "delete" else 200


def _quota_records(world: World) -> dict[str, dict[str, Any]]:
    from kpis.models import ActivityTarget, Quota

    start, end = dt.date(2026, 1, 1), dt.date(2026, 1, 31)
    return {
        "quotas": {
            key: Quota.objects.create(rep=world.rep_named(key), start_date=start, end_date=end, target=1000)
            for key in ("rep", "other_rep")
        },
        "activity-targets": {
            key: ActivityTarget.objects.create(rep=world.rep_named(key), kind="call", per_week=10, start_date=start)
            for key in ("rep", "other_rep")
        },
    }


def _quota_call(api, world: World, endpoint: str, op: str, which: str, record: Any) -> Any:
    owner = world.rep if which == "own" else world.other_rep
    base = f"/api/v1/{endpoint}/"
    new = (
        {"rep": owner.pk, "metric": "won_revenue", "start": "2026-03-01", "end": "2026-03-31", "target": "500.00"}
        if endpoint == "quotas"
        else {"rep": owner.pk, "kind": "email", "start": "2026-03-02", "per_week": 20}
    )
    if op == "list":
        return api.get(base, {"page_size": 200})
    if op == "retrieve":
        return api.get(f"{base}{record.pk}/")
    if op == "create":
        return api.post(base, new, format="json")
    if op == "update":
        return api.patch(
            f"{base}{record.pk}/", {"target": "1500.00"} if endpoint == "quotas" else {"per_week": 12}, format="json"
        )
    if op == "delete":
        return api.delete(f"{base}{record.pk}/")
    if op == "bulk":
        return api.post(f"{base}bulk/", [new], format="json")
    raise AssertionError(op)  # pragma: no cover


QUOTA_CASES = [(endpoint, role, which) for endpoint in QUOTA_ENDPOINTS for role in QUOTA_ROLES for which in WHICH]


@pytest.mark.parametrize(("endpoint", "role", "which"), QUOTA_CASES)
def test_quota_permission_matrix(api, world, settings, endpoint, role, which):
    settings.SALESPERF_MANAGERS_EDIT_QUOTAS = role == "editor"
    record = _quota_records(world)[endpoint]["rep" if which == "own" else "other_rep"]
    user = _user(world, "manager" if role == "editor" else role)
    if user is not None:
        api.force_authenticate(user)
    wrong: list[str] = []
    for op in QUOTA_OPS[endpoint]:
        savepoint = transaction.savepoint()
        response = _quota_call(api, world, endpoint, op, which, record)
        expected = expected_quota_status(op, role, which)
        if response.status_code != expected:
            wrong.append(f"{op}: {response.status_code} (expected {expected}) {response.content[:200]!r}")
        elif op == "list" and expected == 200:
            ids = {row["id"] for row in response.json()["results"]}
            if (record.pk in ids) is not (role == "admin" or which == "own"):
                wrong.append(f"list: the record is {'missing' if record.pk not in ids else 'listed'}")
        transaction.savepoint_rollback(savepoint)
    assert not wrong, "\n".join(wrong)


COACHING_CASES = [
    (endpoint, role, which)
    for endpoint in [*COACHING_RECORDS, "stage-tips"]
    for role in ROLES
    for which in (["own"] if endpoint == "stage-tips" else WHICH)
]


@pytest.mark.parametrize(("endpoint", "role", "which"), COACHING_CASES)
def test_coaching_records_permission_matrix(api, world, endpoint, role, which):
    records = _coaching_records(world)
    user = _user(world, role)
    if user is not None:
        api.force_authenticate(user)
    target = records[endpoint][which]
    base = f"/api/v1/{endpoint}/"
    detail = f"{base}{target.pk}/"
    wrong: list[str] = []
    for op in COACHING_OPS:
        savepoint = transaction.savepoint()
        if op == "list":
            response = api.get(base, {"page_size": 200})
        elif op == "retrieve":
            response = api.get(detail)
        elif op == "create":
            response = api.post(base, _coaching_payload(world, endpoint, which, records), format="json")
        elif op == "update":
            response = api.patch(detail, COACHING_UPDATES[endpoint], format="json")
        else:
            response = api.delete(detail)
        expected = expected_coaching_status(endpoint, op, role, which)
        if response.status_code != expected:
            wrong.append(f"{op}: {response.status_code} (expected {expected}) {response.content[:200]!r}")
        elif op in ("list", "retrieve") and expected == 200:
            rows = response.json()["results"] if op == "list" else [response.json()]
            if op == "list":
                sees = endpoint == "stage-tips" or role == "admin" or which == "own"
                if (target.pk in {row["id"] for row in rows}) is not sees:
                    wrong.append(f"list: the record is {'missing' if sees else 'listed'}")
            if endpoint == "deal-reviews" and any(("private_notes" in row) is (role == "rep") for row in rows):
                wrong.append(f"{op}: private notes {'shown to' if role == 'rep' else 'missing for'} {role}")
        transaction.savepoint_rollback(savepoint)
    assert not wrong, "\n".join(wrong)


# --- forecasts and growth by segment (issue 17) -----------------------------------------------

FORECAST_OPS = ["list", "submit_rep", "submit_team", "history_rep", "history_team", "segments_team", "segments_rep"]
MONTH = {"period_kind": "month", "period_start": "2026-11-01"}


def _forecast_call(api, world: World, op: str, which: str) -> Any:
    rep = world.rep if which == "own" else world.other_rep
    team = world.team if which == "own" else world.other_team
    call = {**MONTH, "commit": "100.00", "best_case": "150.00"}
    quarter = {"start": "2026-07-01", "end": "2026-09-30", "by": "segment"}
    return {
        "list": lambda: api.get("/api/v1/forecasts/"),
        "submit_rep": lambda: api.post("/api/v1/forecasts/", {**call, "rep": rep.pk}, format="json"),
        "submit_team": lambda: api.post("/api/v1/forecasts/", {**call, "team": team.pk}, format="json"),
        "history_rep": lambda: api.get("/api/v1/forecasts/history/", {**MONTH, "rep": rep.pk}),
        "history_team": lambda: api.get("/api/v1/forecasts/history/", {**MONTH, "team": team.pk}),
        "segments_team": lambda: api.get("/api/v1/kpis/segments/", {**quarter, "team": team.pk}),
        "segments_rep": lambda: api.get("/api/v1/kpis/segments/", {**quarter, "rep": rep.pk}),
    }[op]()


def expected_forecast_status(op: str, role: str, which: str) -> int:
    if role == "anonymous" or (role == "nobody" and not op.startswith("segments")):
        return 403  # no sales role
    own = which == "own"
    if op == "list":
        return 200
    if op == "submit_rep":  # a rep calls their own number; admins may call any
        return {"rep": 201 if own else 400, "manager": 403 if own else 400, "admin": 201}[role]
    if op == "submit_team":  # a team's manager calls the team's
        return {"rep": 400, "manager": 201 if own else 400, "admin": 201}[role]
    if op == "history_rep":
        return 200 if role == "admin" or own else 404
    if op == "history_team":
        return 200 if role == "admin" or (role == "manager" and own) else 404
    if op == "segments_team":
        return 200 if role == "admin" or (role == "manager" and own) else 403
    if op == "segments_rep":
        return 200 if role == "admin" or (role in ("rep", "manager") and own) else 403
    raise AssertionError(op)  # pragma: no cover


@pytest.mark.parametrize(("role", "which"), [(role, which) for role in ROLES for which in WHICH])
def test_forecast_and_segment_permission_matrix(api, world, role, which):
    user = _user(world, role)
    if user is not None:
        api.force_authenticate(user)
    wrong = []
    for op in FORECAST_OPS:
        savepoint = transaction.savepoint()
        response = _forecast_call(api, world, op, which)
        expected = expected_forecast_status(op, role, which)
        if response.status_code != expected:
            wrong.append(f"{op}: {response.status_code} (expected {expected}) {response.content[:160]!r}")
        transaction.savepoint_rollback(savepoint)
    assert not wrong, "\n".join(wrong)


# --- admin-only reads: the audit trail, page and API ------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_only_admins_read_the_audit_trail(api, client, world, role):
    user = _user(world, role)
    if user is not None:
        api.force_authenticate(user)
        client.force_login(user)
    page = client.get("/audit/")
    expected_page = {"anonymous": 302, "admin": 200}.get(role, 403)
    assert page.status_code == expected_page
    if role == "anonymous":
        assert page["Location"].startswith("/login/")
    assert api.get("/api/v1/audit/").status_code == (200 if role == "admin" else 403)
