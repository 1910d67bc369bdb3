"""The forecast category on the deal form, list, board and API."""

from __future__ import annotations

import pytest

from reps.models import ForecastCategory, Stage
from tests.api.world import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = make_world()
    Stage.objects.filter(name="Prospecting").update(forecast_category=ForecastCategory.PIPELINE)
    return world


def test_the_api_shows_the_stage_category_until_the_owner_sets_one(client, world):
    deal = world.opportunities["rep"]
    client.force_login(world.rep.user)
    url = f"/api/v1/opportunities/{deal.pk}/"
    body = client.get(url).json()
    assert (body["forecast_category"], body["effective_forecast_category"]) == ("", "pipeline")
    answer = client.patch(url, {"forecast_category": "commit"}, content_type="application/json")
    assert answer.status_code == 200 and answer.json()["effective_forecast_category"] == "commit"
    assert client.patch(url, {"forecast_category": "maybe"}, content_type="application/json").status_code == 400
    listed = client.get("/api/v1/opportunities/", {"forecast_category": "commit"}).json()["results"]
    assert [row["id"] for row in listed] == [deal.pk]


def test_a_manager_cannot_set_a_reps_category(client, world):
    client.force_login(world.manager)
    url = f"/api/v1/opportunities/{world.opportunities['rep'].pk}/"
    assert client.patch(url, {"forecast_category": "commit"}, content_type="application/json").status_code == 403


def test_the_form_list_and_board_carry_it(client, world):
    deal = world.opportunities["rep"]
    client.force_login(world.rep.user)
    assert b'name="forecast_category"' in client.get(f"/opportunities/{deal.pk}/edit/").content
    for url in ("/opportunities/", "/opportunities/board/"):
        page = client.get(url)
        assert page.status_code == 200 and b"Pipeline" in page.content, url
