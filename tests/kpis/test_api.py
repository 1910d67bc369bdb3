"""GET /api/v1/kpis/ and /api/v1/kpis/weekly/: figures as decimal strings, and who may see what."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from kpis.models import Quota
from reps.models import ActivityKind
from tests.factories import make_pipeline
from tests.kpis.kpi_helpers import d, done, move, opp

pytestmark = pytest.mark.django_db

URL, WEEKLY = "/api/v1/kpis/", "/api/v1/kpis/weekly/"
WEEK = {"start": "2025-03-03", "end": "2025-03-09"}


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def week(rep, django_capture_on_commit_callbacks):
    """Won 300.00 and 100.00 (cycles 2 and 0 days), lost one after the offer, one call."""
    make_pipeline()
    with django_capture_on_commit_callbacks(execute=True):
        done(rep, ActivityKind.CALL, "2025-03-04")
        won = opp(rep, "2025-03-03", amount="300.00")
        move(won, "Won", "2025-03-05")
        opp(rep, "2025-03-05", stage_name="Won", amount="100.00")
        lost = opp(rep, "2025-03-03", stage_name="Proposal", amount="50.00")
        move(lost, "Lost", "2025-03-06")
    return rep


def test_it_returns_every_kpi_of_a_rep_as_strings(week, admin_user):
    response = client_for(admin_user).get(URL, {**WEEK, "group_by": "rep"})
    assert response.status_code == 200
    row = next(r for r in response.json() if r["rep"]["id"] == week.pk)
    assert row["rep"] == {"id": week.pk, "name": week.name}
    assert row["contacts"] == 1
    assert row["opportunities_created"] == 3
    assert row["offers_submitted"] == 3  # the lost one on creation, both won ones when won
    assert (row["deals_won"], row["deals_lost"], row["lost_after_offer"]) == (2, 1, 1)
    assert row["won_revenue"] == "400.00"
    assert row["win_rate"] == "0.6667"  # 2 / 3
    assert row["offer_to_close"] == "0.6667"  # 2 / (2 + 1)
    assert row["contact_to_offer"] == "1.0000"
    assert row["avg_deal_size"] == "200.00"
    assert row["sales_cycle_days"] == "1.0"  # median of 2 and 0
    assert row["plan_completion"] is None  # nothing planned
    assert row["csat"] is None
    assert "target" not in row


def test_it_adds_quota_fields_when_a_quota_covers_exactly_the_period(week, admin_user):
    Quota.objects.create(rep=week, start_date=d("2025-03-03"), end_date=d("2025-03-09"), target=Decimal("500.00"))
    row = client_for(admin_user).get(URL, {**WEEK, "group_by": "rep"}).json()[0]
    assert row["target"] == "500.00"
    assert row["attainment"] == "0.8000"  # 400 / 500
    # The week has ended (today is later): band from attainment.
    assert row["band"] == "close"
    assert row["forecast"] == "400.00"


def test_it_groups_by_team(week, manager):
    rows = client_for(manager).get(URL, {**WEEK, "group_by": "team"}).json()
    assert [(r["team"]["id"], r["won_revenue"]) for r in rows] == [(week.team_id, "400.00")]


def test_weekly_series(week, admin_user):
    response = client_for(admin_user).get(WEEKLY, {"rep": week.pk, "weeks": 3})
    assert response.status_code == 200
    series = response.json()
    assert len(series) == 3
    assert series[0]["week"] < series[-1]["week"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "2025-13-01", "end": "2025-03-09", "group_by": "rep"}, "start"),
        ({"start": "2025-03-09", "end": "2025-03-03", "group_by": "rep"}, "end"),
        ({"start": "2025-03-03", "end": "2025-03-09", "group_by": "region"}, "group_by"),
        ({"start": "2025-03-03", "end": "2025-03-09"}, "group_by"),
    ],
)
def test_bad_params_answer_400_with_the_field(admin_user, params, field):
    response = client_for(admin_user).get(URL, params)
    assert response.status_code == 400
    assert field in response.json()


def test_weekly_needs_rep_or_team(admin_user):
    response = client_for(admin_user).get(WEEKLY, {"weeks": "x"})
    assert response.status_code == 400
    assert "weeks" in response.json()
    assert "rep" in client_for(admin_user).get(WEEKLY).json()


def test_anonymous_is_refused():
    assert client_for().get(URL, {**WEEK, "group_by": "rep"}).status_code in (401, 403)
    assert client_for().get(WEEKLY, {"rep": 1}).status_code in (401, 403)


def test_a_rep_sees_only_themselves(week, other_rep):
    client = client_for(week.user)
    rows = client.get(URL, {**WEEK, "group_by": "rep"}).json()
    assert [r["rep"]["id"] for r in rows] == [week.pk]
    assert client.get(WEEKLY, {"rep": week.pk}).status_code == 200
    assert client.get(WEEKLY, {"rep": other_rep.pk}).status_code == 403
    assert client.get(URL, {**WEEK, "group_by": "team", "team": week.team_id}).status_code == 403


def test_a_manager_sees_their_team_only(week, manager, other_rep):
    client = client_for(manager)
    rows = client.get(URL, {**WEEK, "group_by": "rep"}).json()
    assert [r["rep"]["id"] for r in rows] == [week.pk]
    assert client.get(WEEKLY, {"team": week.team_id}).status_code == 200
    assert client.get(WEEKLY, {"rep": other_rep.pk}).status_code == 403
    assert client.get(URL, {**WEEK, "group_by": "rep", "team": other_rep.team_id}).status_code == 403


def test_an_admin_sees_everyone(week, other_rep, admin_user):
    rows = client_for(admin_user).get(URL, {**WEEK, "group_by": "rep"}).json()
    assert {r["rep"]["id"] for r in rows} >= {week.pk, other_rep.pk}


def test_it_is_in_the_openapi_schema(admin_user):
    schema = client_for(admin_user).get("/api/schema/", {"format": "json"}).json()
    assert "/api/v1/kpis/" in schema["paths"]
    params = {p["name"] for p in schema["paths"]["/api/v1/kpis/"]["get"]["parameters"]}
    assert {"start", "end", "group_by", "team"} <= params
    assert "/api/v1/kpis/weekly/" in schema["paths"]


MARCH_API = {"start": "2025-03-01", "end": "2025-03-31", "group_by": "rep"}


@pytest.mark.parametrize(
    ("params", "target", "actual", "attainment", "band"),
    [
        ({}, "1000.00", "500.00", "0.5000", "at_risk"),  # won revenue by default
        ({"metric": "deals_won"}, "4.00", "2.00", "0.5000", "at_risk"),
        ({"metric": "offers_submitted"}, "5.00", "4.00", "0.8000", "close"),
        ({"metric": "activities", "activity_kind": "call"}, "3.00", "3.00", "1.0000", "on_target"),
        ({"metric": "activities", "activity_kind": "email"}, "9.00", "1.00", "0.1111", "at_risk"),
    ],
)
def test_it_gives_the_quota_figures_of_the_metric_asked_for(counted_march, admin_user, params, target, actual, attainment, band):
    response = client_for(admin_user).get(URL, {**MARCH_API, **params})
    assert response.status_code == 200
    row = next(r for r in response.json() if r["rep"]["id"] == counted_march.pk)
    assert (row["target"], row["actual"], row["attainment"], row["band"]) == (target, actual, attainment, band)
    if params:  # money figures only for won revenue
        assert (row["open_pipeline"], row["weighted_pipeline"], row["coverage"], row["forecast"]) == (None, None, None, None)
    else:
        assert row["forecast"] == "500.00"


def test_a_quota_of_a_month_gives_a_week_its_share(counted_march, admin_user):
    # The week of 3 March holds 5 of March's 21 working days: 1000 × 5 / 21 = 238.095…
    row = client_for(admin_user).get(URL, {**WEEK, "group_by": "rep"}).json()
    row = next(r for r in row if r["rep"]["id"] == counted_march.pk)
    assert row["target"] == "238.10"
    assert row["attainment"] == "2.1000"  # 500 / 238.095… = 2.1 exactly


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"metric": "bogus"}, "metric"),
        ({"metric": "activities"}, "activity_kind"),
        ({"metric": "activities", "activity_kind": "bogus"}, "activity_kind"),
        ({"metric": "deals_won", "activity_kind": "call"}, "activity_kind"),
        ({"activity_kind": "call"}, "activity_kind"),
    ],
)
def test_a_bad_metric_is_a_clear_400(admin_user, params, field):
    response = client_for(admin_user).get(URL, {**MARCH_API, **params})
    assert response.status_code == 400
    assert field in response.json()


def test_the_schema_documents_the_metric_and_the_rounding(admin_user):
    schema = client_for(admin_user).get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200
    text = schema.content.decode()
    assert '"name": "metric"' in text or '"name":"metric"' in text
    assert "activity_kind" in text
    assert "the band uses the exact value" in text
