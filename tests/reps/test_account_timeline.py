"""An account's activity timeline is paged, newest first, at a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reps import services

pytestmark = pytest.mark.django_db


def _log(world, count: int, start: int = 0) -> None:
    account = world.accounts["rep"]
    for n in range(start, start + count):
        day = dt.date(2026, 1, 1) + dt.timedelta(days=n)
        services.activity_create(owner=world.rep, kind="call", planned_date=day, account=account, subject=f"Call {n:02d}")


def test_the_timeline_is_paged_newest_first(client, world):
    _log(world, 23)  # and the world's own call, planned today
    client.force_login(world.rep.user)
    url = reverse("account_detail", args=[world.accounts["rep"].pk])
    first = client.get(url)
    subjects = [a.subject for a in first.context["timeline"].object_list]
    assert len(subjects) == 20 and subjects[:2] == ["Call of rep", "Call 22"]
    page = first.content.decode()
    assert "Page 1 of 2" in page and 'href="?timeline_page=2#timeline"' in page
    second = client.get(url, {"timeline_page": 2})
    assert [a.subject for a in second.context["timeline"].object_list] == ["Call 03", "Call 02", "Call 01", "Call 00"]
    assert client.get(url, {"timeline_page": "x"}).context["timeline"].number == 1  # bad input: the first page


def test_another_reps_account_timeline_is_not_found(client, world):
    client.force_login(world.rep.user)
    assert client.get(reverse("account_detail", args=[world.accounts["other_rep"].pk]), {"timeline_page": 2}).status_code == 404


def test_the_account_page_makes_the_same_number_of_queries_for_3_and_30_activities(client, world):
    client.force_login(world.manager)
    url = reverse("account_detail", args=[world.accounts["rep"].pk])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    _log(world, 3)
    few = queries()
    _log(world, 27, start=3)
    assert queries() == few
