"""Coaching pages: the coaching overview, planning a session, the session page with its agenda,
notes, 3-part feedback and action items, and ticking an action item.

Thin views: records come through ``coaching.rules`` / ``coaching.selectors`` (a session the user
may not see answers 404), writes go through ``coaching.services``; who may coach is
``rules.can_coach`` (403 for the rep, who sees but does not coach).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coaching import forms, rules, selectors, services
from coaching.models import CoachingSession, SessionStatus
from kpis import dashboard_selectors as reads
from kpis.exports import Column, Kind, Table, fixed, format_value
from kpis.periods import Period, PeriodKind
from kpis.views import Picker, activity_plan_table, pipeline_tables, require_manager_or_admin, team_of_request
from reps.access import Role, rep_of, role_of
from reps.forms import add_service_errors
from reps.views import next_url

PAGE_SIZE = 25
UPCOMING_SHOWN = 25
DONE_SHOWN = 20  # the latest done action items; older ones stay in the sessions
FEEDBACK_SHOWN = 20
RECOGNITIONS_SHOWN = 20  # the rep's own and their teammates' shared with the team


def recognition_candidates(user: Any, team: Any, period: Period, today: dt.date) -> list[dict[str, Any]]:
    """The reps at or above 100 % of their target in ``period``, with their attainment as text:
    suggested for recognition on the coaching page and in the team meeting."""
    rows = selectors.recognition_candidates(user=user, team_id=team.pk, start=period.start, end=period.end, today=today)
    for row in rows:
        row["attainment_text"] = _percent(row["attainment"])
    return rows


def duration(minutes: int | None) -> str:
    """Minutes as hours and minutes ("2 h 05 min")."""
    hours, rest = divmod(int(minutes or 0), 60)
    if not hours:
        return _("%(minutes)d min") % {"minutes": rest}
    return _("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": rest}


def _percent(ratio: Any) -> str:
    return format_value(ratio, Kind.PERCENT).text


# --- the coaching overview ------------------------------------------------------------------


@login_required
def coaching_home(request: HttpRequest) -> HttpResponse:
    """Managers: their coaching time, their reps' coaching status, sessions. Reps: their sessions,
    action items and the feedback they received."""
    role = role_of(request.user)
    if role == Role.NONE:
        return render(request, "reps/no_role.html", status=403)
    if role == Role.REP:
        return _rep_home(request)
    return _manager_home(request, role)


def _manager_home(request: HttpRequest, role: Role) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    teams = reads.team_choices(user)
    team = team_of_request(request, teams, _("You may only see the coaching of the teams you manage."))
    picker = Picker(
        request,
        today=today,
        teams=teams,
        team=team,
        default=Period.containing(PeriodKind.WEEK, today),
        kinds=[PeriodKind.WEEK, PeriodKind.MONTH],
    )
    period = picker.period
    # A manager sees their own coaching time; an admin that of everyone coaching the team.
    coach_ids = None if role == Role.ADMIN else [user.pk]
    team_ids = reads.team_and_below(team.pk, teams) if team is not None else None
    time_rows = selectors.coaching_time(user=user, start=period.start, end=period.end, coach_ids=coach_ids, team_ids=team_ids)
    if role != Role.ADMIN and not time_rows:
        name = user.get_full_name() or user.get_username()
        time_rows = [{"coach": {"id": user.pk, "name": name}, "minutes": 0, "sessions": 0, "one_to_ones": 0, "share": None}]
        if selectors.working_minutes(period.start, period.end):
            time_rows[0]["share"] = 0
    for row in time_rows:
        row["duration"] = duration(row["minutes"])
        row["share_text"] = _percent(row["share"])

    context: dict[str, Any] = {"picker": picker, "period": period, "team": team, "today": today, "time_rows": time_rows}
    if team_ids is not None:
        context["reps"] = selectors.reps_coaching_status(user=user, team_ids=team_ids, today=today)
        sessions = selectors.sessions_of(user=user).filter(rep__team_id__in=team_ids).defer("private_notes")
        context["upcoming"], context["recent_page"] = _upcoming_and_recent(request, sessions, today)
        context["page_query"] = picker.query(page=None)[1:]
        context["recognition_candidates"] = recognition_candidates(user, team, period, today)
    return render(request, "coaching/home_manager.html", context)


def _rep_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    rep = rep_of(user)
    today = timezone.localdate()
    sessions = selectors.sessions_of(user=user, rep_ids=[rep.pk]).defer("private_notes")  # never read for a rep
    upcoming, recent_page = _upcoming_and_recent(request, sessions, today)
    items = rules.visible_action_items(user).filter(rep=rep).select_related("session")
    return render(
        request,
        "coaching/home_rep.html",
        {
            "rep": rep,
            "today": today,
            "upcoming": upcoming,
            "recent_page": recent_page,
            "open_items": list(items.filter(done_at__isnull=True)),
            "done_items": list(items.filter(done_at__isnull=False).order_by("-done_at", "-pk")[:DONE_SHOWN]),
            "feedback": list(rules.visible_feedback(user).filter(rep=rep).select_related("given_by")[:FEEDBACK_SHOWN]),
            "recognitions": list(rules.visible_recognitions(user).select_related("rep__user", "given_by")[:RECOGNITIONS_SHOWN]),
        },
    )


def _upcoming_and_recent(request: HttpRequest, sessions: QuerySet[CoachingSession], today: dt.date) -> tuple[list, Page]:
    """The planned sessions from today on (soonest first), and a page of the others (latest first):
    a planned session whose day has passed is listed as recent, to be marked held or cancelled."""
    upcoming_q = selectors.upcoming(today)
    upcoming = list(sessions.filter(upcoming_q).order_by("scheduled_for", "pk")[:UPCOMING_SHOWN])
    recent = sessions.exclude(upcoming_q).order_by("-scheduled_for", "-pk")
    return upcoming, Paginator(recent, PAGE_SIZE).get_page(request.GET.get("page"))


# --- planning a session ---------------------------------------------------------------------


@login_required
def coaching_session_create(request: HttpRequest) -> HttpResponse:
    require_manager_or_admin(request, _("Only managers plan and hold coaching sessions."))
    user = request.user
    initial: dict[str, Any] = {"scheduled_for": _next_slot()}
    raw_rep = request.GET.get("rep", "").strip()
    if raw_rep:
        if not raw_rep.isdecimal() or not selectors.coachable_reps(user).filter(pk=int(raw_rep)).exists():
            raise PermissionDenied(_("You may only plan sessions with the reps of the teams you manage."))
        initial["rep"] = int(raw_rep)
    form = forms.SessionCreateForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                session = services.session_create(coach=user, **data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Planned: %(kind)s with %(rep)s.") % {"kind": session.get_kind_display(), "rep": session.rep.name}
                    if session.status == SessionStatus.PLANNED
                    else _("Saved: %(kind)s with %(rep)s.") % {"kind": session.get_kind_display(), "rep": session.rep.name},
                )
                return redirect("coaching_session_detail", pk=session.pk)
        return render(request, "coaching/session_form.html", {"form": form}, status=400)
    return render(request, "coaching/session_form.html", {"form": form})


def _next_slot() -> dt.datetime:
    """Tomorrow at nine: a sensible default for a new one-to-one."""
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(tomorrow, dt.time(9)))


# --- the session page -----------------------------------------------------------------------


def _visible_session(request: HttpRequest, pk: int) -> CoachingSession:
    return get_object_or_404(selectors.sessions_of(user=request.user).select_related("rep__team"), pk=pk)


def _coached_session(request: HttpRequest, pk: int) -> CoachingSession:
    """The session, if the user may coach its rep: 404 if they may not see it, 403 if they only see it."""
    session = _visible_session(request, pk)
    if not rules.can_coach(request.user, session.rep):
        raise PermissionDenied(_("Only the rep's manager changes a coaching session."))
    return session


@login_required
def coaching_session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = _visible_session(request, pk)
    return _render_detail(request, session)


def _render_detail(
    request: HttpRequest,
    session: CoachingSession,
    *,
    edit_form: forms.SessionEditForm | None = None,
    feedback_form: forms.CoachingFeedbackForm | None = None,
    action_form: forms.ActionItemForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    can_coach = rules.can_coach(user, session.rep)
    agenda = selectors.agenda(user=user, session=session)
    context: dict[str, Any] = {
        "session": session,
        "can_coach": can_coach,
        "show_private": rules.can_see_private_notes(user, session),
        "agenda": agenda,
        "agenda_tables": _agenda_tables(agenda, review_session=session.pk if can_coach else None),
        "satisfaction": _satisfaction(agenda.satisfaction),
        "session_feedback": list(rules.visible_feedback(user).filter(session=session).select_related("given_by")),
        "session_actions": list(rules.visible_action_items(user).filter(session=session)),
        "today": timezone.localdate(),
        "is_own": getattr(rep_of(user), "pk", None) == session.rep_id,
    }
    if can_coach:
        context["edit_form"] = edit_form or forms.SessionEditForm(instance=session)
        context["feedback_form"] = feedback_form or forms.CoachingFeedbackForm()
        context["action_form"] = action_form or forms.ActionItemForm()
    return render(request, "coaching/session_detail.html", context, status=status)


def _agenda_tables(agenda: selectors.Agenda, review_session: int | None = None) -> dict[str, Table]:
    """The agenda's numbers as the dashboards' tables (same formatting, same captions style)."""
    last_week = Table(
        "last_week_plan",
        _("Activities of last week (from %(monday)s): done against plan") % {"monday": agenda.last_week.start.isoformat()},
        [
            fixed("label", _("Kind")),
            fixed("target", _("Weekly target"), Kind.INT),
            fixed("planned_this", _("Planned"), Kind.INT),
            fixed("planned_done_this", _("Of those done"), Kind.INT),
            fixed("done_this", _("Done"), Kind.INT),
        ],
        agenda.last_week_plan,
        empty=_("Nothing was planned or done last week, and no weekly target was set."),
    )
    figures = agenda.last_week_figures or {}
    last_week_figures = Table(
        "last_week_figures",
        _("Results of last week"),
        [
            fixed("contacts", _("Contacts"), Kind.INT),
            fixed("discovery_meetings", _("Discovery meetings"), Kind.INT),
            fixed("proposal_meetings", _("Proposal meetings"), Kind.INT),
            fixed("offers_submitted", _("Offers"), Kind.INT),
            fixed("deals_won", _("Deals won"), Kind.INT),
            fixed("won_revenue", _("Won revenue"), Kind.MONEY),
            fixed("plan_completion", _("Plan done"), Kind.PERCENT),
        ],
        [figures] if figures else [],
        empty=_("No figures for last week yet."),
    )
    quota = Table(
        "quota",
        _("Quota %(period)s") % {"period": agenda.quota_period.label} if agenda.quota_period else _("Quota"),
        [
            fixed("target", _("Target"), Kind.MONEY),
            fixed("won_revenue", _("Actual"), Kind.MONEY),
            fixed("attainment", _("Attainment"), Kind.PERCENT),
            fixed("pace", _("Pace"), Kind.PERCENT, help=_("Actual against what is expected by today.")),
            fixed("band", _("Band"), Kind.BAND),
            fixed("forecast", _("Forecast"), Kind.MONEY, help=_("Actual plus weighted pipeline.")),
            fixed("coverage", _("Coverage"), Kind.PERCENT, help=_("Open pipeline over what is still missing to the target.")),
        ],
        [agenda.quota_figures] if agenda.quota_figures else [],
        empty=_("No figures for the quota period yet."),
    )
    stage_table, _month_table = pipeline_tables(agenda.pipeline_by_stage, [])
    stage_table.empty = _("No open deals.")
    reviews = Table(
        "deals_to_review",
        _("Deals worth a review"),
        [
            Column("name", _("Opportunity"), link=_deal_link, sortable=False),
            fixed("account", _("Account")),
            fixed("stage", _("Stage")),
            fixed("amount", _("Amount"), Kind.MONEY),
            fixed("days_in_stage", _("Days in stage"), Kind.INT),
            fixed("reasons", _("Why")),
            fixed("tip", _("Stage tip")),
            *_review_link(review_session),
        ],
        [_review_row(review) for review in agenda.deals_to_review],
        empty=_("No deal needs a review: every open deal has a next step on time and a close date ahead."),
    )
    return {
        "last_week": last_week,
        "last_week_figures": last_week_figures,
        "next_plan": activity_plan_table(agenda.next_plan, agenda.this_week),
        "quota": quota,
        "pipeline": stage_table,
        "reviews": reviews,
    }


def _deal_link(row: Mapping[str, Any]) -> str:
    return reverse("opportunity_detail", args=[row["pk"]])


def _review_row(review: selectors.DealToReview) -> dict[str, Any]:
    deal = review.opportunity
    return {
        "pk": deal.pk,
        "name": deal.name,
        "account": deal.account.name if deal.account else "",
        "stage": deal.stage.name,
        "amount": deal.amount,
        "days_in_stage": review.days_in_stage,
        "reasons": "; ".join(str(reason) for reason in review.reasons),
        "tip": review.tip,
    }


def _review_link(session_id: int | None) -> list[Column]:
    """The "Record a review" column of the agenda, for whoever coaches the rep."""
    if session_id is None:
        return []
    return [
        Column(
            "review",
            _("Review"),
            get=lambda _row: _("Record a review"),
            link=lambda row: reverse("coaching_deal_review", args=[row["pk"]]) + f"?session={session_id}",
            sortable=False,
        )
    ]


def _satisfaction(row: Mapping[str, Any] | None) -> dict[str, str] | None:
    if not row:
        return None
    return {
        "csat": format_value(row.get("csat"), Kind.SCORE).text,
        "complaints": format_value(row.get("complaints"), Kind.INT).text,
    }


@login_required
@require_POST
def coaching_session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    session = _coached_session(request, pk)
    form = forms.SessionEditForm(request.POST, instance=session)
    if form.is_valid():
        try:
            services.session_update(session=session, **{name: form.cleaned_data[name] for name in form.changed_data})
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Session saved."))
            return redirect("coaching_session_detail", pk=session.pk)
    session.refresh_from_db()  # the form wrote its input onto the instance; show the stored session
    return _render_detail(request, session, edit_form=form, status=400)


@login_required
@require_POST
def coaching_feedback_create(request: HttpRequest, pk: int) -> HttpResponse:
    def give(session: CoachingSession, data: dict[str, Any]) -> Any:
        return services.feedback_give(rep=session.rep, given_by=request.user, session=session, **data)

    return _add_to_session(request, pk, forms.CoachingFeedbackForm, give, _("Feedback saved."), "feedback")


@login_required
@require_POST
def coaching_action_create(request: HttpRequest, pk: int) -> HttpResponse:
    def create(session: CoachingSession, data: dict[str, Any]) -> Any:
        return services.action_item_create(rep=session.rep, created_by=request.user, session=session, **data)

    return _add_to_session(request, pk, forms.ActionItemForm, create, _("Action item added."), "action")


def _add_to_session(
    request: HttpRequest,
    pk: int,
    form_class: type[django_forms.Form],
    write: Callable[[CoachingSession, dict[str, Any]], Any],
    saved: str,
    what: str,
) -> HttpResponse:
    """Feedback or an action item from a form on the session page; errors show on that form."""
    session = _coached_session(request, pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            write(session, form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, saved)
            anchor = "#feedback" if what == "feedback" else "#actions"
            return redirect(reverse("coaching_session_detail", args=[session.pk]) + anchor)
    return _render_detail(request, session, status=400, **{f"{what}_form": form})


# --- action items ---------------------------------------------------------------------------


@login_required
@require_POST
def coaching_action_done(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark an action item done (``done=1``) or open again (``done=0``)."""
    item = get_object_or_404(rules.visible_action_items(request.user).select_related("rep"), pk=pk)
    if not rules.can_tick_action_item(request.user, item):
        raise PermissionDenied
    done = request.POST.get("done")
    if done not in ("0", "1"):
        return HttpResponseBadRequest(_("Say done=1 to mark the action done, or done=0 to open it again."))
    services.action_item_set_done(item=item, done=done == "1")
    if done == "1":
        messages.success(request, _("Done: %(action)s.") % {"action": item.title})
    else:
        messages.success(request, _("Open again: %(action)s.") % {"action": item.title})
    default = reverse("coaching_session_detail", args=[item.session_id]) if item.session_id else reverse("coaching_home")
    return redirect(next_url(request, default))
