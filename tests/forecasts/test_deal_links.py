"""The deals behind a call name their owner with a link to the rep page, for those who may open it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from reps import services
from tests.factories import RepFactory, TeamFactory, UserFactory, make_pipeline

pytestmark = pytest.mark.django_db


def test_the_manager_opens_the_owner_of_a_deal_behind_the_call(client):
    pipeline = make_pipeline()
    team = TeamFactory(name="Team A", manager=UserFactory(username="boss"))
    rep = RepFactory(team=team, user__first_name="Rita", user__last_name="Rep")
    stage = pipeline.stages.get(name="Negotiation")
    services.opportunity_create(
        owner=rep, name="Big deal", stage=stage, amount=Decimal("10.00"), expected_close_date=timezone.localdate()
    )
    rep_link = f'<a href="{reverse("rep_detail", args=[rep.pk])}">Rita Rep</a>'
    client.force_login(team.manager)
    assert rep_link in client.get(reverse("forecast"), {"team": team.pk}).content.decode()
    client.force_login(rep.user)
    page = client.get(reverse("forecast")).content.decode()
    assert "Big deal" in page and rep_link not in page  # a rep's own deals: their name, not a link
