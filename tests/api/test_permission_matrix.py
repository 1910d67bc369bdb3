"""Who may do what through the API: every endpoint × role × own/other record, in one test.

"own" is the rep's record (for the manager: a record of their team); "other" is the record
of a rep in another team. A record the user may not see answers 404; one they see but may
not change answers 403; a related id they may not use answers 400 on its field.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

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
