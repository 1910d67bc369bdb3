"""Bad input to the API gets a clear 4xx with a JSON body, never a 500 or an HTML page."""

from __future__ import annotations

import pytest

from reps.models import Activity
from tests.factories import PASSWORD, RepFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rep_client(client):
    rep = RepFactory()
    client.login(username=rep.user.username, password=PASSWORD)
    return client


@pytest.mark.parametrize("depth", [40, 100_000])
def test_deeply_nested_json_is_a_400_with_a_json_body(rep_client, depth):
    body = '{"kind": "call", "notes": ' + "[" * depth + "]" * depth + "}"
    response = rep_client.post("/api/v1/activities/", body, content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "nested" in response.json()["detail"]
    assert not Activity.objects.exists()


def test_an_oversized_json_body_is_a_413_with_a_json_body(rep_client, settings):
    body = '{"kind": "call", "status": "planned", "planned_date": "2025-03-04", "notes": "' + "x" * 3_000_000 + '"}'
    response = rep_client.post("/api/v1/activities/", body, content_type="application/json")
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert "too large" in response.json()["detail"]
    assert not Activity.objects.exists()


def test_broken_json_is_a_400_with_a_json_body(rep_client):
    response = rep_client.post("/api/v1/activities/", '{"kind": ', content_type="application/json")
    assert response.status_code == 400 and "JSON parse error" in response.json()["detail"]
