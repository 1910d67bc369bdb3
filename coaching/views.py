"""Coaching pages: the coaching overview, planning a session, the session page with its agenda,
notes, 3-part feedback and action items, and ticking an action item.

Thin views: records come through ``coaching.rules`` / ``coaching.selectors`` (a session the user
may not see answers 404), writes go through ``coaching.services``; who may coach is
``rules.can_coach`` (403 for the rep, who sees but does not coach).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coaching import agenda as agendas
from coaching import charts, forms, rules, selectors, services
from coaching.models import CoachingCadence, CoachingSession, EmailPreference, SessionStatus
from forecasts import tables as forecast_tables
from kpis import dashboard_selectors as reads
from kpis.exports import Column, Kind, Table, fixed, format_value
from kpis.periods import Period, PeriodKind
from kpis.views import (
    _JSON_SCRIPT_ESCAPES,
    Picker,
    activity_plan_table,
    pipeline_tables,
    require_manager_or_admin,
    team_of_request,
)
from reps import access
from reps.access import Role, rep_of, role_of
from reps.forms import add_service_errors
from reps.views import next_url
from salesperf import l10n

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
    if role != Role.ADMIN:  # the manager's own coaching share, week by week, against the ideal
        context["share_chart"] = _share_chart(user.pk, today)
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


def _share_chart(coach_id: int, today: dt.date) -> dict[str, Any]:
    weeks = selectors.coaching_share_by_week(coach_id=coach_id, today=today)
    table = Table(
        "coaching_share",
        _("Coaching time per week, last 12 weeks"),
        [
            fixed("week", _("Week (Monday)"), Kind.DATE),
            fixed("minutes", _("Minutes held"), Kind.INT),
            fixed("share", _("Share of working time"), Kind.PERCENT),
        ],
        weeks,
    )
    figure = charts.coaching_share_figure(weeks, selectors.IDEAL_COACHING_SHARE)
    return {
        "key": "coaching-share",
        "title": _("Your coaching share per week (ideal: half of your time)"),
        "figure_json": mark_safe(figure.to_json().translate(_JSON_SCRIPT_ESCAPES)),  # escaped like json_script
        "table": table,
    }


# --- cadence and email preferences ----------------------------------------------------------


@login_required
def coaching_cadence_edit(request: HttpRequest, rep_id: int) -> HttpResponse:
    """Set a rep's one-to-one cadence: the rep's managers (and admins) only."""
    require_manager_or_admin(request, _("Only managers set one-to-one cadences."))
    rep = get_object_or_404(selectors.coachable_reps(request.user), pk=rep_id)
    row = CoachingCadence.objects.filter(rep=rep).first()
    form = forms.CadenceForm(request.POST or None, instance=row or CoachingCadence(rep=rep))
    if request.method == "POST":
        if form.is_valid():
            try:
                services.cadence_set(rep=rep, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("One-to-one cadence of %(rep)s saved.") % {"rep": rep.name})
                return redirect("coaching_home")
        return render(request, "coaching/cadence_form.html", {"form": form, "rep": rep}, status=400)
    return render(request, "coaching/cadence_form.html", {"form": form, "rep": rep})


@login_required
def email_preferences(request: HttpRequest) -> HttpResponse:
    """Which coaching emails the user gets (any user with a role)."""
    if role_of(request.user) == Role.NONE:
        return render(request, "reps/no_role.html", status=403)
    row = EmailPreference.objects.filter(user=request.user).first() or EmailPreference(user=request.user)
    form = forms.EmailPreferenceForm(request.POST or None, instance=row)
    if request.method == "POST":
        if form.is_valid():
            services.email_preferences_update(user=request.user, **form.cleaned_data)
            messages.success(request, _("Email settings saved."))
            return redirect("coaching_email_preferences")
        return render(request, "coaching/email_preferences.html", {"form": form}, status=400)
    return render(request, "coaching/email_preferences.html", {"form": form})


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
    feedback_form: forms.SessionFeedbackForm | None = None,
    action_form: forms.SessionActionForm | None = None,
    pending_ticks: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    can_coach = rules.can_coach(user, session.rep)
    data = agendas.agenda_data(session)
    as_of = dt.datetime.fromisoformat(data["as_of"])
    frozen_at = dt.datetime.fromisoformat(data["frozen_at"]) if data.get("frozen_at") else None
    today = timezone.localdate()
    context: dict[str, Any] = {
        "session": session,
        "can_coach": can_coach,
        "show_private": rules.can_see_private_notes(user, session),
        "agenda": data,
        "as_of": as_of,
        "agenda_ahead": as_of < session.scheduled_for,  # a session still ahead: today's numbers, not its start's
        "frozen_at": frozen_at,
        # ticking in the agenda only while it shows today's state (not a past session's)
        "agenda_is_current": frozen_at is None and session.scheduled_for >= timezone.now(),
        "agenda_actions": _agenda_items(data["open_actions"], timezone.localdate(as_of)),
        "agenda_plan_actions": _agenda_items(data.get("account_plan_actions", []), timezone.localdate(as_of)),
        "agenda_feedback": [{**f, "date": dt.date.fromisoformat(f["date"])} for f in data["recent_feedback"]],
        "agenda_tables": _agenda_tables(data, review_session=session.pk if can_coach else None),
        "agenda_order_book": forecast_tables.agenda_tables(data.get("order_book_review")),
        "satisfaction": _satisfaction(data["satisfaction"]),
        "session_feedback": list(rules.visible_feedback(user).filter(session=session).select_related("given_by")),
        "session_actions": list(rules.visible_action_items(user).filter(session=session)),
        "session_reviews": _session_reviews(user, session),
        "today": today,
        "is_own": getattr(rep_of(user), "pk", None) == session.rep_id,
        "pending_ticks": pending_ticks or [],
        "unsaved": status != 200,
    }
    team = session.rep.team
    if team is not None and access.can_see_quotas(user, team):  # where a missing quota is set (the rep asks their manager)
        context["quota_url"] = reverse("quotas:grid") + f"?team={team.pk}"
        context["can_edit_quotas"] = access.can_edit_quotas(user, team)
    if can_coach:
        context["edit_form"] = edit_form or forms.SessionEditForm(instance=session)
        context["feedback_form"] = feedback_form or forms.SessionFeedbackForm(prefix="feedback")
        context["action_form"] = action_form or forms.SessionActionForm(prefix="action")
    return render(request, "coaching/session_detail.html", context, status=status)


def _session_reviews(user: Any, session: CoachingSession) -> list[Any]:
    """The deal reviews recorded in this session, each marked whether the viewer sees its
    private notes (its reviewer and the rep's managers; never the rep)."""
    reviews = list(
        rules.visible_deal_reviews(user)
        .filter(session=session)
        .select_related("opportunity", "reviewed_by")
        .prefetch_related("action_items")
        .order_by("created_at", "pk")
    )
    if reviews:
        is_rep = getattr(rep_of(user), "pk", None) == session.rep_id
        manages = not is_rep and access.can_manage_rep(user, session.rep)  # once: every review is of this rep
        for review in reviews:
            review.show_private = not is_rep and (manages or review.reviewed_by_id == user.pk)
    return reviews


def _agenda_items(rows: list[dict[str, Any]], day: dt.date) -> list[dict[str, Any]]:
    items = []
    for row in rows:
        due = dt.date.fromisoformat(row["due_date"]) if row.get("due_date") else None
        items.append({**row, "due_date": due, "overdue": due is not None and due < day})
    return items


def _period(data: Mapping[str, Any]) -> Period:
    return Period(PeriodKind(data["kind"]), dt.date.fromisoformat(data["start"]), dt.date.fromisoformat(data["end"]))


def _agenda_tables(data: Mapping[str, Any], review_session: int | None = None) -> dict[str, Table]:
    """The agenda's numbers as the dashboards' tables (same formatting, same captions style),
    from the agenda's data (live, or stored when the session was held)."""
    last_week_period = _period(data["last_week"])
    quota_period = _period(data["quota_period"]) if data.get("quota_period") else None
    last_week = Table(
        "last_week_plan",
        _("Activities of last week (from %(monday)s): done against plan")
        % {"monday": l10n.digits(last_week_period.start.isoformat())},
        [
            fixed("label", _("Kind")),
            fixed("target", _("Weekly target"), Kind.INT),
            fixed("planned_this", _("Planned"), Kind.INT),
            fixed("planned_done_this", _("Of those done"), Kind.INT),
            fixed("done_this", _("Done"), Kind.INT),
        ],
        data["last_week_plan"],
        empty=_("Nothing was planned or done last week, and no weekly target was set."),
    )
    figures = data.get("last_week_figures") or {}
    last_week_figures = Table(
        "last_week_figures",
        _("Results of last week"),
        [
            # a text first column: on a phone each row is a card headed by its first cell, and a
            # bare number ("24", "34,495") would head it without saying what it is
            fixed("week", _("Week")),
            fixed("contacts", _("Contacts"), Kind.INT),
            fixed("discovery_meetings", _("Discovery meetings"), Kind.INT),
            fixed("proposal_meetings", _("Proposal meetings"), Kind.INT),
            fixed("offers_submitted", _("Offers"), Kind.INT),
            fixed("deals_won", _("Deals won"), Kind.INT),
            fixed("won_revenue", _("Won revenue"), Kind.MONEY),
            fixed("plan_completion", _("Plan done"), Kind.PERCENT),
        ],
        [{**figures, "week": last_week_period.label}] if figures else [],
        empty=_("No figures for last week yet."),
    )
    quota = Table(
        "quota",
        _("Quota %(period)s") % {"period": quota_period.label} if quota_period else _("Quota"),
        [
            fixed("period", _("Period")),
            fixed("target", _("Target"), Kind.MONEY),
            fixed("won_revenue", _("Actual"), Kind.MONEY),
            fixed("attainment", _("Attainment"), Kind.PERCENT),
            fixed("pace", _("Pace"), Kind.PERCENT, help=_("Actual against what is expected by the session's day.")),
            fixed("band", _("Band"), Kind.BAND),
            fixed("forecast", _("Forecast"), Kind.MONEY, help=_("Actual plus weighted pipeline.")),
            fixed("coverage", _("Coverage"), Kind.PERCENT, help=_("Open pipeline over what is still missing to the target.")),
        ],
        [{**data["quota_figures"], "period": quota_period.label if quota_period else ""}] if data.get("quota_figures") else [],
        empty=_("No figures for the quota period yet."),
    )
    stage_table, _month_table = pipeline_tables(data["pipeline_by_stage"], [])
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
            fixed("reasons", _("Why"), Kind.FIGURES),
            fixed("tip", _("Stage tip")),
            *_review_link(review_session),
        ],
        [
            {
                **row,
                "pk": row["id"],
                "account": row["account"] or "",
                "reasons": "; ".join(row["reasons"]),
                "tip": row.get("tip", ""),
            }
            for row in data["deals_to_review"]
        ],
        empty=_("No deal needs a review: every open deal has a next step on time and a close date ahead."),
    )
    return {
        "last_week": last_week,
        "last_week_figures": last_week_figures,
        "next_plan": activity_plan_table(data["next_plan"], _period(data["this_week"])),
        "quota": quota,
        "pipeline": stage_table,
        "reviews": reviews,
    }


