"""Every page that names a rep links the name to the rep page, for those who may open it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.coaching.world import make_coaching_world

pytestmark = pytest.mark.django_db


def _link(rep) -> str:
    return f'<a href="{reverse("rep_detail", args=[rep.pk])}">Rita Rep</a>'


def test_deal_and_account_pages_link_the_owner_for_a_manager_not_for_the_rep(client, world):
    deal, account = world.opportunities["rep"], world.accounts["rep"]
    pages = [
        reverse("opportunity_detail", args=[deal.pk]),  # owner, and the timeline's call
        reverse("account_list"),
        reverse("account_detail", args=[account.pk]),  # owner line and timeline
    ]
    client.force_login(world.manager)
    for url in pages:
        assert _link(world.rep) in client.get(url).content.decode(), url
    client.force_login(world.rep.user)
    for url in pages:
        page = client.get(url).content.decode()
        assert "Rita Rep" in page and _link(world.rep) not in page, url


def test_the_coaching_page_links_each_session_s_rep():
    from django.test import Client

    world = make_coaching_world()
    client = Client()
    client.force_login(world.manager)
    page = client.get(reverse("coaching_home")).content.decode()
    recent = page[page.index('id="caption-recent"') :]
    assert _link(world.rep) in recent[: recent.index("</table>")]  # the held one-to-one's row
