"""Teams, reps and pipelines are read-only; token and session authentication both work."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_pipelines_list_their_stages_in_order(api, world):
    api.force_authenticate(world.rep.user)
    body = api.get("/api/v1/pipelines/").json()
    assert [stage["name"] for stage in body["results"][0]["stages"]] == [
        "Prospecting",
        "Discovery",
        "Proposal",
        "Negotiation",
        "Won",
        "Lost",
    ]


def test_a_manager_lists_their_team_and_its_reps(api, world):
    api.force_authenticate(world.manager)
    teams = api.get("/api/v1/teams/").json()["results"]
    assert [team["name"] for team in teams] == ["Team A"]
    reps = api.get("/api/v1/reps/", {"team": world.team.pk}).json()["results"]
    assert {rep["id"] for rep in reps} == {world.rep.pk, world.teammate.pk}


def test_read_only_endpoints_refuse_writes(api, world):
    api.force_authenticate(world.admin)
    assert api.patch(f"/api/v1/teams/{world.team.pk}/", {"name": "X"}, format="json").status_code == 405
    assert api.delete(f"/api/v1/reps/{world.rep.pk}/").status_code == 405


def test_a_token_from_the_token_endpoint_authenticates(api, world):
    world.rep.user.set_password("pw-123456")
    world.rep.user.save()
    response = api.post("/api/v1/auth/token/", {"username": world.rep.user.username, "password": "pw-123456"})
    assert response.status_code == 200
    api.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert api.get("/api/v1/reps/").json()["results"][0]["id"] == world.rep.pk


def test_a_bad_token_is_refused(api, world):
    api.credentials(HTTP_AUTHORIZATION="Token nope")
    assert api.get("/api/v1/reps/").status_code in (401, 403)


def test_a_session_authenticates(client, world):
    client.force_login(world.rep.user)
    assert client.get("/api/v1/activities/").status_code == 200


def test_the_schema_and_docs_are_served_locally(client, world):
    client.force_login(world.rep.user)
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in docs
    assert "cdn" not in docs.lower()
