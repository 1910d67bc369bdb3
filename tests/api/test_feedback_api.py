"""The customer feedback endpoint: CRUD, filters and bad input."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

URL = "/api/v1/feedback/"


def test_a_rep_records_feedback_credited_to_them(api, world):
    api.force_authenticate(world.rep.user)
    payload = {"account": world.accounts["rep"].pk, "score": 2, "is_complaint": True, "text": "Late delivery"}
    response = api.post(URL, payload, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["rep"] == world.rep.pk


def test_a_complaint_needs_no_score(api, world):
    api.force_authenticate(world.rep.user)
    response = api.post(URL, {"account": world.accounts["rep"].pk, "is_complaint": True}, format="json")
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"score": 6}, "score"),
        ({"score": 0}, "score"),
        ({"score": "great"}, "score"),
        ({}, "score"),  # neither a score nor a complaint
        ({"score": 3, "date": "2026-13-01"}, "date"),
    ],
)
def test_bad_input_answers_with_the_field(api, world, payload, field):
    api.force_authenticate(world.rep.user)
    response = api.post(URL, {"account": world.accounts["rep"].pk, **payload}, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_it_reads_updates_and_deletes(api, world):
    api.force_authenticate(world.rep.user)
    entry = world.feedback["rep"]
    assert api.get(f"{URL}{entry.pk}/").json()["score"] == 4
    response = api.patch(f"{URL}{entry.pk}/", {"score": 5}, format="json")
    assert response.status_code == 200
    assert response.json()["score"] == 5
    response = api.patch(f"{URL}{entry.pk}/", {"score": None, "is_complaint": False}, format="json")
    assert response.status_code == 400
    assert "score" in response.json()
    assert api.delete(f"{URL}{entry.pk}/").status_code == 204


def test_it_filters_by_account_and_complaint(api, world):
    api.force_authenticate(world.admin)
    api.post(URL, {"account": world.accounts["other_rep"].pk, "is_complaint": True}, format="json")
    complaints = api.get(URL, {"is_complaint": "true"}).json()["results"]
    assert [row["account"] for row in complaints] == [world.accounts["other_rep"].pk]
    by_account = api.get(URL, {"account": world.accounts["rep"].pk}).json()["results"]
    assert [row["id"] for row in by_account] == [world.feedback["rep"].pk]
