"""Coaching pages: who may see and do what, the private notes, planning a session, feedback,
action items, and the overview's query count."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coaching import services
from coaching.models import ActionItem, CoachingFeedback, CoachingSession, SessionStatus
from reps import services as rep_services
from reps.models import Opportunity, Rep, TeamMembership
from tests.factories import RepFactory

pytestmark = pytest.mark.django_db

# Who is who in the coaching world, as the users that log in.
ROLES = ["rep", "teammate", "manager", "other_manager", "admin", "nobody"]


def user_of(cworld, role: str):
    return {
        "rep": cworld.rep.user,
        "teammate": cworld.teammate.user,
        "manager": cworld.manager,
        "other_manager": cworld.other_rep.team.manager,
        "admin": cworld.admin,
        "nobody": cworld.nobody,
    }[role]


def as_(client, cworld, role: str):
    client.force_login(user_of(cworld, role))
    return client


def future_local(days: int = 2, hour: int = 10) -> str:
    day = timezone.localdate() + dt.timedelta(days=days)
    return f"{day.isoformat()}T{hour:02d}:00"


# --- who may see and do what ----------------------------------------------------------------

HOME = {"rep": 200, "teammate": 200, "manager": 200, "other_manager": 200, "admin": 200, "nobody": 403}
CREATE = {"rep": 403, "teammate": 403, "manager": 200, "other_manager": 200, "admin": 200, "nobody": 403}
# The session of ``rep`` (team A): its rep and its coaches see it; a teammate and another team's manager do not.
DETAIL = {"rep": 200, "teammate": 404, "manager": 200, "other_manager": 404, "admin": 200, "nobody": 404}
# Posting to it: the rep sees but may not coach (403); who may not see gets 404.
COACH_POST = {"rep": 403, "teammate": 404, "manager": 400, "other_manager": 404, "admin": 400, "nobody": 404}
TICK = {"rep": 302, "teammate": 404, "manager": 302, "other_manager": 404, "admin": 302, "nobody": 404}


@pytest.mark.parametrize("role", ROLES)
def test_home_access(client, cworld, role):
    response = as_(client, cworld, role).get(reverse("coaching_home"))
    assert response.status_code == HOME[role]
    if role == "nobody":
        assert "No access yet" in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_session_create_page_access(client, cworld, role):
    assert as_(client, cworld, role).get(reverse("coaching_session_create")).status_code == CREATE[role]


@pytest.mark.parametrize("role", ROLES)
def test_session_create_post_access(client, cworld, role):
    response = as_(client, cworld, role).post(reverse("coaching_session_create"), {})
    assert response.status_code == (400 if CREATE[role] == 200 else 403)  # an empty form is refused, not saved
    assert CoachingSession.objects.count() == 6


@pytest.mark.parametrize("role", ROLES)
def test_session_detail_access(client, cworld, role):
    response = as_(client, cworld, role).get(reverse("coaching_session_detail", args=[cworld.held["rep"].pk]))
    assert response.status_code == DETAIL[role]


@pytest.mark.parametrize("name", ["coaching_session_edit"])
@pytest.mark.parametrize("role", ROLES)
def test_coaching_posts_access(client, cworld, role, name):
    """An empty post: 400 (form errors) for a coach, 403 for the rep, 404 for who may not see."""
    response = as_(client, cworld, role).post(reverse(name, args=[cworld.held["rep"].pk]), {})
    assert response.status_code == COACH_POST[role]


@pytest.mark.parametrize("name", ["coaching_session_edit"])
def test_coaching_posts_refuse_get(client, cworld, name):
    response = as_(client, cworld, "manager").get(reverse(name, args=[cworld.held["rep"].pk]))
    assert response.status_code == 405


@pytest.mark.parametrize("role", ROLES)
def test_action_done_access(client, cworld, role):
    item = cworld.actions["rep"]
    response = as_(client, cworld, role).post(reverse("coaching_action_done", args=[item.pk]), {"done": "1"})
    assert response.status_code == TICK[role]
    item.refresh_from_db()
    assert item.is_done == (TICK[role] == 302)


@pytest.mark.parametrize(
    "url",
    [
        reverse("coaching_home"),
        reverse("coaching_session_create"),
        "/coaching/sessions/1/",
    ],
)
def test_anonymous_is_sent_to_login(client, cworld, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", ["coaching_session_edit"])
def test_anonymous_posts_are_sent_to_login(client, cworld, name):
    response = client.post(reverse(name, args=[cworld.held["rep"].pk]), {})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    response = client.post(reverse("coaching_action_done", args=[cworld.actions["rep"].pk]), {"done": "1"})
    assert response["Location"].startswith(reverse("login"))


def test_the_navigation_links_to_coaching(client, cworld):
    assert f'href="{reverse("coaching_home")}"' in as_(client, cworld, "rep").get(reverse("my_week")).content.decode()


# --- private notes --------------------------------------------------------------------------


def test_rep_never_sees_the_private_notes(client, cworld):
    as_(client, cworld, "rep")
    for url in (reverse("coaching_session_detail", args=[cworld.held["rep"].pk]), reverse("coaching_home")):
        page = client.get(url).content.decode()
        assert "Private notes of rep" not in page
    page = client.get(reverse("coaching_session_detail", args=[cworld.held["rep"].pk])).content.decode()
    assert "Shared notes of rep" in page
    assert "Give feedback in three parts" not in page  # no coaching forms for the rep
    assert reverse("coaching_session_edit", args=[cworld.held["rep"].pk]) not in page


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_coaches_see_the_private_notes(client, cworld, role):
    page = as_(client, cworld, role).get(reverse("coaching_session_detail", args=[cworld.held["rep"].pk])).content.decode()
    assert "Private notes of rep" in page
    assert "Shared notes of rep" in page


# --- the pages' content ---------------------------------------------------------------------


def test_manager_home_shows_coaching_time_reps_and_sessions(client, cworld):
    response = as_(client, cworld, "manager").get(reverse("coaching_home"), {"period": "month"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "ideally half" in page
    assert 'name="end"' not in page  # weeks and months only: no end date to pick
    assert '<th scope="col">Rep</th>' in page  # the session tables name the rep
    assert [r.pk for r in response.context["reps"]] == sorted([cworld.rep.pk, cworld.teammate.pk], key=_rep_order)
    assert f'href="{reverse("rep_detail", args=[cworld.rep.pk])}"' in page
    assert f"{reverse('coaching_session_create')}?rep={cworld.rep.pk}" in page
    assert cworld.other_rep.name not in page  # another team's rep
    assert reverse("coaching_session_detail", args=[cworld.planned["rep"].pk]) in page
    rows = response.context["time_rows"]
    assert [row["coach"]["id"] for row in rows] == [cworld.manager.pk]  # their own row only


def _rep_order(pk):
    rep = Rep.objects.select_related("user").get(pk=pk)
    return (rep.user.first_name, rep.user.last_name, rep.user.username)


def test_manager_home_shows_time_in_hours_and_minutes(client, cworld):
    services.session_create(
        rep=cworld.rep,
        coach=cworld.manager,
        scheduled_for=timezone.now() - dt.timedelta(minutes=5),
        minutes=90,
        status=SessionStatus.HELD,
    )
    page = as_(client, cworld, "manager").get(reverse("coaching_home")).content.decode()
    assert "1 h 30 min" in page  # this week: the 90-minute session (the one of six days ago may be last week)


def test_manager_home_flags_a_rep_without_a_recent_one_to_one(client, cworld):
    CoachingSession.objects.filter(rep=cworld.rep).update(scheduled_for=timezone.now() - dt.timedelta(days=30))
    response = as_(client, cworld, "manager").get(reverse("coaching_home"))
    flagged = {rep.pk: rep.needs_one_to_one for rep in response.context["reps"]}
    assert flagged[cworld.rep.pk] is True
    assert "No one-to-one for over a week" in response.content.decode()


def test_manager_home_for_a_team_they_do_not_manage_is_refused(client, cworld):
    response = as_(client, cworld, "manager").get(reverse("coaching_home"), {"team": cworld.other_rep.team_id})
    assert response.status_code == 403


def test_admin_home_shows_every_coach_of_the_team(client, cworld):
    services.session_create(
        rep=cworld.other_rep,
        coach=cworld.other_rep.team.manager,
        scheduled_for=timezone.now(),
        minutes=30,
        status=SessionStatus.HELD,
    )
    services.session_create(
        rep=cworld.rep, coach=cworld.manager, scheduled_for=timezone.now(), minutes=30, status=SessionStatus.HELD
    )
    admin = as_(client, cworld, "admin")
    for team, coach in ((cworld.team, cworld.manager), (cworld.other_team, cworld.other_rep.team.manager)):
        response = admin.get(reverse("coaching_home"), {"team": team.pk})
        assert {row["coach"]["id"] for row in response.context["time_rows"]} == {coach.pk}  # who coaches that team


def test_rep_home_lists_their_sessions_actions_and_feedback_only(client, cworld):
    response = as_(client, cworld, "rep").get(reverse("coaching_home"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Action of rep" in page
    assert "Problem of rep" in page and "Consequence of rep" in page and "Improvement of rep" in page
    assert "Action of teammate" not in page and "Problem of teammate" not in page
    assert '<th scope="col">Rep</th>' not in page  # their own sessions: no rep column
    assert reverse("coaching_session_detail", args=[cworld.planned["rep"].pk]) in page
    assert reverse("coaching_session_detail", args=[cworld.planned["teammate"].pk]) not in page


def test_session_page_shows_the_agenda_sections(client, cworld):
    # the planned session: its agenda is today's (the deal was created today, after the held one)
    response = as_(client, cworld, "manager").get(reverse("coaching_session_detail", args=[cworld.planned["rep"].pk]))
    page = response.content.decode()
    for heading in (
        "1. Last week",
        "2. This week and next",
        "3. Attainment against quota",
        "4. Order book",
        "5. Deals worth a review",
        "6. Open action items",
        "7. Recent feedback",
        "8. Customer satisfaction",
    ):
        assert heading in page
    assert "No quota covers this date" in page  # the world has no quotas
    # the deal of rep has no next step: it is worth a review, with a link to it
    assert reverse("opportunity_detail", args=[cworld.opportunities["rep"].pk]) in page
    assert "no next step" in page
    assert "Deal of teammate" not in page


@pytest.mark.parametrize(
    ("role", "link", "words"),
    [
        ("admin", True, "Set the rep's revenue quota on the Quotas page"),
        ("manager", True, "An admin sets revenue quotas; you see them on the"),
        ("rep", False, "Ask your manager to have your revenue quota set."),
    ],
)
def test_without_a_quota_the_agenda_points_to_the_quotas_page_not_to_the_django_admin(client, cworld, role, link, words):
    session = cworld.planned["rep"]
    page = as_(client, cworld, role).get(reverse("coaching_session_detail", args=[session.pk])).content.decode()
    assert "Admin →" not in page
    assert words in page
    quotas = f'href="{reverse("quotas:grid")}?team={session.rep.team_id}"'
    assert (quotas in page) is link  # the rep may not open the quota workspace


def test_a_manager_who_may_edit_quotas_is_asked_to_set_it(client, cworld, settings):
    settings.SALESPERF_MANAGERS_EDIT_QUOTAS = True
    page = as_(client, cworld, "manager").get(reverse("coaching_session_detail", args=[cworld.planned["rep"].pk]))
    assert "Set the rep's revenue quota on the Quotas page" in page.content.decode()


# --- planning a session ---------------------------------------------------------------------


def test_manager_plans_a_one_to_one(client, cworld):
    as_(client, cworld, "manager")
    page = client.get(reverse("coaching_session_create"), {"rep": cworld.rep.pk}).content.decode()
    assert f'<option value="{cworld.rep.pk}" selected>' in page
    assert 'type="datetime-local"' in page
    data = {
        "rep": cworld.rep.pk,
        "kind": "one_to_one",
        "scheduled_for": future_local(),
        "minutes": "45",
        "status": "planned",
        "shared_notes": "Bring the pipeline",
        "private_notes": "Watch the discounts",
    }
    response = client.post(reverse("coaching_session_create"), data)
    session = CoachingSession.objects.get(shared_notes="Bring the pipeline")
    assert response.status_code == 302
    assert response["Location"] == reverse("coaching_session_detail", args=[session.pk])
    assert (session.rep, session.coach, session.minutes, session.private_notes) == (
        cworld.rep,
        cworld.manager,
        45,
        "Watch the discounts",
    )
    assert "Planned" in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"rep": "other"}, "rep"),  # a rep of a team they do not manage
        ({"minutes": "3"}, "minutes"),
        ({"minutes": "500"}, "minutes"),
        ({"scheduled_for": ""}, "scheduled_for"),
        ({"scheduled_for": "not a date"}, "scheduled_for"),
        ({"kind": "party"}, "kind"),
    ],
)
def test_planning_with_bad_input_shows_an_error_and_saves_nothing(client, cworld, changes, field):
    as_(client, cworld, "manager")
    data = {"rep": cworld.rep.pk, "kind": "one_to_one", "scheduled_for": future_local(), "minutes": "30", "status": "planned"}
    data.update(changes)
    if data["rep"] == "other":
        data["rep"] = cworld.other_rep.pk
    response = client.post(reverse("coaching_session_create"), data)
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert 'class="errorlist' in response.content.decode()
    assert CoachingSession.objects.count() == 6


def test_preselecting_a_rep_the_manager_may_not_coach_is_refused(client, cworld):
    as_(client, cworld, "manager")
    assert client.get(reverse("coaching_session_create"), {"rep": cworld.other_rep.pk}).status_code == 403
    assert client.get(reverse("coaching_session_create"), {"rep": "abc"}).status_code == 403
    assert client.get(reverse("coaching_session_create"), {"rep": "999999"}).status_code == 403


def test_rep_choices_are_the_active_reps_of_the_managed_teams(client, cworld):
    inactive = RepFactory(team=cworld.team, is_active=False)
    form = as_(client, cworld, "manager").get(reverse("coaching_session_create")).context["form"]
    assert set(form.fields["rep"].queryset) == {cworld.rep, cworld.teammate}
    assert inactive not in form.fields["rep"].queryset
    admin_form = as_(client, cworld, "admin").get(reverse("coaching_session_create")).context["form"]
    assert set(admin_form.fields["rep"].queryset) == {cworld.rep, cworld.teammate, cworld.other_rep}


# --- the session's forms --------------------------------------------------------------------


def test_manager_marks_the_session_held_with_notes(client, cworld):
    session = cworld.planned["rep"]  # planned for tomorrow, held today instead
    data = {
        "kind": "one_to_one",
        "scheduled_for": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "minutes": "50",
        "status": "held",
        "shared_notes": "We agreed on three calls a day",
        "private_notes": "Confidence is low",
    }
    response = as_(client, cworld, "manager").post(reverse("coaching_session_edit", args=[session.pk]), data)
    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.status, session.minutes, session.private_notes) == ("held", 50, "Confidence is low")


def test_a_session_on_a_later_day_cannot_be_marked_held(client, cworld):
    session = cworld.planned["rep"]
    data = {"kind": "one_to_one", "scheduled_for": future_local(), "minutes": "30", "status": "held"}
    response = as_(client, cworld, "manager").post(reverse("coaching_session_edit", args=[session.pk]), data)
    assert response.status_code == 400
    assert response.context["edit_form"].errors["status"]
    session.refresh_from_db()
    assert session.status == "planned"


def test_editing_with_bad_minutes_shows_an_error_and_keeps_the_session(client, cworld):
    session = cworld.planned["rep"]
    data = {"kind": "one_to_one", "scheduled_for": future_local(), "minutes": "0", "status": "held"}
    response = as_(client, cworld, "manager").post(reverse("coaching_session_edit", args=[session.pk]), data)
    assert response.status_code == 400
    assert response.context["edit_form"].errors["minutes"]
    session.refresh_from_db()
    assert (session.status, session.minutes) == ("planned", 30)


def page_data(session, **extra):
    """What the session page's one form posts: the session as it is, plus what was typed."""
    data = {
        "kind": session.kind,
        "scheduled_for": timezone.localtime(session.scheduled_for).strftime("%Y-%m-%dT%H:%M"),
        "minutes": str(session.minutes),
        "status": session.status,
        "shared_notes": session.shared_notes,
        "private_notes": session.private_notes,
    }
    data.update(extra)
    return data


