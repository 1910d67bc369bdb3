"""The forecast API and page: who may submit and see which calls, and what a bad call answers."""

from __future__ import annotations

import pytest

from forecasts.models import ForecastSubmission
from tests.api.world import make_world
from tests.factories import AdminFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/forecasts/"


@pytest.fixture
def world():
    return make_world()


def call(**extra):
    return {"period_kind": "month", "period_start": "2026-12-01", "commit": "1000.00", "best_case": "1500.00", **extra}


@pytest.mark.parametrize(
    ("who", "whose", "status"),
    [
        ("rep", "rep", 201),
        ("rep", "teammate", 400),  # a rep does not see a teammate: not a rep they may name
        ("manager", "rep", 403),
        ("manager", "team", 201),
        ("manager", "other_team", 400),
        ("rep", "team", 400),
        ("admin", "other_team", 201),
        ("nobody", "rep", 403),
        ("anonymous", "rep", 403),
    ],
)
def test_who_may_submit(client, world, who, whose, status):
    users = {"rep": world.rep.user, "manager": world.manager, "admin": world.admin, "nobody": world.nobody}
    if who in users:
        client.force_login(users[who])
    owner = {
        "rep": {"rep": world.rep.pk},
        "teammate": {"rep": world.teammate.pk},
        "team": {"team": world.team.pk},
        "other_team": {"team": world.other_team.pk},
    }[whose]
    answer = client.post(URL, call(**owner), content_type="application/json")
    assert answer.status_code == status, answer.content


def test_a_rep_lists_only_their_own_calls_and_a_manager_their_teams(client, world):
    client.force_login(world.rep.user)
    assert client.post(URL, call(rep=world.rep.pk), content_type="application/json").status_code == 201
    client.force_login(world.other_rep.user)
    assert client.post(URL, call(rep=world.other_rep.pk), content_type="application/json").status_code == 201
    client.force_login(world.rep.user)
    assert [row["rep"] for row in client.get(URL).json()["results"]] == [world.rep.pk]
    client.force_login(world.manager)
    assert [row["rep"] for row in client.get(URL).json()["results"]] == [world.rep.pk]
    client.force_login(AdminFactory())
    assert len(client.get(URL).json()["results"]) == 2


def test_history_gives_the_prefill_and_each_move(client, world):
    client.force_login(world.rep.user)
    for commit in ("1000.00", "1200.00"):
        client.post(URL, call(rep=world.rep.pk, commit=commit, best_case="1500.00"), content_type="application/json")
    answer = client.get(URL + "history/", {"rep": world.rep.pk, "period_kind": "month", "period_start": "2026-12-01"})
    assert answer.status_code == 200
    moves = answer.json()["moves"]
    assert [(m["submission"]["commit"], m["commit_change"]) for m in moves] == [("1000.00", None), ("1200.00", "200.00")]
    other = client.get(URL + "history/", {"rep": world.other_rep.pk, "period_kind": "month", "period_start": "2026-12-01"})
    assert other.status_code == 404


@pytest.mark.parametrize(
    "bad",
    [
        {"period_start": "2026-12-02"},
        {"period_kind": "week"},
        {"best_case": "10.00"},
        {"commit": "-1"},
        {"period_start": "3026-12-01"},
        {"commit": "abc"},
    ],
)
def test_bad_calls_answer_400_with_the_field(client, world, bad):
    client.force_login(world.rep.user)
    answer = client.post(URL, call(rep=world.rep.pk, **bad), content_type="application/json")
    assert answer.status_code == 400
    assert set(answer.json()) & set(bad)
    assert not ForecastSubmission.objects.exists()


def test_the_page_lets_a_rep_submit_and_the_manager_roll_up(client, world):
    client.force_login(world.rep.user)
    page = client.get("/forecast/?period=month&start=2026-12-01")
    assert page.status_code == 200 and b"Submit forecast" in page.content
    answer = client.post("/forecast/?period=month&start=2026-12-01", {"commit": "800", "best_case": "900", "note": ""})
    assert answer.status_code == 302
    assert client.get(f"/forecast/?rep={world.other_rep.pk}").status_code == 404
    client.force_login(world.manager)
    page = client.get(f"/forecast/?team={world.team.pk}&period=month&start=2026-12-01")
    assert page.status_code == 200 and b"800.00" in page.content
    answer = client.post(
        f"/forecast/?team={world.team.pk}&period=month&start=2026-12-01",
        {"commit": "850", "best_case": "950", "note": "Tom adds one"},
    )
    assert answer.status_code == 302
    assert ForecastSubmission.objects.get(team=world.team).note == "Tom adds one"
    assert client.get(f"/forecast/?team={world.other_team.pk}").status_code == 403
    # A manager sees a rep's page but does not call the rep's number.
    assert client.post(f"/forecast/?rep={world.rep.pk}", {"commit": "1", "best_case": "1"}).status_code == 403
    client.force_login(world.nobody)
    assert client.get("/forecast/").status_code == 403
