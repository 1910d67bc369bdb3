"""The accounts endpoint: CRUD, filters, ordering and bad input."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

URL = "/api/v1/accounts/"


def test_a_rep_creates_an_account_they_own(api, world):
    api.force_authenticate(world.rep.user)
    response = api.post(URL, {"name": "Nordic Foods", "segment": "SMB"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["owner"] == world.rep.pk


def test_it_reads_updates_and_deletes_an_account_without_deals(api, world):
    api.force_authenticate(world.rep.user)
    account = api.post(URL, {"name": "Short-lived"}, format="json").json()
    detail = f"{URL}{account['id']}/"
    assert api.patch(detail, {"territory": "North"}, format="json").json()["territory"] == "North"
    assert api.delete(detail).status_code == 204
    assert api.get(detail).status_code == 404


def test_an_account_with_deals_is_not_deleted(api, world):
    api.force_authenticate(world.rep.user)
    response = api.delete(f"{URL}{world.accounts['rep'].pk}/")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


@pytest.mark.parametrize(
    ("payload", "field"), [({"name": ""}, "name"), ({"name": "x" * 201}, "name"), ({"owner": "me"}, "owner")]
)
def test_bad_input_answers_with_the_field(api, world, payload, field):
    api.force_authenticate(world.rep.user)
    response = api.post(URL, {"name": "Ok", **payload}, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_it_filters_and_orders(api, world):
    api.force_authenticate(world.admin)
    names = [row["name"] for row in api.get(URL, {"q": "account of", "ordering": "-name"}).json()["results"]]
    assert names == ["Account of teammate", "Account of rep", "Account of other_rep"]
    owned = api.get(URL, {"owner": world.rep.pk}).json()["results"]
    assert [row["id"] for row in owned] == [world.accounts["rep"].pk]


def test_a_rep_sees_shared_accounts(api, world):
    api.force_authenticate(world.rep.user)
    ids = {row["id"] for row in api.get(URL).json()["results"]}
    assert ids == {world.accounts["rep"].pk, world.accounts["shared"].pk}