def test_manager_gives_3_part_feedback(client, cworld):
    session = cworld.held["rep"]
    data = page_data(
        session,
        **{
            "feedback-problem": "Talked over the client",
            "feedback-consequence": "Missed the pain",
            "feedback-improvement": "Ask, then listen",
        },
    )
    response = as_(client, cworld, "manager").post(reverse("coaching_session_edit", args=[session.pk]), data)
    assert response.status_code == 302
    feedback = CoachingFeedback.objects.get(problem="Talked over the client")
    assert (feedback.rep, feedback.session, feedback.given_by) == (cworld.rep, session, cworld.manager)
    assert "Ask, then listen" in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize("missing", ["problem", "consequence", "improvement"])
def test_feedback_with_a_missing_part_is_refused_and_nothing_is_saved(client, cworld, missing):
    session = cworld.held["rep"]
    parts = {"feedback-problem": "P", "feedback-consequence": "C", "feedback-improvement": "I", f"feedback-{missing}": "   "}
    data = page_data(session, shared_notes="Typed notes", **{"action-title": "Typed action"}, **parts)
    response = as_(client, cworld, "manager").post(reverse("coaching_session_edit", args=[session.pk]), data)
    assert response.status_code == 400
    assert response.context["feedback_form"].errors[missing]
    page = response.content.decode()
    assert 'class="errorlist' in page
    assert "Typed notes" in page and "Typed action" in page  # nothing typed is lost
    assert CoachingFeedback.objects.count() == 3
    session.refresh_from_db()
    assert session.shared_notes == "Shared notes of rep"  # all or nothing
    assert not ActionItem.objects.filter(title="Typed action").exists()


