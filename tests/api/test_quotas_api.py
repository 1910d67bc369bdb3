"""The quota and weekly activity target API: the rules of kpis.quotas, all-or-nothing bulk saves
with every bad row, history with the source "api", filters, and a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kpis.models import ActivityTarget, Quota

pytestmark = pytest.mark.django_db

BULK = "/api/v1/quotas/bulk/"


@pytest.fixture
def admin_api(api, world):
    api.force_authenticate(world.admin)
    return api


def row(rep, start="2026-01-01", end="2026-01-31", target="1000.00", **extra):
    return {"rep": rep.pk, "metric": "won_revenue", "start": start, "end": end, "target": target, **extra}


def test_bulk_saves_all_rows_and_keeps_history(admin_api, world):
    rows = [row(world.rep), row(world.rep, "2026-02-01", "2026-02-28"), {**row(world.rep), "rep": None, "team": world.team.pk}]
    response = admin_api.post(BULK, rows, format="json")
    assert response.status_code == 200, response.content
    assert response.json() == {"created": 3, "updated": 0, "deleted": 0, "unchanged": 0}
    assert admin_api.post(BULK, rows, format="json").json() == {"created": 0, "updated": 0, "deleted": 0, "unchanged": 3}
    record = Quota.history.first()
    assert (record.history_change_reason, record.history_user) == ("api", world.admin)


def test_bulk_with_bad_rows_lists_each_and_writes_nothing(admin_api, world):
    rows = [
        row(world.rep),
        row(world.rep, target="0"),  # also the same key as row 0
        row(world.rep, start="2026-13-01"),
        row(world.rep, "2026-01-15", "2026-02-15"),  # overlaps row 0
        row(world.other_rep, start="1850-01-01"),
        "not a quota",
    ]
    response = admin_api.post(BULK, rows, format="json")
    assert response.status_code == 400
    errors = response.json()
    assert {(e["row"], e["field"]) for e in errors} >= {(1, "target"), (2, "start"), (3, None), (4, "start"), (5, None)}
    assert all(set(e) == {"row", "field", "message"} for e in errors)
    assert not any("quota_" in e["message"] for e in errors)
    assert not Quota.objects.exists()


def test_bulk_needs_a_list(admin_api):
    response = admin_api.post(BULK, {"rep": 1}, format="json")
    assert response.status_code == 400
    assert response.json()[0]["row"] is None


def test_bulk_removes_with_a_null_target(admin_api, world):
    admin_api.post(BULK, [row(world.rep)], format="json")
    response = admin_api.post(BULK, [row(world.rep, target=None)], format="json")
    assert response.json()["deleted"] == 1 and not Quota.objects.exists()


def test_create_refuses_an_overlap_in_words(admin_api, world):
    assert admin_api.post("/api/v1/quotas/", row(world.rep), format="json").status_code == 201
    response = admin_api.post("/api/v1/quotas/", row(world.rep, "2026-01-20", "2026-03-31"), format="json")
    assert response.status_code == 400
    assert "Overlaps the Won revenue quota" in response.json()["non_field_errors"][0]


def test_create_refuses_bad_fields_in_words(admin_api, world):
    cases = [
        ({**row(world.rep), "team": world.team.pk}, "non_field_errors", "not both"),
        (row(world.rep, start="1850-01-01", end="1850-01-31"), "start", "1900"),
        (row(world.rep, end="2025-12-01"), "end", "before the start"),
        ({**row(world.rep), "metric": "activities"}, "activity_kind", "needs an activity kind"),
        (row(world.rep, target="-5"), "target", "greater than zero"),
    ]
    for payload, field, words in cases:
        response = admin_api.post("/api/v1/quotas/", payload, format="json")
        assert response.status_code == 400, payload
        assert words in " ".join(response.json()[field]), response.json()


def test_update_and_delete_keep_history(admin_api, world):
    quota_id = admin_api.post("/api/v1/quotas/", row(world.rep), format="json").json()["id"]
    response = admin_api.patch(f"/api/v1/quotas/{quota_id}/", {"target": "1500.00"}, format="json")
    assert response.status_code == 200 and response.json()["target"] == "1500.00"
    assert admin_api.delete(f"/api/v1/quotas/{quota_id}/").status_code == 204
    history = list(
        Quota.history.filter(id=quota_id).order_by("history_date").values_list("history_type", "history_change_reason")
    )
    assert history == [("+", "api"), ("~", "api"), ("-", "api")]


def test_an_open_ended_target_ends_the_one_before(admin_api, world):
    first = {"team": world.team.pk, "kind": "call", "start": "2026-01-05", "per_week": 10}
    assert admin_api.post("/api/v1/activity-targets/", first, format="json").status_code == 201
    later = {**first, "start": "2026-04-06", "per_week": 12}
    response = admin_api.post("/api/v1/activity-targets/", later, format="json")
    assert response.status_code == 201, response.content
    assert ActivityTarget.objects.get(start_date=dt.date(2026, 1, 5)).end_date == dt.date(2026, 4, 5)


def test_filters(admin_api, world):
    admin_api.post(
        BULK,
        [row(world.rep), row(world.other_rep), {**row(world.rep), "metric": "deals_won", "target": "5"}],
        format="json",
    )
    assert admin_api.get("/api/v1/quotas/", {"rep": world.rep.pk}).json()["count"] == 2
    assert admin_api.get("/api/v1/quotas/", {"metric": "deals_won"}).json()["count"] == 1
    assert admin_api.get("/api/v1/quotas/", {"ends_after": "2026-02-01"}).json()["count"] == 0


def test_lists_take_a_fixed_number_of_queries(api, world):
    for rep in (world.rep, world.teammate, world.other_rep):
        for month in (1, 2, 3):
            start = dt.date(2026, month, 1)
            Quota.objects.create(rep=rep, start_date=start, end_date=start + dt.timedelta(days=27), target=1)
            ActivityTarget.objects.create(
                rep=rep, kind="call", per_week=1, start_date=start, end_date=start + dt.timedelta(days=27)
            )
    api.force_authenticate(world.manager)
    for url in ("/api/v1/quotas/", "/api/v1/activity-targets/"):
        with CaptureQueriesContext(connection) as ctx:
            response = api.get(url)
        assert response.json()["count"] == 6  # the manager's two reps, three months each
        assert len(ctx.captured_queries) <= 4, url  # managed teams, count, page (+ the user's rep)
