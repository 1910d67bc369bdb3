"""The audit trail: admins read who changed what, when, old → new; nobody else does."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from audit import selectors
from kpis.models import ActivityTarget, Quota
from kpis.quotas.instances import save_activity_target_instance, save_quota_instance
from reps import services
from tests.factories import AdminFactory, RepFactory, TeamFactory, make_pipeline, stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def trail():
    """Three changes of every kind, made by an admin."""
    admin = AdminFactory(first_name="Ada", last_name="Admin")
    pipeline = make_pipeline()
    team = TeamFactory()
    reps = [RepFactory(team=team) for _ in range(3)]
    for n, rep in enumerate(reps):
        quota = Quota(rep=rep, start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 3, 31), target=Decimal("1000"))
        save_quota_instance(quota, user=admin, source="grid")
        quota.target = Decimal(2000 + n)
        save_quota_instance(quota, user=admin, source="api")
        save_activity_target_instance(
            ActivityTarget(rep=rep, kind="call", per_week=10 + n, start_date=dt.date(2026, 1, 5)), user=admin, source="grid"
        )
        deal = services.opportunity_create(owner=rep, name=f"Deal {n}", by_user=admin, amount=Decimal("10"))
        services.opportunity_move(opportunity=deal, stage=stage(pipeline, "Proposal"), by_user=admin)
        services.opportunity_reassign(opportunity=deal, owner=reps[(n + 1) % 3], by_user=admin)
        LogEntry.objects.log_actions(
            user_id=admin.pk, queryset=[rep], action_flag=CHANGE, change_message=[{"changed": {"fields": ["Territory"]}}]
        )
    return {"admin": admin, "reps": reps, "team": team}


def _entries(**filters):
    return [selectors.audit_describe(row) for row in selectors.audit_entries(**filters)]


def test_it_lists_every_kind_of_change_with_old_and_new(trail):
    entries = _entries()
    kinds = {entry.kind for entry in entries}
    assert kinds == {"admin", "quota", "target", "stage", "owner"}
    assert all(entry.who == trail["admin"].username for entry in entries)
    assert entries == sorted(entries, key=lambda e: e.at, reverse=True)

    first_rep, second_rep = trail["reps"][0], trail["reps"][1]
    quota_changes = [e for e in entries if e.kind == "quota" and e.subject.startswith(first_rep.name)]
    cents = ".00" if connection.vendor == "postgresql" else ""  # SQLite's decimals are floats
    assert [(e.action, e.old, e.new, e.note) for e in quota_changes] == [
        ("Changed", f"1000{cents} (2026-01-01 – 2026-03-31)", f"2000{cents} (2026-01-01 – 2026-03-31)", "api"),
        ("Added", "", f"1000{cents} (2026-01-01 – 2026-03-31)", "grid"),
    ]
    owner = next(e for e in entries if e.kind == "owner" and e.subject == "Deal 0" and e.old)
    assert (owner.action, owner.old, owner.new) == ("Reassigned", first_rep.name, second_rep.name)
    moved = next(e for e in entries if e.kind == "stage" and e.subject == "Deal 0" and e.old)
    assert (moved.old, moved.new) == ("Prospecting", "Proposal")
    admin_change = next(e for e in entries if e.kind == "admin")
    assert admin_change.action == "Changed" and "Territory" in admin_change.new and admin_change.subject.startswith("rep: ")
    target = next(e for e in entries if e.kind == "target" and e.subject.startswith(first_rep.name))
    assert (target.action, target.old, target.new) == ("Added", "", "10")


def test_it_filters_by_kind_user_and_day(trail):
    assert {e.kind for e in _entries(kind="stage")} == {"stage"}
    assert _entries(user_id=trail["reps"][0].user.pk) == []
    assert len(_entries(user_id=trail["admin"].pk)) == len(_entries())
    tomorrow = dt.date.today() + dt.timedelta(days=2)
    assert _entries(since=tomorrow) == []
    assert len(_entries(until=tomorrow)) == len(_entries())


def test_a_page_costs_the_same_queries_however_many_changes(trail, client):
    client.force_login(trail["admin"])
    url = reverse("audit_log")
    client.get(url)  # warm the content type cache
    with CaptureQueriesContext(connection) as small:
        response = client.get(url)
    assert response.status_code == 200
    for n in range(3):  # three more changes of each kind
        rep = trail["reps"][n]
        deal = services.opportunity_create(owner=rep, name=f"More {n}", by_user=trail["admin"])
        services.opportunity_reassign(opportunity=deal, owner=trail["reps"][(n + 2) % 3], by_user=trail["admin"])
    with CaptureQueriesContext(connection) as large:
        response = client.get(url, {"kind": "", "since": "2000-01-01"})
    assert response.status_code == 200
    # session, user, count of the rows, the page of rows (one UNION ALL), the users of the filter
    assert len(small) == len(large) == 5, [q["sql"][:80] for q in large]


def test_the_page_shows_the_changes_in_the_navigation_of_admins_only(trail, client):
    client.force_login(trail["admin"])
    page = client.get(reverse("audit_log")).content.decode()
    assert 'href="/audit/"' in page and "Deal 0" in page and "Prospecting" in page
    client.force_login(trail["team"].manager)
    assert 'href="/audit/"' not in client.get(reverse("dashboard")).content.decode()


@pytest.mark.parametrize(
    ("role", "page_status", "api_status"),
    [("rep", 403, 403), ("manager", 403, 403), ("admin", 200, 200), ("anonymous", 302, 401)],
)
def test_only_admins_may_read_the_trail(trail, client, role, page_status, api_status):
    api = APIClient()
    user = {"rep": trail["reps"][0].user, "manager": trail["team"].manager, "admin": trail["admin"]}.get(role)
    if user is not None:
        client.force_login(user)
        api.force_authenticate(user)
    response = client.get(reverse("audit_log"))
    assert response.status_code == page_status
    if role == "anonymous":
        assert response["Location"].startswith(reverse("login"))
    response = api.get("/api/v1/audit/")
    assert response.status_code in ((401, 403) if api_status == 401 else (api_status,)), response.content
    if role == "admin":
        body = response.json()
        assert body["count"] == len(_entries())
        assert set(body["results"][0]) == {"kind", "kind_label", "at", "who", "subject", "action", "old", "new", "note"}


def test_the_api_filters_and_refuses_bad_filters_with_a_400(trail):
    api = APIClient()
    api.force_authenticate(trail["admin"])
    response = api.get("/api/v1/audit/", {"kind": "owner", "page_size": 2})
    assert response.status_code == 200
    assert {row["kind"] for row in response.json()["results"]} == {"owner"} and len(response.json()["results"]) == 2
    for bad in ({"kind": "nope"}, {"since": "0001-01-01"}, {"user": "x"}, {"since": "2026-02-01", "until": "2026-01-01"}):
        response = api.get("/api/v1/audit/", bad)
        assert response.status_code == 400, (bad, response.content)


def test_the_endpoint_is_in_the_schema(trail):
    api = APIClient()
    api.force_authenticate(trail["admin"])
    schema = api.get("/api/schema/", {"format": "json"}).json()
    get = schema["paths"]["/api/v1/audit/"]["get"]
    assert get["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/PaginatedAuditEntryList")
    assert {p["name"] for p in get["parameters"]} == {"kind", "user", "since", "until", "page", "page_size"}


@pytest.mark.parametrize(
    ("language", "before", "after", "per_week"),
    [
        ("en", "1,000.00 (01/01/2026 – 03/31/2026)", "2,000.00 (01/01/2026 – 03/31/2026)", "10"),
        ("hu", "1\u00a0000,00 (2026.01.01. – 2026.03.31.)", "2\u00a0000,00 (2026.01.01. – 2026.03.31.)", "10"),
        ("fa", "۱٬۰۰۰٫۰۰ (۲۰۲۶/۱/۱ – ۲۰۲۶/۳/۳۱)", "۲٬۰۰۰٫۰۰ (۲۰۲۶/۱/۱ – ۲۰۲۶/۳/۳۱)", "۱۰"),
    ],
)
def test_the_page_shows_quota_values_in_the_reader_s_language(trail, client, language, before, after, per_week):
    """Amounts as the quota grid writes them, dates in the language's order, Persian digits in
    Persian; the API keeps the one machine format whatever the language."""
    client.force_login(trail["admin"])
    response = client.get(reverse("audit_log"), {"kind": "quota"}, HTTP_ACCEPT_LANGUAGE=language)
    page = response.content.decode()
    assert f'<td data-label="{_label(language, "Before")}">{before}</td>' in page, page
    assert f">{after}</td>" in page
    target = client.get(reverse("audit_log"), {"kind": "target"}, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f">{per_week}</td>" in target
    if language == "fa":
        assert not re.search(r"<time[^>]*>[^<]*[0-9]", page), "the time of a change in Latin digits"

    api = APIClient()
    api.force_authenticate(trail["admin"])
    rows = api.get("/api/v1/audit/", {"kind": "quota"}, HTTP_ACCEPT_LANGUAGE=language).json()["results"]
    assert "2000.00 (2026-01-01 – 2026-03-31)" in {row["new"] for row in rows}


def _label(language: str, text: str) -> str:
    from django.utils import translation

    with translation.override(language):
        return translation.gettext(text)