def test_manager_adds_an_action_item(client, cworld):
    session = cworld.held["rep"]
    due = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    data = page_data(session, **{"action-title": "Call back ACME", "action-due_date": due})
    response = as_(client, cworld, "manager").post(reverse("coaching_session_edit", args=[session.pk]), data)
    assert response.status_code == 302
    item = ActionItem.objects.get(title="Call back ACME")
    assert (item.rep, item.session, item.due_date.isoformat()) == (cworld.rep, session, due)


def test_an_action_item_with_a_date_but_no_title_is_refused(client, cworld):
    session = cworld.held["rep"]
    data = page_data(session, **{"action-due_date": "2030-01-01"})
    response = as_(client, cworld, "manager").post(reverse("coaching_session_edit", args=[session.pk]), data)
    assert response.status_code == 400
    assert response.context["action_form"].errors["title"]
    assert ActionItem.objects.count() == 3


def test_notes_feedback_action_and_a_tick_are_saved_together(client, cworld):
    """Whichever button is clicked, everything typed is saved at once."""
    session = cworld.held["rep"]
    item = cworld.actions["rep"]
    data = page_data(
        session,
        shared_notes="Notes typed first",
        private_notes="Private typed too",
        tick=f"{item.pk}:1",
        **{
            "feedback-problem": "P",
            "feedback-consequence": "C",
            "feedback-improvement": "I",
            "action-title": "New action",
        },
    )
    response = as_(client, cworld, "manager").post(reverse("coaching_session_edit", args=[session.pk]), data)
    assert response.status_code == 302
    session.refresh_from_db()
    item.refresh_from_db()
    assert (session.shared_notes, session.private_notes) == ("Notes typed first", "Private typed too")
    assert CoachingFeedback.objects.filter(session=session, problem="P").exists()
    assert ActionItem.objects.filter(session=session, title="New action").exists()
    assert item.is_done


