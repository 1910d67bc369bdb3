"""The API of one-to-one cadences and of the user's coaching email settings: who may do what."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from coaching import services
from coaching.models import CoachingCadence, EmailPreference

pytestmark = pytest.mark.django_db

CADENCES = "/api/v1/coaching-cadences/"
PREFS = "/api/v1/me/email-preferences/"
ACTORS = ["rep", "teammate", "manager", "other_manager", "admin", "nobody", "anonymous"]


def user_of(cworld: Any, actor: str) -> Any:
    return {
        "rep": cworld.rep.user,
        "teammate": cworld.teammate.user,
        "manager": cworld.manager,
        "other_manager": cworld.other_rep.team.manager,
        "admin": cworld.admin,
        "nobody": cworld.nobody,
    }.get(actor)


def sees(actor: str, target: str) -> bool:
    return {
        "admin": True,
        "manager": target == "rep",
        "other_manager": target == "other_rep",
        "rep": target == "rep",
    }.get(actor, False)


def expected(op: str, actor: str, target: str) -> int:
    if actor in ("nobody", "anonymous"):
        return 403
    if op == "list":
        return 200
    if op == "create":
        if actor not in ("manager", "other_manager", "admin"):
            return 403
        return 201 if sees(actor, target) else 400
    if not sees(actor, target):
        return 404
    if op == "retrieve":
        return 200
    if actor in ("rep", "teammate"):
        return 403
    return 204 if op == "delete" else 200


@pytest.mark.parametrize("target", ["rep", "other_rep"])
@pytest.mark.parametrize("actor", ACTORS)
def test_who_may_do_what_with_cadences(cworld, actor, target):
    rep = cworld.world.rep_named(target)
    row = services.cadence_set(rep=rep, by=rep.team.manager, weekday=2, time=dt.time(10))
    fresh = cworld.teammate if target == "rep" else cworld.other_rep  # a rep without a cadence yet
    if target == "other_rep":
        fresh = None
    api = APIClient()
    user = user_of(cworld, actor)
    if user is not None:
        api.force_authenticate(user)
    calls = {
        "list": lambda: api.get(CADENCES),
        "retrieve": lambda: api.get(f"{CADENCES}{row.pk}/"),
        "update": lambda: api.patch(f"{CADENCES}{row.pk}/", {"cadence": "biweekly"}, format="json"),
        "delete": lambda: api.delete(f"{CADENCES}{row.pk}/"),
        "create": lambda: api.post(
            CADENCES, {"rep": (fresh or cworld.other_rep).pk, "cadence": "monthly", "weekday": 4, "time": "14:00"}, format="json"
        ),
    }
    wrong = []
    for op, call in calls.items():
        if op == "create" and fresh is None:
            CoachingCadence.objects.filter(rep=cworld.other_rep).delete()
        savepoint = transaction.savepoint()
        response = call()
        want = expected(op, actor, target)
        if op == "create" and target == "rep" and actor == "manager":
            want = 201  # the teammate is in the manager's team
        if response.status_code != want:
            wrong.append(f"{op}: {response.status_code} (expected {want}) {response.content[:200]!r}")
        elif op == "list" and want == 200:
            listed = row.pk in {r["id"] for r in response.json()["results"]}
            if listed is not sees(actor, target):
                wrong.append(f"list: {'listed' if listed else 'missing'}")
        transaction.savepoint_rollback(savepoint)
    assert not wrong, "\n".join(wrong)


def test_bad_cadence_input_is_a_400_naming_the_field(cworld):
    api = APIClient()
    api.force_authenticate(cworld.manager)
    for payload, field in [
        ({"rep": cworld.rep.pk, "cadence": "daily"}, "cadence"),
        ({"rep": cworld.rep.pk, "weekday": 6}, "weekday"),
        ({"rep": cworld.rep.pk, "time": "25:00"}, "time"),
        ({"rep": cworld.rep.pk, "minutes": 4}, "minutes"),
        ({"cadence": "weekly"}, "rep"),
    ]:
        response = api.post(CADENCES, payload, format="json")
        assert response.status_code == 400 and field in response.json(), (payload, response.content)
    assert api.post(CADENCES, {"rep": cworld.rep.pk}, format="json").status_code == 201
    response = api.post(CADENCES, {"rep": cworld.rep.pk}, format="json")  # one per rep
    assert response.status_code == 400 and "rep" in response.json()


@pytest.mark.parametrize(
    ("actor", "status"), [("rep", 200), ("manager", 200), ("admin", 200), ("nobody", 403), ("anonymous", 403)]
)
def test_email_preferences_are_the_users_own(cworld, actor, status):
    api = APIClient()
    user = user_of(cworld, actor)
    if user is not None:
        api.force_authenticate(user)
    response = api.get(PREFS)
    assert response.status_code == status
    if status == 200:
        assert response.json() == {"one_to_one_reminders": True, "overdue_action_reminders": True, "weekly_team_summary": True}
        response = api.patch(PREFS, {"weekly_team_summary": False}, format="json")
        assert response.status_code == 200 and response.json()["weekly_team_summary"] is False
        assert EmailPreference.objects.get(user=user).weekly_team_summary is False
        assert api.patch(PREFS, {"weekly_team_summary": "maybe"}, format="json").status_code == 400
    else:
        assert api.patch(PREFS, {"weekly_team_summary": False}, format="json").status_code == 403