def _deal_link(row: Mapping[str, Any]) -> str:
    return reverse("opportunity_detail", args=[row["pk"]])


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


class _NotSaved(Exception):
    """A part of the page was refused: roll back every other part."""


def _ticks(request: HttpRequest) -> tuple[list[tuple[Any, bool]], list[str]]:
    """The action items ticked with the page's Done / Open again buttons (``tick=<id>:1|0``)."""
    raw = [value for value in request.POST.getlist("tick") if value]
    parsed: dict[int, bool] = {}
    for value in raw:
        pk, _sep, done = value.partition(":")
        if not pk.isdecimal() or done not in ("0", "1"):
            raise _BadTick
        parsed[int(pk)] = done == "1"
    items = {item.pk: item for item in rules.visible_action_items(request.user).filter(pk__in=parsed).select_related("rep")}
    if set(items) != set(parsed):
        raise Http404
    for item in items.values():
        if not rules.can_tick_action_item(request.user, item):
            raise PermissionDenied
    return [(items[pk], done) for pk, done in parsed.items()], raw


class _BadTick(Exception):
    pass


@login_required
@require_POST
def coaching_session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Save everything typed on the session page at once, whichever of its buttons was clicked:
    the session and its notes, new feedback, a new action item, and any action ticked. All or
    nothing: if one part is refused, nothing is saved and the page comes back with every
    field as typed and the errors next to them."""
    session = _coached_session(request, pk)
    edit_form = forms.SessionEditForm(request.POST, instance=session)
    feedback_form = forms.SessionFeedbackForm(request.POST, prefix="feedback")
    action_form = forms.SessionActionForm(request.POST, prefix="action")
    try:
        ticks, raw_ticks = _ticks(request)
    except _BadTick:
        return HttpResponseBadRequest(_("Say tick=<id>:1 to mark an action done, or tick=<id>:0 to open it again."))
    valid = all([edit_form.is_valid(), feedback_form.is_valid(), action_form.is_valid()])
    if valid:
        try:
            saved = _save_page(request, session, edit_form, feedback_form, action_form, ticks)
        except _NotSaved:
            pass
        else:
            messages.success(request, _("Saved: %(what)s.") % {"what": ", ".join(saved)} if saved else _("Nothing to save."))
            return redirect("coaching_session_detail", pk=session.pk)
    session.refresh_from_db()  # show the stored session above the forms
    return _render_detail(
        request,
        session,
        edit_form=edit_form,
        feedback_form=feedback_form,
        action_form=action_form,
        pending_ticks=raw_ticks,
        status=400,
    )


@transaction.atomic
def _save_page(
    request: HttpRequest,
    session: CoachingSession,
    edit_form: forms.SessionEditForm,
    feedback_form: forms.SessionFeedbackForm,
    action_form: forms.SessionActionForm,
    ticks: list[tuple[Any, bool]],
) -> list[str]:
    saved: list[str] = []
    failed = False
    changes = {name: edit_form.cleaned_data[name] for name in edit_form.changed_data}
    try:
        if changes:
            services.session_update(session=session, **changes)
            saved.append(_("the session"))
    except ValidationError as error:
        add_service_errors(edit_form, error)
        failed = True
    if not feedback_form.is_blank:
        try:
            services.feedback_give(rep=session.rep, given_by=request.user, session=session, **feedback_form.cleaned_data)
            saved.append(_("the feedback"))
        except ValidationError as error:
            add_service_errors(feedback_form, error)
            failed = True
    if not action_form.is_blank:
        try:
            services.action_item_create(rep=session.rep, created_by=request.user, session=session, **action_form.cleaned_data)
            saved.append(_("the action item"))
        except ValidationError as error:
            add_service_errors(action_form, error)
            failed = True
    for item, done in ticks:
        services.action_item_set_done(item=item, done=done)
        saved.append((_("done: %(action)s") if done else _("open again: %(action)s")) % {"action": item.title})
    if failed:
        raise _NotSaved  # rolls back the parts already written
    return saved


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