def test_a_tick_refused_with_an_error_elsewhere_is_kept_for_the_next_save(client, cworld):
    session = cworld.held["rep"]
    item = cworld.actions["rep"]
    data = page_data(session, minutes="0", tick=f"{item.pk}:1")
    response = as_(client, cworld, "manager").post(reverse("coaching_session_edit", args=[session.pk]), data)
    assert response.status_code == 400
    assert f'name="tick" value="{item.pk}:1"' in response.content.decode()
    item.refresh_from_db()
    assert not item.is_done


@pytest.mark.parametrize(("tick", "status"), [("abc", 400), ("1:2", 400), ("999999:1", 404)])
def test_a_bad_tick_is_refused(client, cworld, tick, status):
    session = cworld.held["rep"]
    response = as_(client, cworld, "manager").post(
        reverse("coaching_session_edit", args=[session.pk]), page_data(session, tick=tick)
    )
    assert response.status_code == status


def test_a_tick_of_another_teams_item_is_a_404(client, cworld):
    session = cworld.held["rep"]
    other = cworld.actions["other_rep"]
    data = page_data(session, tick=f"{other.pk}:1")
    assert as_(client, cworld, "manager").post(reverse("coaching_session_edit", args=[session.pk]), data).status_code == 404
    other.refresh_from_db()
    assert not other.is_done


