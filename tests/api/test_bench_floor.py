"""The API floor of bench/api_load.sh lives outside the app: not served, not in the schema."""

from __future__ import annotations

import pytest
from django.test import override_settings
from rest_framework.authtoken.models import Token

from reps import services

pytestmark = pytest.mark.django_db

FLOOR = "/bench/floor/activities/"


def test_the_app_does_not_serve_the_benchmark_floor(api, world):
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=world.rep.user).key}")
    assert api.get(FLOOR).status_code == 404
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").content.decode()
    assert "/api/v1/activities/" in schema and "floor" not in schema


@override_settings(ROOT_URLCONF="bench.api_floor")
def test_the_floor_returns_the_rows_of_the_lists_first_page_to_a_token_only(api, world):
    for n in range(60):  # more than a page
        services.activity_create(owner=world.rep, kind="email", status="done", subject=f"Mail {n}")
    assert api.get(FLOOR).status_code == 401
    api.credentials(HTTP_AUTHORIZATION="Token nope")
    assert api.get(FLOOR).status_code == 401
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=world.rep.user).key}")
    floor = api.get(FLOOR).json()["results"]
    listed = api.get("/api/v1/activities/").json()["results"]
    assert len(floor) == 50
    assert [row["id"] for row in floor] == [row["id"] for row in listed]
    assert [row["subject"] for row in floor] == [row["subject"] for row in listed]
