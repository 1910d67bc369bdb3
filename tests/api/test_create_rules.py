"""One rule per creation, the same on the API and the pages (reps/rules.py)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reps import services
from reps.models import CustomerFeedback, Opportunity
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _colleagues_account_the_rep_works_on(world):
    account = world.accounts["teammate"]
    services.opportunity_create(owner=world.rep, name="Rita's deal on Tom's account", account=account)
    return account


def test_a_rep_filing_feedback_with_no_rep_is_credited_not_the_accounts_owner(api, world):
    account = _colleagues_account_the_rep_works_on(world)
    api.force_authenticate(world.rep.user)
    response = api.post("/api/v1/feedback/", {"account": account.pk, "score": 2, "rep": None}, format="json")
    assert response.status_code == 201, response.content
    assert CustomerFeedback.objects.get(pk=response.json()["id"]).rep == world.rep
    assert response.json()["rep"] == world.rep.pk


def test_a_rep_cannot_credit_feedback_to_a_colleague(api, world):
    account = _colleagues_account_the_rep_works_on(world)
    api.force_authenticate(world.rep.user)
    response = api.post("/api/v1/feedback/", {"account": account.pk, "score": 2, "rep": world.teammate.pk}, format="json")
    assert response.status_code in (400, 403)  # the colleague is not a rep the user may use
    assert not CustomerFeedback.objects.filter(account=account, score=2).exists()


def test_the_feedback_page_credits_the_rep_too(client, world):
    account = _colleagues_account_the_rep_works_on(world)
    client.login(username=world.rep.user.username, password=PASSWORD)
    response = client.post(reverse("feedback_create", args=[account.pk]), {"date": "2025-03-04", "score": "2"})
    assert response.status_code == 302
    assert CustomerFeedback.objects.get(account=account, score=2).rep == world.rep


def test_a_manager_files_feedback_credited_to_the_accounts_owner_in_their_team(api, world):
    api.force_authenticate(world.manager)
    response = api.post("/api/v1/feedback/", {"account": world.accounts["teammate"].pk, "score": 3}, format="json")
    assert response.status_code == 201
    assert response.json()["rep"] == world.teammate.pk


@pytest.mark.parametrize("path", ["api", "page"])
def test_a_manager_creates_no_deal_for_their_reps_on_any_path(api, client, world, path):
    before = Opportunity.objects.count()
    if path == "api":
        api.force_authenticate(world.manager)
        response = api.post("/api/v1/opportunities/", {"name": "X", "owner": world.rep.pk, "amount": "1"}, format="json")
    else:
        client.login(username=world.manager.username, password=PASSWORD)
        response = client.post(reverse("opportunity_create"), {"name": "X", "owner": world.rep.pk, "amount": "1"})
    assert response.status_code == 403
    assert Opportunity.objects.count() == before


def test_the_services_apply_the_rule_to_every_caller(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.opportunity_create(owner=world.rep, name="X", by_user=world.manager)
    with pytest.raises(PermissionDenied):
        services.activity_create(
            owner=world.rep, kind="call", planned_date=world.activities["rep"].planned_date, by_user=world.teammate.user
        )
    with pytest.raises(PermissionDenied):
        services.feedback_create(account=world.accounts["other_rep"], score=3, by_user=world.rep.user)
    assert services.opportunity_create(owner=world.rep, name="X", by_user=world.admin).owner == world.rep