def test_planning_a_clash_is_refused_with_a_clear_message(client, cworld):
    planned = cworld.planned["rep"]
    data = {
        "rep": cworld.teammate.pk,
        "kind": "one_to_one",
        "scheduled_for": timezone.localtime(planned.scheduled_for + dt.timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M"),
        "minutes": "30",
        "status": "planned",
    }
    response = as_(client, cworld, "manager").post(reverse("coaching_session_create"), data)
    assert response.status_code == 400
    assert "already has a session then" in " ".join(response.context["form"].errors["scheduled_for"])
    assert CoachingSession.objects.count() == 6


# --- action items ---------------------------------------------------------------------------


def test_rep_marks_their_action_item_done_and_opens_it_again(client, cworld):
    item = cworld.actions["rep"]
    as_(client, cworld, "rep")
    home = reverse("coaching_home")
    response = client.post(reverse("coaching_action_done", args=[item.pk]), {"done": "1", "next": home})
    assert response.status_code == 302 and response["Location"] == home
    item.refresh_from_db()
    assert item.is_done
    page = client.get(home).content.decode()
    assert "<s>Action of rep</s>" in page  # listed under done
    assert "Open again" in page
    client.post(reverse("coaching_action_done", args=[item.pk]), {"done": "0"})
    item.refresh_from_db()
    assert not item.is_done


def test_rep_cannot_tick_another_reps_action_item(client, cworld):
    item = cworld.actions["teammate"]
    response = as_(client, cworld, "rep").post(reverse("coaching_action_done", args=[item.pk]), {"done": "1"})
    assert response.status_code == 404
    item.refresh_from_db()
    assert not item.is_done


def test_ticking_goes_back_to_the_session_and_ignores_a_foreign_next(client, cworld):
    item = cworld.actions["rep"]
    response = as_(client, cworld, "rep").post(
        reverse("coaching_action_done", args=[item.pk]), {"done": "1", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("coaching_session_detail", args=[item.session_id])


def test_ticking_with_a_bad_value_is_a_400(client, cworld):
    item = cworld.actions["rep"]
    response = as_(client, cworld, "rep").post(reverse("coaching_action_done", args=[item.pk]), {"done": "yes"})
    assert response.status_code == 400
    item.refresh_from_db()
    assert not item.is_done


def test_action_done_refuses_get(client, cworld):
    assert as_(client, cworld, "rep").get(reverse("coaching_action_done", args=[cworld.actions["rep"].pk])).status_code == 405


# --- queries --------------------------------------------------------------------------------


def _add_reps(cworld, count: int) -> None:
    for n in range(count):
        rep = RepFactory(team=cworld.team)
        hours = dt.timedelta(hours=n)  # a coach is never double-booked
        held = services.session_create(
            rep=rep,
            coach=cworld.manager,
            scheduled_for=timezone.now() - dt.timedelta(days=2) + hours,
            status=SessionStatus.HELD,
            private_notes="secret",
        )
        services.session_create(rep=rep, coach=cworld.manager, scheduled_for=timezone.now() + dt.timedelta(days=2) + hours)
        services.action_item_create(rep=rep, created_by=cworld.manager, session=held, title="Do it")


def test_home_makes_as_many_queries_for_6_reps_as_for_2(client, cworld):
    as_(client, cworld, "manager")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("coaching_home")).status_code == 200
        return len(captured)

    assert TeamMembership.objects.filter(team=cworld.team).count() == 2
    two = queries()
    _add_reps(cworld, 4)
    six = queries()
    assert len(client.get(reverse("coaching_home")).context["reps"]) == 6
    assert six == two


def test_rep_home_makes_as_many_queries_for_many_records_as_for_few(client, cworld):
    as_(client, cworld, "rep")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("coaching_home")).status_code == 200
        return len(captured)

    few = queries()
    for n in range(4):
        held = services.session_create(
            rep=cworld.rep, coach=cworld.manager, scheduled_for=timezone.now() - dt.timedelta(days=n + 1), status="held"
        )
        services.action_item_create(rep=cworld.rep, created_by=cworld.manager, session=held, title=f"Item {n}")
        services.feedback_give(
            rep=cworld.rep, given_by=cworld.manager, session=held, problem="p", consequence="c", improvement="i"
        )
    assert queries() == few


def test_session_page_makes_as_many_queries_for_many_records_as_for_few(client, cworld):
    session = cworld.held["rep"]
    as_(client, cworld, "manager")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("coaching_session_detail", args=[session.pk])).status_code == 200
        return len(captured)

    few = queries()
    for n in range(4):
        rep_services.opportunity_create(owner=cworld.rep, name=f"Deal {n}", amount=Decimal("10.00"))
        services.action_item_create(rep=cworld.rep, created_by=cworld.manager, session=session, title=f"Item {n}")
        services.feedback_give(
            rep=cworld.rep, given_by=cworld.manager, session=session, problem="p", consequence="c", improvement="i"
        )
    assert queries() == few


