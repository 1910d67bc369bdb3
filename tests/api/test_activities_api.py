"""The activities endpoint: CRUD, filters and bad input."""

from __future__ import annotations

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db

URL = "/api/v1/activities/"


def test_a_rep_logs_a_done_call_in_one_request(api, world):
    api.force_authenticate(world.rep.user)
    deal = world.opportunities["rep"]
    response = api.post(URL, {"kind": "call", "status": "done", "opportunity": deal.pk, "subject": "Intro"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["owner"] == world.rep.pk
    assert body["done_at"] is not None
    assert body["account"] == deal.account_id  # taken from the deal


def test_it_reads_updates_and_deletes(api, world):
    api.force_authenticate(world.rep.user)
    activity = world.activities["rep"]
    assert api.get(f"{URL}{activity.pk}/").json()["subject"] == "Call of rep"
    response = api.patch(f"{URL}{activity.pk}/", {"status": "done"}, format="json")
    assert response.status_code == 200
    assert response.json()["done_at"] is not None
    assert api.delete(f"{URL}{activity.pk}/").status_code == 204
    assert api.get(f"{URL}{activity.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"kind": "lunch", "status": "done"}, "kind"),
        ({"kind": "call", "status": "maybe", "planned_date": "2030-01-01"}, "status"),
        ({"kind": "call", "status": "planned"}, "planned_date"),
        ({"kind": "call", "status": "planned", "planned_date": "tomorrow"}, "planned_date"),
        ({"kind": "call", "status": "done", "done_at": "yesterday"}, "done_at"),
        ({"status": "done"}, "kind"),
    ],
)
def test_bad_input_answers_with_the_field(api, world, payload, field):
    api.force_authenticate(world.rep.user)
    response = api.post(URL, payload, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_another_reps_deal_cannot_be_linked(api, world):
    api.force_authenticate(world.rep.user)
    payload = {"kind": "call", "status": "done", "opportunity": world.opportunities["other_rep"].pk}
    response = api.post(URL, payload, format="json")
    assert response.status_code == 400
    assert "opportunity" in response.json()


def test_it_filters_by_kind_status_and_dates(api, world):
    api.force_authenticate(world.rep.user)
    api.post(URL, {"kind": "email", "status": "done"}, format="json")
    today = timezone.localdate().isoformat()

    def subjects(**params):
        return sorted(row["kind"] for row in api.get(URL, params).json()["results"])

    assert subjects() == ["call", "email"]
    assert subjects(kind="email") == ["email"]
    assert subjects(status="planned") == ["call"]
    assert subjects(planned_after=today) == ["call"]
    assert subjects(done_after=today) == ["email"]
    assert api.get(URL, {"kind": "lunch"}).status_code == 400


def test_it_filters_by_related_ids_and_an_id_out_of_range_is_a_field_error(api, world):
    api.force_authenticate(world.rep.user)
    mine = api.get(URL, {"account": world.accounts["rep"].pk}).json()["results"]
    assert [row["id"] for row in mine] == [world.activities["rep"].pk]
    assert api.get(URL, {"account": world.accounts["other_rep"].pk}).json()["results"] == []  # not visible: nothing
    response = api.get(URL, {"opportunity": 10**30})
    assert response.status_code == 400
    assert "opportunity" in response.json()


def test_the_fast_rendering_equals_drf_field_by_field_rendering(world):
    from rest_framework import serializers as drf

    from reps.api.serializers import ActivitySerializer
    from reps.models import Activity

    services_done = world.activities["rep"]
    services_done.status, services_done.done_at = "done", timezone.now()
    rows = [services_done, world.activities["other_rep"], *Activity.objects.all()]
    fast = ActivitySerializer(rows, many=True).data
    generic = [drf.ModelSerializer.to_representation(ActivitySerializer(), row) for row in rows]
    assert [dict(row) for row in fast] == [dict(row) for row in generic]
    assert fast[0]["done_at"] and fast[0]["planned_date"]
