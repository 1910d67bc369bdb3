"""Every date the product accepts lies in 1900–2999, on every write path; the recompute
never fails on a row that is in the database; a done activity cannot be in the future."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from kpis import services as kpi_services
from kpis.models import KpiDay
from reps import services
from reps.models import Activity, CustomerFeedback, Opportunity
from tests.factories import PASSWORD, AccountFactory, make_pipeline

pytestmark = pytest.mark.django_db

BAD_DAYS = ["0001-01-01", "1899-12-31", "3000-01-01", "9999-12-31"]


@pytest.fixture(autouse=True)
def _far_from_utc(settings):
    # Hours from UTC push a moment near year 1 or 9999 off the calendar.
    settings.TIME_ZONE = "Pacific/Kiritimati"


@pytest.fixture
def rep_api(client, rep):
    make_pipeline()
    client.login(username=rep.user.username, password=PASSWORD)
    return client


def _words(response) -> set[str]:
    text = response.content.decode()
    return {w for w in ("1900", "out of range") if w in text}


def _post(client, url: str, payload: dict):
    return client.post(url, payload, content_type="application/json")


@pytest.mark.parametrize("day", BAD_DAYS)
def test_the_api_refuses_dates_outside_1900_to_2999(rep_api, rep, day):
    account = AccountFactory(owner=rep)
    opportunity = services.opportunity_create(owner=rep, name="Deal")
    responses = {
        "activity planned": _post(rep_api, "/api/v1/activities/", {"kind": "call", "status": "planned", "planned_date": day}),
        "activity done": _post(rep_api, "/api/v1/activities/", {"kind": "call", "status": "done", "done_at": f"{day}T12:00:00Z"}),
        "deal created": _post(rep_api, "/api/v1/opportunities/", {"name": "X", "created_date": day}),
        "deal expected": _post(rep_api, "/api/v1/opportunities/", {"name": "X", "expected_close_date": day}),
        "deal next step": rep_api.patch(
            f"/api/v1/opportunities/{opportunity.pk}/", {"next_step_date": day}, content_type="application/json"
        ),
        "deal won": _post(
            rep_api,
            f"/api/v1/opportunities/{opportunity.pk}/move/",
            {"stage": opportunity.pipeline.stages.get(kind="won").pk, "close_date": day},
        ),
        "feedback": _post(rep_api, "/api/v1/feedback/", {"account": account.pk, "score": 4, "date": day}),
    }
    wrong = {name: (r.status_code, r.content[:200]) for name, r in responses.items() if r.status_code != 400}
    assert not wrong
    unclear = [name for name, r in responses.items() if not {"1900", "out of range"} & set(_words(r))]
    assert not unclear
    assert not Activity.objects.exists() and not CustomerFeedback.objects.exists()
    opportunity.refresh_from_db()
    assert Opportunity.objects.count() == 1 and opportunity.close_date is None and opportunity.next_step_date is None


@pytest.mark.parametrize("day", BAD_DAYS)
def test_the_pages_refuse_dates_outside_1900_to_2999(rep_api, rep, day):
    account = AccountFactory(owner=rep)
    opportunity = services.opportunity_create(owner=rep, name="Deal")
    responses = [
        rep_api.post(reverse("activity_quick_add"), {"kind": "call", "status": "planned", "date": day}),
        rep_api.post(reverse("opportunity_create"), {"name": "X", "amount": "1", "expected_close_date": day}),
        rep_api.post(reverse("opportunity_edit", args=[opportunity.pk]), {"name": "Deal", "amount": "0", "next_step_date": day}),
        rep_api.post(
            reverse("opportunity_move", args=[opportunity.pk]),
            {"stage": opportunity.pipeline.stages.get(kind="won").pk, "close_date": day},
        ),
        rep_api.post(reverse("feedback_create", args=[account.pk]), {"date": day, "score": "4"}),
    ]
    assert {r.status_code for r in responses} <= {200, 400}  # the form again, with the error
    assert all("1900" in r.content.decode() for r in responses)
    opportunity.refresh_from_db()
    assert not Activity.objects.exists() and not CustomerFeedback.objects.exists()
    assert Opportunity.objects.count() == 1 and opportunity.close_date is None


def test_the_services_refuse_dates_outside_1900_to_2999(rep):
    from django.core.exceptions import ValidationError

    far = dt.datetime(9999, 12, 31, 12, tzinfo=dt.UTC)
    with pytest.raises(ValidationError):
        services.activity_create(owner=rep, kind="call", status="done", done_at=far)
    with pytest.raises(ValidationError):
        services.activity_create(owner=rep, kind="call", status="planned", planned_date=dt.date(1, 1, 1))


def test_a_done_activity_cannot_be_in_the_future(rep_api, rep):
    tomorrow = timezone.now() + dt.timedelta(days=2)
    response = _post(rep_api, "/api/v1/activities/", {"kind": "call", "status": "done", "done_at": tomorrow.isoformat()})
    assert response.status_code == 400
    assert "future" in response.content.decode()
    assert not Activity.objects.exists()


def test_the_recompute_never_fails_on_a_row_in_the_database(rep):
    make_pipeline()
    # Rows saved before the rule existed (or written around it) must not sink the good days.
    good = services.activity_create(
        owner=rep, kind="call", status="done", done_at=timezone.make_aware(dt.datetime(2025, 3, 4, 10))
    )
    far = services.activity_create(
        owner=rep, kind="call", status="done", done_at=timezone.make_aware(dt.datetime(2025, 3, 5, 10))
    )
    Activity.objects.filter(pk=far.pk).update(done_at=dt.datetime(9999, 12, 31, 23, tzinfo=dt.UTC))
    early = services.activity_create(owner=rep, kind="call", status="planned", planned_date=dt.date(2025, 3, 6))
    Activity.objects.filter(pk=early.pk).update(planned_date=dt.date(1, 1, 1))
    deal = services.opportunity_create(owner=rep, name="Deal")
    Opportunity.objects.filter(pk=deal.pk).update(created_date=dt.date(9999, 12, 31))
    KpiDay.objects.all().delete()

    kpi_services.kpi_recompute_days(rep_ids=[rep.pk], days=[dt.date(2025, 3, 4), dt.date(9999, 12, 31), dt.date(1, 1, 1)])
    kpi_services.kpi_recompute(rep_ids=[rep.pk])
    assert (dt.date(2025, 3, 4), 1) in set(KpiDay.objects.values_list("day", "contacts"))
    assert good.pk


@pytest.mark.parametrize(
    ("old", "new", "reason"),
    [
        ("2024-01-08T10:15:00+01:00", "9999-12-31T23:00:00+01:00", "between the years 1900 and 2999"),
        ("2024-01-08,2024-01-08T10", "0001-01-01,2024-01-08T10", "between the years 1900 and 2999"),
        ("2024-01-08T10:15:00+01:00", "2999-01-08T10:15:00+01:00", "in the future"),
    ],
)
def test_an_import_refuses_dates_outside_1900_to_2999_and_done_activities_in_the_future(tmp_path, old, new, reason, monkeypatch):
    import shutil

    from imports import services as import_services
    from imports.formats.base import ImportFailed
    from tests.imports.conftest import EXAMPLE_DIR

    monkeypatch.setattr("imports.services.kpi_recompute", lambda **kwargs: 0)
    folder = tmp_path / "in"
    shutil.copytree(EXAMPLE_DIR, folder)
    path = folder / "activities.csv"
    path.write_text(path.read_text().replace(old, new, 1))
    with pytest.raises(ImportFailed) as failed:
        import_services.import_run(format="salesperf", directory=folder)
    errors = failed.value.report.as_dict()["errors"]
    assert any(e["file"] == "activities.csv" and e["line"] == 2 and reason in e["reason"] for e in errors), errors
    assert not Activity.objects.exists()


def test_check_dates_lists_the_stored_dates_outside_the_range(rep):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("check_dates", stdout=out)
    assert "Every stored date lies in 1900–2999." in out.getvalue()
    activity = services.activity_create(owner=rep, kind="call", status="done", done_at=timezone.now())
    Activity.objects.filter(pk=activity.pk).update(done_at=dt.datetime(9999, 12, 31, 23, tzinfo=dt.UTC))
    out = StringIO()
    with pytest.raises(CommandError, match="1 stored date"):
        call_command("check_dates", stdout=out)
    assert f"reps.Activity {activity.pk}: done_at" in out.getvalue()