# --- cadence, email settings, the fuller coaching status ------------------------------------

CADENCE = {"rep": 403, "teammate": 403, "manager": 200, "other_manager": 404, "admin": 200, "nobody": 403}


@pytest.mark.parametrize("role", ROLES)
def test_cadence_page_access(client, cworld, role):
    url = reverse("coaching_cadence_edit", args=[cworld.rep.pk])
    assert as_(client, cworld, role).get(url).status_code == CADENCE[role]


def test_manager_sets_a_cadence(client, cworld):
    url = reverse("coaching_cadence_edit", args=[cworld.rep.pk])
    as_(client, cworld, "manager")
    data = {"cadence": "biweekly", "weekday": "3", "time": "14:30", "minutes": "30"}
    assert client.post(url, data).status_code == 302
    row = cworld.rep.coaching_cadence
    assert (row.cadence, row.weekday, row.time, row.minutes, row.updated_by) == (
        "biweekly",
        3,
        dt.time(14, 30),
        30,
        cworld.manager,
    )
    response = client.post(url, {**data, "weekday": "6"})
    assert response.status_code == 400 and response.context["form"].errors["weekday"]
    assert "Every two weeks" in client.get(reverse("coaching_home")).content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_email_settings_page(client, cworld, role):
    as_(client, cworld, role)
    response = client.get(reverse("coaching_email_preferences"))
    assert response.status_code == (403 if role == "nobody" else 200)
    if role != "nobody":
        response = client.post(reverse("coaching_email_preferences"), {"one_to_one_reminders": "on"})
        assert response.status_code == 302
        prefs = user_of(cworld, role).coaching_email_preference
        assert (prefs.one_to_one_reminders, prefs.overdue_action_reminders, prefs.weekly_team_summary) == (True, False, False)


