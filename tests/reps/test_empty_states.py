"""Empty states tell each reader something they can do themselves."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("who", "text"),
    [
        ("rep", "Talk the deal through in your next one-to-one."),
        ("manager", "Review the deal with its rep, and ask an admin to write one for the stage."),
        ("admin", "Admins write one per stage in Admin → Stage coaching tips."),
    ],
)
def test_a_stage_without_a_coaching_tip_says_what_the_reader_can_do(client, world, who, text):
    client.force_login({"rep": world.rep.user, "manager": world.manager, "admin": world.admin}[who])
    page = client.get(reverse("opportunity_detail", args=[world.opportunities["rep"].pk])).content.decode()
    assert text in page
    if who != "admin":
        assert "Admin →" not in page
