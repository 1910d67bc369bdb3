"""Quotas and activity targets in the Django admin: the service's rules, readable messages (never
a constraint name), history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from kpis.models import ActivityTarget, Quota

pytestmark = pytest.mark.django_db

ADD_QUOTA = reverse("admin:kpis_quota_add")
ADD_TARGET = reverse("admin:kpis_activitytarget_add")


def quota_form(**overrides):
    data = {
        "rep": "",
        "team": "",
        "metric": "won_revenue",
        "activity_kind": "",
        "start_date": "2026-01-01",
        "end_date": "2026-01-31",
        "target": "1000",
        "_save": "Save",
    }
    return {**data, **{k: str(v) for k, v in overrides.items()}}


def constraint_names(model) -> list[str]:
    return [c.name for c in model._meta.constraints] + ["no_overlap"]


def shows_no_constraint_name(response, model) -> bool:
    page = response.content.decode()
    return not any(name in page for name in constraint_names(model)) and "Constraint" not in page


def errors_of(response) -> str:
    form = response.context["adminform"].form
    return " ".join(str(message) for messages in form.errors.values() for message in messages)


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_admin_adds_a_quota_and_history_names_them(admin_client, admin_user, rep):
    response = admin_client.post(ADD_QUOTA, quota_form(rep=rep.pk))
    assert response.status_code == 302
    quota = Quota.objects.get()
    record = quota.history.get()
    assert (record.history_user, record.history_change_reason, record.history_type) == (admin_user, "admin", "+")
    assert admin_client.get(reverse("admin:kpis_quota_history", args=[quota.pk])).status_code == 200


def test_overlap_is_refused_in_words(admin_client, rep):
    Quota.objects.create(rep=rep, start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 1, 31), target=1)
    response = admin_client.post(ADD_QUOTA, quota_form(rep=rep.pk, start_date="2026-01-15", end_date="2026-03-31"))
    assert response.status_code == 200
    assert "Overlaps the Won revenue quota of" in errors_of(response)
    assert Quota.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"team": "TEAM"}, "not both"),
        ({"rep": ""}, "not both and not neither"),
        ({"end_date": "2025-12-31"}, "before the start date"),
        ({"target": "0"}, "greater than zero"),
        ({"metric": "activities"}, "needs an activity kind"),
        ({"activity_kind": "call"}, "only for the metric"),
        ({"start_date": "1850-01-01"}, "between the years 1900 and 2999"),
    ],
)
def test_bad_quotas_get_readable_messages_never_a_constraint_name(admin_client, rep, team, overrides, expected):
    data = {"rep": rep.pk, **overrides}
    if data.get("team") == "TEAM":
        data["team"] = team.pk
    response = admin_client.post(ADD_QUOTA, quota_form(**data))
    assert response.status_code == 200
    text = errors_of(response)
    assert expected in text
    assert shows_no_constraint_name(response, Quota)
    assert not Quota.objects.exists()


def test_the_same_key_as_another_quota_is_refused_in_words(admin_client, rep):
    Quota.objects.create(rep=rep, start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 1, 31), target=1)
    response = admin_client.post(ADD_QUOTA, quota_form(rep=rep.pk))
    assert "Overlaps" in errors_of(response) or "exists already" in errors_of(response)
    assert shows_no_constraint_name(response, Quota)


def test_editing_a_quota_in_place_is_not_an_overlap_with_itself(admin_client, rep):
    quota = Quota.objects.create(rep=rep, start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 1, 31), target=1)
    url = reverse("admin:kpis_quota_change", args=[quota.pk])
    response = admin_client.post(url, quota_form(rep=rep.pk, end_date="2026-02-15", target="1500"))
    assert response.status_code == 302
    quota.refresh_from_db()
    assert (quota.end_date, quota.target) == (dt.date(2026, 2, 15), Decimal("1500.00"))
    assert quota.history.first().history_change_reason == "admin"


def test_the_change_list_edits_targets_by_the_same_rules(admin_client, rep):
    quota = Quota.objects.create(rep=rep, start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 1, 31), target=1)
    data = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-0-id": str(quota.pk),
        "form-0-target": "0",
        "_save": "Save",
    }
    response = admin_client.post(reverse("admin:kpis_quota_changelist"), data)
    assert response.status_code == 200
    assert "greater than zero" in response.content.decode()
    quota.refresh_from_db()
    assert quota.target == 1


def test_a_new_open_ended_target_ends_the_one_before(admin_client, team):
    earlier = ActivityTarget.objects.create(team=team, kind="call", per_week=10, start_date=dt.date(2026, 1, 5))
    data = {
        "team": team.pk,
        "rep": "",
        "kind": "call",
        "per_week": "12",
        "start_date": "2026-04-06",
        "end_date": "",
        "_save": "Save",
    }
    response = admin_client.post(ADD_TARGET, data)
    assert response.status_code == 302
    earlier.refresh_from_db()
    assert earlier.end_date == dt.date(2026, 4, 5)
    assert ActivityTarget.objects.get(start_date=dt.date(2026, 4, 6)).history.get().history_change_reason == "admin"


def test_bad_targets_get_readable_messages(admin_client, team):
    ActivityTarget.objects.create(
        team=team, kind="call", per_week=10, start_date=dt.date(2026, 1, 5), end_date=dt.date(2026, 3, 29)
    )
    data = {
        "team": team.pk,
        "rep": "",
        "kind": "call",
        "per_week": "0",
        "start_date": "2026-03-02",
        "end_date": "",
        "_save": "Save",
    }
    response = admin_client.post(ADD_TARGET, data)
    assert response.status_code == 200
    assert "greater than zero" in errors_of(response)
    data["per_week"] = "5"
    response = admin_client.post(ADD_TARGET, data)
    assert "Overlaps the weekly Call target" in errors_of(response)
    assert shows_no_constraint_name(response, ActivityTarget)
    assert ActivityTarget.objects.count() == 1


def test_only_admins_reach_the_quota_admin(client, manager):
    client.force_login(manager)
    assert client.get(ADD_QUOTA).status_code == 302  # to the admin login: staff only