def test_a_rep_with_overdue_actions_is_not_up_to_date(client, cworld):
    services.action_item_update(item=cworld.actions["teammate"], due_date=timezone.localdate() - dt.timedelta(days=1))
    response = as_(client, cworld, "manager").get(reverse("coaching_home"))
    reps = {rep.pk: rep for rep in response.context["reps"]}
    teammate = reps[cworld.teammate.pk]
    assert teammate.days_since_one_to_one == 6
    assert "1 overdue action item" in teammate.attention
    page = response.content.decode()
    assert "1 overdue action item" in page


def test_a_deal_worth_a_review_counts_until_reviewed(client, cworld):
    reps = {r.pk: r for r in as_(client, cworld, "manager").get(reverse("coaching_home")).context["reps"]}
    assert reps[cworld.rep.pk].unreviewed_deals == 1  # "Deal of rep" has no next step
    # notes naming the deal are not a review: a deal review record is
    services.session_create(
        rep=cworld.rep,
        coach=cworld.manager,
        kind="deal_review",
        scheduled_for=timezone.now() - dt.timedelta(hours=3),
        status="held",
        shared_notes="Went through Deal of rep: who decides, and when.",
    )
    reps = {r.pk: r for r in client.get(reverse("coaching_home")).context["reps"]}
    assert reps[cworld.rep.pk].unreviewed_deals == 1
    deal = Opportunity.objects.get(name="Deal of rep")
    services.deal_review_record(opportunity=deal, reviewed_by=cworld.manager, in_control="partly")
    reps = {r.pk: r for r in client.get(reverse("coaching_home")).context["reps"]}
    assert reps[cworld.rep.pk].unreviewed_deals == 0


