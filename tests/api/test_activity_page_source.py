"""The activity list's page query, compiled once per access shape and reused (issue 18, item 4),
reads for every user exactly the rows (and total) of the ORM's visible activities; the activity
serializer's fields, built once and copied, are DRF's own."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from rest_framework import serializers as drf

from reps import selectors, services
from reps.access import Role, role_of
from reps.api.serializers import ActivitySerializer
from salesperf.sql import with_total
from tests.factories import RepFactory, TeamFactory

pytestmark = pytest.mark.django_db


def _fresh(user):
    return get_user_model().objects.get(pk=user.pk)  # no role cached from an earlier call


def _orm(user, offset, limit):
    return list(with_total(selectors.visible_activity_values(_fresh(user), ["-id"]))[offset : offset + limit])


def _cached(user, offset, limit):
    return selectors.ActivityPageSource(_fresh(user), ["-id"]).rows_with_total(offset, limit)


@pytest.fixture
def users(world):
    """Users of every shape, two of each so a compiled shape is reused for another user: reps,
    one-team managers, a manager of a team and its sub-team who is also a rep, admins."""
    region_boss = RepFactory(team=world.other_team, user__username="rex").user
    region = TeamFactory(name="Region", manager=region_boss)
    sub = TeamFactory(name="Sub", manager=region_boss, parent=region)
    for n, rep in enumerate([RepFactory(team=region), RepFactory(team=sub), world.teammate, world.other_rep]):
        services.activity_create(owner=rep, kind="email", status="done", subject=f"Mail {n}")
    for n in range(7):
        services.activity_create(owner=world.rep, kind="task", status="done", subject=f"Task {n}")
    other_admin = get_user_model().objects.create_user("root2", is_staff=True)
    return {
        "rep": [world.rep.user, world.teammate.user, world.other_rep.user],
        "manager": [world.manager, world.other_team.manager],
        "manager and rep, two teams": [region_boss],
        "admin": [world.admin, other_admin],
    }


def test_the_cached_page_query_reads_each_users_own_rows(world, users):
    selectors._compiled_pages.clear()
    for kind, people in users.items():
        for user in people:
            assert role_of(_fresh(user)) == (Role.MANAGER if kind.startswith("manager") else Role(kind))
            for offset, limit in [(0, 50), (0, 3), (2, 3), (5, 50), (500, 50)]:
                assert _cached(user, offset, limit) == _orm(user, offset, limit), (kind, user, offset)
            assert _cached(user, 0, 50), user  # everyone here sees some rows
    # the shapes were compiled (not the ORM fallback) and reused: one per shape, not per user
    assert len(selectors._compiled_pages) == 4 and None not in selectors._compiled_pages.values()


def test_a_rep_sees_only_their_own_rows_through_the_cached_query(world, users):
    for rep in (world.rep, world.teammate):
        rows = _cached(rep.user, 0, 200)
        assert {row[1] for row in rows} == {rep.pk}
        assert rows[0][-1] == len(rows)


def test_the_activity_serializers_fields_are_drfs_own_and_not_shared():
    first, second = ActivitySerializer(), ActivitySerializer()
    built = drf.ModelSerializer.get_fields(ActivitySerializer())  # DRF's build, no template
    assert list(first.fields) == list(built) == list(second.fields)
    for name, field in built.items():
        assert repr(first.fields[name]) == repr(field) and type(first.fields[name]) is type(field), name
        assert first.fields[name] is not second.fields[name]
        assert first.fields[name].parent is first and second.fields[name].parent is second
