"""The coaching API: who may do what on every endpoint, private notes, bad input, query counts,
the agenda and coaching time.

In ``cworld`` team A (``manager``) has ``rep`` and ``teammate``; team B has ``other_rep``
(coached by ``other_manager``). Each rep has a held and a planned session, one feedback and
one open action item.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from coaching import selectors, services
from coaching.models import ActionItem, CoachingFeedback, CoachingSession

pytestmark = pytest.mark.django_db

SESSIONS = "/api/v1/coaching-sessions/"
FEEDBACK = "/api/v1/coaching-feedback/"
ACTIONS = "/api/v1/action-items/"
TIME = "/api/v1/coaching-time/"

ACTORS = ["rep", "teammate", "manager", "other_manager", "admin", "nobody", "anonymous"]
TARGETS = ["rep", "other_rep"]  # whose record: the rep's own team A, or team B


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def user_of(cworld: Any, actor: str) -> Any:
    return {
        "rep": cworld.rep.user,
        "teammate": cworld.teammate.user,
        "manager": cworld.manager,
        "other_manager": cworld.other_rep.team.manager,
        "admin": cworld.admin,
        "nobody": cworld.nobody,
    }.get(actor)


def login(api: APIClient, cworld: Any, actor: str) -> APIClient:
    user = user_of(cworld, actor)
    if user is not None:
        api.force_authenticate(user)
    return api


def sees(actor: str, target: str) -> bool:
    return {
        "admin": True,
        "manager": target in ("rep", "teammate"),
        "other_manager": target == "other_rep",
        "rep": target == "rep",
        "teammate": target == "teammate",
    }.get(actor, False)


def coaches(actor: str, target: str) -> bool:
    return actor in ("admin", "manager", "other_manager") and sees(actor, target)


# --- the permission matrix ------------------------------------------------------------------

ENDPOINTS = {
    SESSIONS: ["list", "retrieve", "create", "update", "delete", "agenda"],
    FEEDBACK: ["list", "retrieve", "create", "update", "delete"],
    ACTIONS: ["list", "retrieve", "create", "update", "delete", "done"],
}


def record(cworld: Any, base: str, target: str) -> Any:
    return {SESSIONS: cworld.held, FEEDBACK: cworld.feedback, ACTIONS: cworld.actions}[base][target]


def create_payload(cworld: Any, base: str, target: str) -> dict[str, Any]:
    rep = cworld.world.rep_named(target)
    if base == SESSIONS:
        return {"rep": rep.pk, "scheduled_for": (timezone.now() + dt.timedelta(days=3)).isoformat(), "minutes": 30}
    if base == FEEDBACK:
        return {"rep": rep.pk, "problem": "Talked over the customer", "consequence": "No pain found", "improvement": "Ask, pause"}
    return {"rep": rep.pk, "title": "Call back the three lost deals", "due_date": "2030-01-01"}


UPDATES = {SESSIONS: {"shared_notes": "Good call."}, FEEDBACK: {"problem": "Changed"}, ACTIONS: {"title": "New title"}}


def expected(base: str, op: str, actor: str, target: str) -> int:
    if actor in ("nobody", "anonymous"):
        return 403
    if op == "list":
        return 200
    if op == "create":
        if actor not in ("manager", "other_manager", "admin"):
            return 403  # reps never plan, give feedback or set actions
        return 201 if sees(actor, target) else 400  # the rep is not one they may use
    if base == FEEDBACK and op == "update":
        return 405  # given feedback is a record
    if not sees(actor, target):
        return 404
    if op in ("retrieve", "agenda"):
        return 200
    if op == "done":
        return 200 if (actor == target or coaches(actor, target)) else 403
    if not coaches(actor, target):
        return 403
    return 204 if op == "delete" else 200


def call(api: APIClient, cworld: Any, base: str, op: str, target: str) -> Any:
    detail = f"{base}{record(cworld, base, target).pk}/"
    if op == "list":
        return api.get(base, {"page_size": 200})
    if op == "retrieve":
        return api.get(detail)
    if op == "create":
        return api.post(base, create_payload(cworld, base, target), format="json")
    if op == "update":
        return api.patch(detail, UPDATES[base], format="json")
    if op == "delete":
        return api.delete(detail)
    if op == "agenda":
        return api.get(f"{detail}agenda/")
    if op == "done":
        return api.post(f"{detail}done/", {"done": True}, format="json")
    raise AssertionError(op)  # pragma: no cover


CASES = [(base, actor, target) for base in ENDPOINTS for actor in ACTORS for target in TARGETS]


@pytest.mark.parametrize(("base", "actor", "target"), CASES)
def test_who_may_do_what(api, cworld, base, actor, target):
    login(api, cworld, actor)
    wrong = []
    for op in ENDPOINTS[base]:
        savepoint = transaction.savepoint()
        response = call(api, cworld, base, op, target)
        want = expected(base, op, actor, target)
        if response.status_code != want:
            wrong.append(f"{op}: {response.status_code} (expected {want}) {response.content[:200]!r}")
        elif op == "list" and want == 200:
            ids = {row["id"] for row in response.json()["results"]}
            if (record(cworld, base, target).pk in ids) is not sees(actor, target):
                wrong.append(f"list: the record is {'missing' if sees(actor, target) else 'listed'}")
        transaction.savepoint_rollback(savepoint)
    assert not wrong, "\n".join(wrong)


def test_the_rep_and_teammate_see_their_own_sessions_only(api, cworld):
    login(api, cworld, "teammate")
    ids = {row["id"] for row in api.get(SESSIONS).json()["results"]}
    assert ids == {cworld.held["teammate"].pk, cworld.planned["teammate"].pk}


@pytest.mark.parametrize(
    ("actor", "target", "status"),
    [("rep", "rep", 403), ("teammate", "rep", 404), ("other_manager", "rep", 404), ("nobody", "rep", 403)],
)
def test_a_write_refused_changes_nothing(api, cworld, actor, target, status):
    login(api, cworld, actor)
    session = cworld.held[target]
    assert api.patch(f"{SESSIONS}{session.pk}/", {"private_notes": "mine now"}, format="json").status_code == status
    assert api.delete(f"{SESSIONS}{session.pk}/").status_code == status
    session.refresh_from_db()
    assert session.private_notes == f"Private notes of {target}"


def test_a_rep_ticks_their_own_action_item_and_opens_it_again(api, cworld):
    login(api, cworld, "rep")
    item = cworld.actions["rep"]
    response = api.post(f"{ACTIONS}{item.pk}/done/", {"done": True}, format="json")
    assert response.status_code == 200
    assert response.json()["is_done"] is True and response.json()["done_at"]
    item.refresh_from_db()
    assert item.is_done
    response = api.post(f"{ACTIONS}{item.pk}/done/", {"done": False}, format="json")
    assert response.json()["is_done"] is False
    assert api.post(f"{ACTIONS}{item.pk}/done/", {}, format="json").status_code == 400
    response = api.post(f"{ACTIONS}{item.pk}/done/", {})  # a form without the field is not "false"
    assert response.status_code == 400 and "done" in response.json()


def test_a_rep_cannot_tick_a_teammates_action_item(api, cworld):
    login(api, cworld, "rep")
    item = cworld.actions["teammate"]
    assert api.post(f"{ACTIONS}{item.pk}/done/", {"done": True}, format="json").status_code == 404
    item.refresh_from_db()
    assert not item.is_done


def test_coaching_time_is_for_managers_and_admins(api, cworld):
    params = {"start": "2026-01-01", "end": "2026-01-31"}
    for actor, status in [
        ("rep", 403),
        ("teammate", 403),
        ("manager", 200),
        ("other_manager", 200),
        ("admin", 200),
        ("nobody", 403),
        ("anonymous", 403),
    ]:
        client = login(APIClient(), cworld, actor)
        assert client.get(TIME, params).status_code == status, actor


# --- private notes --------------------------------------------------------------------------


def test_the_rep_never_gets_private_notes(api, cworld):
    login(api, cworld, "rep")
    session = cworld.held["rep"]
    rows = api.get(SESSIONS).json()["results"]
    assert rows and all("private_notes" not in row for row in rows)
    body = api.get(f"{SESSIONS}{session.pk}/").json()
    assert "private_notes" not in body
    assert body["shared_notes"] == "Shared notes of rep"
    assert "Private notes" not in api.get(f"{SESSIONS}{session.pk}/agenda/").content.decode()


def test_the_manager_gets_private_notes_in_list_retrieve_and_create(api, cworld):
    login(api, cworld, "manager")
    session = cworld.held["rep"]
    rows = {row["id"]: row for row in api.get(SESSIONS).json()["results"]}
    assert rows[session.pk]["private_notes"] == "Private notes of rep"
    assert api.get(f"{SESSIONS}{session.pk}/").json()["private_notes"] == "Private notes of rep"
    payload = {**create_payload(cworld, SESSIONS, "rep"), "private_notes": "  Nervous about the renewal.  "}
    response = api.post(SESSIONS, payload, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["private_notes"] == "Nervous about the renewal."  # trimmed by the service
    assert body["coach"] == cworld.manager.pk
    assert body["status"] == "planned" and body["kind"] == "one_to_one"


def test_the_admin_gets_private_notes(api, cworld):
    login(api, cworld, "admin")
    assert api.get(f"{SESSIONS}{cworld.held['other_rep'].pk}/").json()["private_notes"] == "Private notes of other_rep"


# --- writes and bad input -------------------------------------------------------------------


def test_a_manager_holds_a_session_and_records_feedback_and_an_action(api, cworld):
    login(api, cworld, "manager")
    session = cworld.planned["rep"]  # tomorrow: it cannot be held yet
    response = api.patch(f"{SESSIONS}{session.pk}/", {"status": "held"}, format="json")
    assert response.status_code == 400 and "status" in response.json()
    session.refresh_from_db()
    assert session.status == "planned"
    earlier = (timezone.now() - dt.timedelta(hours=1)).isoformat()
    response = api.patch(f"{SESSIONS}{session.pk}/", {"status": "held", "minutes": 50, "scheduled_for": earlier}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "held" and response.json()["minutes"] == 50
    payload = {**create_payload(cworld, FEEDBACK, "rep"), "session": session.pk}
    response = api.post(FEEDBACK, payload, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["given_by"] == cworld.manager.pk
    assert response.json()["date"] == timezone.localdate().isoformat()
    payload = {**create_payload(cworld, ACTIONS, "rep"), "session": session.pk}
    response = api.post(ACTIONS, payload, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["created_by"] == cworld.manager.pk and response.json()["is_done"] is False
    item = response.json()["id"]
    response = api.patch(f"{ACTIONS}{item}/", {"title": "Call back two", "due_date": "2030-02-01"}, format="json")
    assert response.json()["title"] == "Call back two" and response.json()["due_date"] == "2030-02-01"


SESSION_ERRORS = [
    ({"scheduled_for": "2030-01-01T10:00:00Z"}, "rep"),
    ({"rep": "__rep__"}, "scheduled_for"),
    ({"rep": "__rep__", "scheduled_for": "next tuesday"}, "scheduled_for"),
    ({"rep": "__rep__", "scheduled_for": "2030-01-01T10:00:00Z", "minutes": 4}, "minutes"),
    ({"rep": "__rep__", "scheduled_for": "2030-01-01T10:00:00Z", "minutes": 481}, "minutes"),
    ({"rep": "__rep__", "scheduled_for": "2030-01-01T10:00:00Z", "kind": "lunch"}, "kind"),
    ({"rep": "__rep__", "scheduled_for": "2030-01-01T10:00:00Z", "status": "maybe"}, "status"),
    ({"rep": "__other__", "scheduled_for": "2030-01-01T10:00:00Z"}, "rep"),
    ({"rep": "abc", "scheduled_for": "2030-01-01T10:00:00Z"}, "rep"),
]


def _fill(cworld: Any, payload: dict[str, Any]) -> dict[str, Any]:
    ids = {"__rep__": cworld.rep.pk, "__other__": cworld.other_rep.pk, "__other_session__": cworld.held["other_rep"].pk}
    ids["__teammate_session__"] = cworld.held["teammate"].pk
    return {key: ids.get(value, value) if isinstance(value, str) else value for key, value in payload.items()}


@pytest.mark.parametrize(("payload", "field"), SESSION_ERRORS)
def test_bad_session_input_is_a_400_naming_the_field_and_saves_nothing(api, cworld, payload, field):
    login(api, cworld, "manager")
    before = CoachingSession.objects.count()
    response = api.post(SESSIONS, _fill(cworld, payload), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert CoachingSession.objects.count() == before


def test_a_sessions_rep_cannot_change(api, cworld):
    login(api, cworld, "manager")
    session = cworld.held["rep"]
    response = api.patch(f"{SESSIONS}{session.pk}/", {"rep": cworld.teammate.pk, "minutes": 60}, format="json")
    assert response.status_code == 400
    assert "rep" in response.json()
    session.refresh_from_db()
    assert session.rep_id == cworld.rep.pk and session.minutes == 45


FEEDBACK_ERRORS = [
    ({"rep": "__rep__", "consequence": "c", "improvement": "i"}, "problem"),
    ({"rep": "__rep__", "problem": "p", "improvement": "i"}, "consequence"),
    ({"rep": "__rep__", "problem": "p", "consequence": "c"}, "improvement"),
    ({"rep": "__rep__", "problem": "   ", "consequence": "c", "improvement": "i"}, "problem"),
    ({"rep": "__rep__", "problem": "p", "consequence": "", "improvement": "i"}, "consequence"),
    ({"rep": "__rep__", "problem": "p", "consequence": "c", "improvement": "\n\t"}, "improvement"),
    ({"rep": "__rep__", "problem": "p", "consequence": "c", "improvement": "i", "date": "31/12/2030"}, "date"),
    ({"rep": "__rep__", "problem": "p", "consequence": "c", "improvement": "i", "session": "__teammate_session__"}, "session"),
    ({"rep": "__rep__", "problem": "p", "consequence": "c", "improvement": "i", "session": "__other_session__"}, "session"),
    ({"problem": "p", "consequence": "c", "improvement": "i"}, "rep"),
]


@pytest.mark.parametrize(("payload", "field"), FEEDBACK_ERRORS)
def test_feedback_needs_all_three_parts(api, cworld, payload, field):
    login(api, cworld, "manager")
    before = CoachingFeedback.objects.count()
    response = api.post(FEEDBACK, _fill(cworld, payload), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert CoachingFeedback.objects.count() == before


ACTION_ERRORS = [
    ({"rep": "__rep__"}, "title"),
    ({"rep": "__rep__", "title": "  "}, "title"),
    ({"rep": "__rep__", "title": "x" * 201}, "title"),
    ({"rep": "__rep__", "title": "t", "due_date": "soon"}, "due_date"),
    ({"rep": "__rep__", "title": "t", "session": "__teammate_session__"}, "session"),
    ({"title": "t"}, "rep"),
]


@pytest.mark.parametrize(("payload", "field"), ACTION_ERRORS)
def test_bad_action_item_input_is_a_400_naming_the_field(api, cworld, payload, field):
    login(api, cworld, "manager")
    before = ActionItem.objects.count()
    response = api.post(ACTIONS, _fill(cworld, payload), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert ActionItem.objects.count() == before


def test_an_action_items_rep_and_session_are_set_on_creation_only(api, cworld):
    login(api, cworld, "manager")
    item = cworld.actions["rep"]
    response = api.patch(f"{ACTIONS}{item.pk}/", {"session": cworld.planned["rep"].pk}, format="json")
    assert response.status_code == 400 and "session" in response.json()
    response = api.patch(f"{ACTIONS}{item.pk}/", {"done_at": "2030-01-01T00:00:00Z"}, format="json")
    assert response.status_code == 200 and response.json()["done_at"] is None  # read-only: use …/done/


def test_put_is_not_offered(api, cworld):
    login(api, cworld, "manager")
    session = cworld.held["rep"]
    assert api.put(f"{SESSIONS}{session.pk}/", {"minutes": 30}, format="json").status_code == 405


# --- filters and ordering -------------------------------------------------------------------


def test_sessions_filter_by_rep_kind_status_and_dates(api, cworld):
    login(api, cworld, "manager")
    today = timezone.localdate()

    def ids(**params: Any) -> set[int]:
        response = api.get(SESSIONS, params)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    held, planned = cworld.held, cworld.planned
    assert ids(rep=cworld.rep.pk) == {held["rep"].pk, planned["rep"].pk}
    assert ids(status="held") == {held["rep"].pk, held["teammate"].pk}
    assert ids(kind="debrief") == set()
    assert ids(scheduled_after=today.isoformat()) == {planned["rep"].pk, planned["teammate"].pk}
    assert ids(scheduled_before=(today - dt.timedelta(days=1)).isoformat()) == {held["rep"].pk, held["teammate"].pk}
    assert ids(rep=cworld.other_rep.pk) == set()  # not visible: nothing
    rows = api.get(SESSIONS, {"ordering": "scheduled_for", "rep": cworld.rep.pk}).json()["results"]
    assert [row["id"] for row in rows] == [held["rep"].pk, planned["rep"].pk]
    for bad in ({"kind": "lunch"}, {"scheduled_after": "yesterday"}, {"rep": 10**30}):
        response = api.get(SESSIONS, bad)
        assert response.status_code == 400
        assert set(bad) <= set(response.json())


def test_feedback_and_action_items_filter(api, cworld):
    login(api, cworld, "manager")
    session = cworld.held["rep"]
    rows = api.get(FEEDBACK, {"session": session.pk}).json()["results"]
    assert [row["id"] for row in rows] == [cworld.feedback["rep"].pk]
    assert [row["id"] for row in api.get(FEEDBACK, {"rep": cworld.teammate.pk}).json()["results"]] == [
        cworld.feedback["teammate"].pk
    ]
    services.action_item_set_done(item=cworld.actions["teammate"], done=True)
    assert [row["id"] for row in api.get(ACTIONS, {"done": "true"}).json()["results"]] == [cworld.actions["teammate"].pk]
    assert [row["id"] for row in api.get(ACTIONS, {"done": "false"}).json()["results"]] == [cworld.actions["rep"].pk]
    assert [row["id"] for row in api.get(ACTIONS, {"rep": cworld.rep.pk, "session": session.pk}).json()["results"]] == [
        cworld.actions["rep"].pk
    ]


# --- query counts ---------------------------------------------------------------------------


def _list_queries(api: APIClient, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url)
    assert response.status_code == 200
    return len(queries)


def _add_rows(cworld: Any, count: int) -> None:
    now = timezone.now()
    first = CoachingSession.objects.count()  # called more than once: later rows go further back
    for i in range(count):
        for offset, key in enumerate(("rep", "teammate")):
            rep = cworld.world.rep_named(key)
            when = now - dt.timedelta(days=first + i + 10, hours=offset)  # a coach is never double-booked
            session = services.session_create(rep=rep, coach=cworld.manager, scheduled_for=when)
            parts = {"problem": "p", "consequence": "c", "improvement": "i"}
            services.feedback_give(rep=rep, given_by=cworld.manager, session=session, **parts)
            services.action_item_create(rep=rep, created_by=cworld.manager, session=session, title=f"Action {i}")


@pytest.mark.parametrize("actor", ["rep", "manager", "admin"])
def test_lists_do_not_query_per_row(api, cworld, actor):
    login(api, cworld, actor)
    api.get(SESSIONS)  # the first request fills the user's caches (managed teams, own rep)
    few = [_list_queries(api, url) for url in (SESSIONS, FEEDBACK, ACTIONS)]  # 2 sessions of the rep
    _add_rows(cworld, 4)  # 10 sessions of the rep
    assert len(api.get(SESSIONS, {"rep": cworld.rep.pk}).json()["results"]) == 6
    _add_rows(cworld, 4)
    many = [_list_queries(api, url) for url in (SESSIONS, FEEDBACK, ACTIONS)]
    assert many == few


def test_a_session_list_needs_a_fixed_number_of_queries(api, cworld, django_assert_num_queries):
    _add_rows(cworld, 4)
    api.force_authenticate(type(cworld.manager).objects.get(pk=cworld.manager.pk))  # a fresh user: no caches
    with django_assert_num_queries(4):  # managed teams, the user's own rep (none), count, page rows
        assert api.get(SESSIONS).status_code == 200


# --- the agenda -----------------------------------------------------------------------------

AGENDA_KEYS = {
    "as_of",
    "frozen_at",
    "last_week",
    "this_week",
    "last_week_figures",
    "last_week_plan",
    "next_plan",
    "quota_period",
    "quota_figures",
    "pipeline_by_stage",
    "overdue_next_steps",
    "deals_to_review",
    "open_actions",
    "recent_feedback",
    "account_plan_actions",
    "satisfaction",
    "order_book_review",  # part 4's forecast figures (tests/forecasts/test_pages_and_agenda.py)
}


def test_the_agenda_has_every_part(api, cworld):
    login(api, cworld, "manager")
    session = cworld.planned["rep"]  # tomorrow: the action and feedback of the held one are before it
    response = api.get(f"{SESSIONS}{session.pk}/agenda/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == AGENDA_KEYS
    day = timezone.localdate(session.scheduled_for)
    monday = day - dt.timedelta(days=day.weekday())
    assert body["this_week"] == {"kind": "week", "start": monday.isoformat(), "end": (monday + dt.timedelta(days=6)).isoformat()}
    assert body["last_week"]["start"] == (monday - dt.timedelta(days=7)).isoformat()
    assert [row["id"] for row in body["open_actions"]] == [cworld.actions["rep"].pk]
    assert [row["problem"] for row in body["recent_feedback"]] == ["Problem of rep"]
    assert body["pipeline_by_stage"] and isinstance(body["pipeline_by_stage"][0]["amount"], str)
    assert isinstance(body["overdue_next_steps"], int)


def test_the_agenda_lists_deals_to_review_with_their_reasons(api, cworld):
    deal = cworld.opportunities["rep"]
    deal.next_step_date = timezone.localdate() - dt.timedelta(days=4)
    deal.save(update_fields=["next_step_date"])
    login(api, cworld, "rep")
    body = api.get(f"{SESSIONS}{cworld.planned['rep'].pk}/agenda/").json()  # ahead: today's deals
    [review] = body["deals_to_review"]
    assert review["id"] == deal.pk and review["name"] == deal.name
    assert review["amount"] == "1000.00"
    assert isinstance(review["days_in_stage"], int)
    assert "next step 4 days overdue" in review["reasons"]
    assert body["overdue_next_steps"] == 1


def test_the_agenda_matches_the_selector(api, cworld):
    login(api, cworld, "manager")
    session = cworld.held["teammate"]
    agenda = selectors.agenda(user=cworld.manager, session=session)
    body = api.get(f"{SESSIONS}{session.pk}/agenda/").json()
    assert body["overdue_next_steps"] == agenda.overdue_next_steps
    assert len(body["pipeline_by_stage"]) == len(agenda.pipeline_by_stage)
    assert (body["quota_period"] is None) == (agenda.quota_period is None)


# --- coaching time --------------------------------------------------------------------------


def test_coaching_time_per_coach(api, cworld):
    today = timezone.localdate()
    start, end = today - dt.timedelta(days=13), today
    available = selectors.working_minutes(start, end)
    params = {"start": start.isoformat(), "end": end.isoformat()}

    login(api, cworld, "manager")
    rows = api.get(TIME, params).json()
    assert rows == [
        {
            "coach": {"id": cworld.manager.pk, "name": rows[0]["coach"]["name"]},
            "minutes": 90,  # 45 minutes with each of the two reps
            "sessions": 2,
            "one_to_ones": 2,
            "share": str((Decimal(90) / available).quantize(Decimal("0.0001"))),
        }
    ]

    admin = login(APIClient(), cworld, "admin")
    rows = admin.get(TIME, params).json()
    assert [(row["coach"]["id"], row["minutes"]) for row in rows] == [
        (cworld.manager.pk, 90),
        (cworld.other_rep.team.manager.pk, 45),
    ]


def test_coaching_time_counts_only_held_sessions_in_the_period(api, cworld):
    login(api, cworld, "manager")
    today = timezone.localdate()
    long_ago = {"start": (today - dt.timedelta(days=60)).isoformat(), "end": (today - dt.timedelta(days=30)).isoformat()}
    assert api.get(TIME, long_ago).json() == []
    ahead = {"start": today.isoformat(), "end": (today + dt.timedelta(days=7)).isoformat()}
    assert api.get(TIME, ahead).json() == []  # the planned sessions do not count


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "start"),
        ({"start": "2026-01-01"}, "end"),
        ({"start": "first of may", "end": "2026-01-31"}, "start"),
        ({"start": "2026-01-01", "end": "2026-02-30"}, "end"),
        ({"start": "2026-02-01", "end": "2026-01-31"}, "end"),
        ({"start": "2025-01-01", "end": "2026-01-01"}, "end"),  # 366 days: fine; 367: not
    ],
)
def test_coaching_time_bad_dates_are_a_400(api, cworld, params, field):
    login(api, cworld, "manager")
    response = api.get(TIME, params)
    if params == {"start": "2025-01-01", "end": "2026-01-01"}:
        assert response.status_code == 200  # 2025-01-01..2026-01-01 is 366 days
        response = api.get(TIME, {"start": "2025-01-01", "end": "2026-01-02"})
    assert response.status_code == 400
    assert field in response.json()


def test_coaching_time_of_one_team(api, cworld):
    today = timezone.localdate()
    params = {"start": (today - dt.timedelta(days=13)).isoformat(), "end": today.isoformat()}
    login(api, cworld, "admin")
    rows = api.get(TIME, {**params, "team": cworld.other_team.pk}).json()
    assert [(row["coach"]["id"], row["minutes"]) for row in rows] == [(cworld.other_rep.team.manager.pk, 45)]
    manager = login(APIClient(), cworld, "manager")
    assert [row["minutes"] for row in manager.get(TIME, {**params, "team": cworld.team.pk}).json()] == [90]
    for team in (cworld.other_team.pk, 10**6, "abc"):  # another manager's team, none, not a number
        response = manager.get(TIME, {**params, "team": team})
        assert response.status_code == 400
        assert "team" in response.json()