def test_the_manager_sees_their_coaching_share_per_week_as_a_chart_and_a_table(client, cworld):
    response = as_(client, cworld, "manager").get(reverse("coaching_home"))
    chart = response.context["share_chart"]
    assert len(chart["table"].rows) == 12
    page = response.content.decode()
    assert 'data-figure="figure-coaching-share"' in page
    assert '<script type="application/json" id="figure-coaching-share">' in page
    assert "<script>" not in page  # no inline script: the JSON block is data, drawn by a static file
    assert "js/dashboard.js" in page


def test_the_agenda_figures_rows_are_headed_by_their_period_not_a_bare_number(cworld):
    """On a phone each row of a table is a card headed by its first cell: the last week's results
    and the quota row start with their period, not with "24" or "34,495" and no name."""
    from coaching import agenda as agendas
    from coaching import views

    data = agendas.agenda_data(cworld.planned["rep"])
    data["last_week_figures"] = {"contacts": 24, "deals_won": 3, "won_revenue": "33000.00"}
    data["quota_period"] = {"kind": "custom", "start": "2026-12-01", "end": "2026-12-31"}
    data["quota_figures"] = {"target": "34495.00", "won_revenue": "0.00", "attainment": "0.0000"}
    tables = views._agenda_tables(data)
    week = views._period(data["last_week"]).label
    assert tables["last_week_figures"].body[0][0].text == week
    assert tables["quota"].body[0][0].text == "2026-12-01 to 2026-12-31"
    assert tables["last_week_figures"].body[0][1].text == "24"


def test_the_agenda_of_a_session_ahead_says_it_shows_todays_numbers(client, cworld):
    """Before its start a session's agenda is as of now: it must not claim to be as of the start."""
    session = services.session_create(
        rep=cworld.rep, coach=cworld.manager, scheduled_for=timezone.now() + dt.timedelta(days=6, hours=1)
    )
    page = as_(client, cworld, "manager").get(reverse("coaching_session_detail", args=[session.pk])).content.decode()
    assert "as they are now" in page and "as they were at the session" not in page
    held = as_(client, cworld, "manager").get(reverse("coaching_session_detail", args=[cworld.held["rep"].pk]))
    assert "as they were at the session's start" in held.content.decode()


def test_an_agenda_stored_before_the_sessions_start_does_not_say_it_follows_the_numbers(client, cworld):
    """Marked held earlier the same day: the stored agenda is as of that moment, and says so."""
    start = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(23, 59)))
    session = services.session_create(rep=cworld.rep, coach=cworld.manager, scheduled_for=start, minutes=5, status="held")
    page = as_(client, cworld, "manager").get(reverse("coaching_session_detail", args=[session.pk])).content.decode()
    assert "before the session&#x27;s start" in page or "before the session's start" in page
    assert "it follows them until the session starts" not in page


def test_typed_texts_take_their_own_direction(client, cworld):
    """A note typed in English on a Persian page (or in Persian on an English one) keeps its
    punctuation where it belongs: texts people typed are marked dir="auto"."""
    page = as_(client, cworld, "manager").get(reverse("coaching_session_detail", args=[cworld.held["rep"].pk]))
    html = page.content.decode()
    assert '<p class="notes" dir="auto">Shared notes of rep</p>' in html
    assert '<dd dir="auto">Problem of rep</dd>' in html
    assert '<dd dir="auto">Improvement of rep</dd>' in html
