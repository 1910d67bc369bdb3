"""Row-level rules (reps/access.py): who sees which reps, teams and records."""

import pytest

from reps import access
from reps.models import Activity
from tests.factories import RepFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_rep_sees_only_themselves(rep, other_rep):
    assert list(access.visible_reps(rep.user)) == [rep]
    assert access.role_of(rep.user) == access.Role.REP


def test_manager_sees_their_team_and_sub_teams_but_not_others(db):
    region_manager = UserFactory(username="regional")
    region = TeamFactory(name="North", manager=region_manager)
    team_a = TeamFactory(parent=region)
    team_b = TeamFactory(parent=region)
    rep_a, rep_b = RepFactory(team=team_a), RepFactory(team=team_b)
    outsider = RepFactory()

    assert set(access.visible_reps(region_manager)) == {rep_a, rep_b}
    assert set(access.visible_reps(team_a.manager)) == {rep_a}
    assert outsider not in access.visible_reps(team_a.manager)
    assert set(access.visible_teams(region_manager)) == {region, team_a, team_b}
    assert access.role_of(team_a.manager) == access.Role.MANAGER
    assert not access.can_see_team(team_a.manager, team_b)


def test_admin_sees_everything(admin_user, rep, other_rep):
    assert set(access.visible_reps(admin_user)) == {rep, other_rep}
    assert access.role_of(admin_user) == access.Role.ADMIN


def test_user_without_role_sees_nothing(no_role_user, rep):
    assert access.role_of(no_role_user) == access.Role.NONE
    assert not access.visible_reps(no_role_user).exists()


def test_scope_filters_records_by_owner(rep, other_rep):
    from reps import services

    mine = services.activity_create(owner=rep, kind="call", status="done")
    services.activity_create(owner=other_rep, kind="call", status="done")
    assert list(access.scope(Activity.objects.all(), rep.user)) == [mine]
    assert access.scope(Activity.objects.all(), rep.team.manager).get() == mine
    assert access.can_manage_rep(rep.team.manager, rep)
    assert not access.can_manage_rep(rep.team.manager, other_rep)
    assert not access.can_manage_rep(rep.user, rep)


def test_a_role_is_read_in_one_query_and_the_rep_profile_with_it(db, django_assert_num_queries):
    from django.contrib.auth import get_user_model

    team = TeamFactory()
    rep, manager_rep = RepFactory(team=team), RepFactory(team=team)
    team.manager = manager_rep.user
    team.save()
    nobody = UserFactory()

    def fresh(user):  # a user as a request gets it: nothing cached yet
        return get_user_model().objects.get(pk=user.pk)

    user = fresh(rep.user)
    with django_assert_num_queries(1):  # rep profile and "manages a team?" together
        assert access.role_of(user) == access.Role.REP
        assert access.rep_of(user) == rep and access.rep_of(user).user is user
        assert access.managed_team_ids(user) == frozenset()
    user = fresh(manager_rep.user)
    with django_assert_num_queries(2):  # and the team tree, for a manager only
        assert access.role_of(user) == access.Role.MANAGER
        assert access.rep_of(user) == manager_rep
        assert access.managed_team_ids(user) == {team.pk}
    user = fresh(nobody)
    with django_assert_num_queries(1):
        assert access.role_of(user) == access.Role.NONE
        assert access.rep_of(user) is None
