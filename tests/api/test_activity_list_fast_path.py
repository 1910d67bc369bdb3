"""The activity list's fast path (issue 18, item 4) answers exactly what DRF's generic list did.

The list reads its page as column tuples with the count in the same query, renders the rows
without a serializer instance and writes the JSON with orjson; every byte must stay the same
as DRF's ListModelMixin with the serializer, Django's paginator and DRF's JSON renderer.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.core.paginator import EmptyPage, InvalidPage, Paginator
from django.test import override_settings
from django.utils import timezone
from django.utils.translation import gettext_lazy
from rest_framework import mixins
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import ErrorDetail
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.test import APIRequestFactory, force_authenticate

from reps import services
from reps.api import serializers
from reps.api.views import ActivityViewSet, Pagination
from reps.models import Activity
from reps.selectors import ACTIVITY_ROW_COLUMNS
from salesperf.api import CountInPagePaginator, FastJSONRenderer

pytestmark = pytest.mark.django_db

URL = "/api/v1/activities/"


class GenericActivityViewSet(ActivityViewSet):
    """The activity list as DRF builds it: filters, paginator, serializer and renderer."""

    pagination_class = Pagination
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer]
    list = mixins.ListModelMixin.list


def _generic(user, params=None):
    request = APIRequestFactory().get(URL, params or {})
    force_authenticate(request, user=user)
    response = GenericActivityViewSet.as_view({"get": "list"})(request)
    response.render()
    return response


@pytest.fixture
def many(world):
    """60 more activities of the rep: done and planned, with and without account or deal,
    times with microseconds, text beyond ASCII and the two characters JSON escapes for JS."""
    deal, account = world.opportunities["rep"], world.accounts["rep"]
    now = timezone.now().replace(microsecond=123456)
    for n in range(60):
        done = n % 3 == 0
        services.activity_create(
            owner=world.rep,
            kind=["call", "email", "task"][n % 3],
            status="done" if done else "planned",
            done_at=now - dt.timedelta(hours=n) if done else None,
            planned_date=None if done else dt.date.today() + dt.timedelta(days=n),
            subject=f"Réunion n°{n} \u2028 line \u2029 para",
            notes='ünïcödé – “quoted” \\ "escaped"\n' if n % 2 else "",
            account=account if n % 4 == 0 else None,
            opportunity=deal if n % 5 == 0 else None,
        )
    return world


@pytest.mark.parametrize("who", ["rep", "manager", "admin"])
@pytest.mark.parametrize("page", [None, "1", "2", "3", "last", "0", "-1", "abc", "1.0", "99"])
def test_the_list_answers_byte_for_byte_as_drfs_generic_list(api, many, who, page):
    user = {"rep": many.rep.user, "manager": many.manager, "admin": many.admin}[who]
    params = {} if page is None else {"page": page}
    expected = _generic(user, params)
    api.force_authenticate(user)
    got = api.get(URL, params)
    assert got.status_code == expected.status_code
    assert got.content == expected.content
    assert got["Content-Type"] == expected["Content-Type"]


@pytest.mark.parametrize("params", [{"ordering": "-id"}, {"kind": "call"}, {"page_size": "7", "page": "2"}])
def test_filtered_lists_take_drfs_way_and_still_answer_the_same(api, many, params):
    api.force_authenticate(many.rep.user)
    assert api.get(URL, params).content == _generic(many.rep.user, params).content


def test_the_fast_rows_equal_the_serializers_output(many):
    rows = Activity.objects.order_by("-id")
    values = rows.values_list(*ACTIVITY_ROW_COLUMNS)
    assert serializers.activity_rows_data(values) == [dict(row) for row in serializers.ActivitySerializer(rows, many=True).data]


@override_settings(TIME_ZONE="Europe/Budapest")
def test_the_fast_rows_give_times_in_the_current_time_zone_as_the_serializer_does(many):
    timezone.activate("Asia/Tehran")
    try:
        rows = Activity.objects.filter(status="done").order_by("-id")
        fast = serializers.activity_rows_data(rows.values_list(*ACTIVITY_ROW_COLUMNS))
        assert fast == [dict(row) for row in serializers.ActivitySerializer(rows, many=True).data]
        assert fast[0]["done_at"].endswith("+03:30")
    finally:
        timezone.deactivate()


def test_the_browsable_api_still_shows_the_list(client, many):
    client.force_login(many.rep.user)
    response = client.get(URL, HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert "Réunion n°59" in response.content.decode()


def test_a_reps_list_takes_three_queries_token_role_and_page(api, many, django_assert_num_queries):
    # Before issue 18 item 4: five (token and user, managed teams, rep profile, count, page).
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=many.rep.user).key}")
    with django_assert_num_queries(3):
        response = api.get(URL)
    assert response.json()["count"] == 61
    with django_assert_num_queries(3):
        assert len(api.get(URL, {"page": 2}).json()["results"]) == 11


def test_a_reps_post_makes_no_query_beyond_its_writes(api, world, django_assert_num_queries):
    # Before: 20 (the check constraints each a SELECT in a savepoint, the owner looked up
    # again, the rep profile and the teams apart). Now: token, role, then in the transaction
    # (a savepoint in this test) the activity and the outbox row.
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=world.rep.user).key}")
    with django_assert_num_queries(6):
        response = api.post(URL, {"kind": "call", "status": "done", "subject": "Load test call"}, format="json")
    assert response.status_code == 201, response.content


@pytest.mark.parametrize("orphans", [0, 3])
@pytest.mark.parametrize("size", [0, 1, 10, 11, 23])
def test_the_paginator_with_the_count_in_the_page_query_pages_as_djangos(world, size, orphans):
    for n in range(size):
        services.activity_create(owner=world.teammate, kind="email", status="done", subject=f"Mail {n}")
    rows = Activity.objects.filter(owner=world.teammate, kind="email").order_by("-id")
    for number in [1, 2, 3, 4, "2", "x", 0, -1, 1.5, None]:
        for queryset in (rows, rows.values_list("id", "subject")):
            ours, django = CountInPagePaginator(queryset, 10, orphans=orphans), Paginator(queryset, 10, orphans=orphans)
            try:
                expected = django.page(number)
            except InvalidPage as exc:
                with pytest.raises(type(exc), match=str(exc)):
                    ours.page(number)
                continue
            page = ours.page(number)
            assert list(page) == list(expected)
            assert (ours.count, ours.num_pages, page.has_next()) == (django.count, django.num_pages, expected.has_next())


def test_the_paginator_reads_a_page_and_its_count_in_one_query(world, django_assert_num_queries):
    rows = Activity.objects.order_by("-id")
    paginator = CountInPagePaginator(rows, 2)
    with django_assert_num_queries(1):
        page = paginator.page(1)
        assert (paginator.count, len(page), page.has_next()) == (3, 2, True)
    with django_assert_num_queries(2), pytest.raises(EmptyPage):  # past the end: Django's count and message
        CountInPagePaginator(rows, 2).page(3)


@pytest.mark.parametrize(
    "data",
    [
        {"a": 1, "b": [True, None, "x"], "c": {"d": 'é \u2028 \u2029 \\ " </script>'}},
        {"when": dt.datetime(2026, 12, 1, 8, 0, 0, 123456, tzinfo=dt.UTC), "day": dt.date(2026, 1, 2)},
        {"naive": dt.datetime(2026, 12, 1, 8, 0, 0), "time": dt.time(8, 30, 0, 5000), "span": dt.timedelta(hours=1)},
        {"amount": Decimal("12.50"), "id": uuid.UUID(int=7), "lazy": gettext_lazy("Kind"), "tuple": (1, 2)},
        {"detail": ErrorDetail("No record with id 9.", code="does_not_exist"), "errors": [ErrorDetail("bad", "x")]},
        {"big": 2**70, "keys": {1: "int key"}},
        [],
        "text",
    ],
)
def test_the_fast_renderer_writes_what_drfs_renderer_writes(data):
    assert FastJSONRenderer().render(data) == JSONRenderer().render(data)
    context = {"indent": 4}
    assert FastJSONRenderer().render(data, renderer_context=context) == JSONRenderer().render(data, renderer_context=context)
    indented = "application/json; indent=2"
    assert FastJSONRenderer().render(data, indented) == JSONRenderer().render(data, indented)


def test_the_fast_renderer_writes_the_serializers_data_as_drf_does(many):
    data = serializers.ActivitySerializer(Activity.objects.all(), many=True).data
    assert FastJSONRenderer().render(data) == JSONRenderer().render(data)
    assert FastJSONRenderer().render(None) == JSONRenderer().render(None) == b""
