"""Pages of the sales team: the landing redirect, the rep's week, opportunities and accounts.

Views stay thin: they parse the request, call a selector or a service, and render. Records
are always fetched through reps.selectors, so another rep's record answers 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Count, F, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from coaching import rules as coaching_rules
from coaching import selectors as coaching_selectors
from reps import filters, forms, selectors, services
from reps.access import Role, can_manage_rep, is_admin, rep_of, role_of
from reps.models import ActivityStatus, Pipeline, StageKind

PAGE_SIZE = 25
TIMELINE_PAGE_SIZE = 20


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each role to its landing page: managers and admins the dashboard, reps their week."""
    role = role_of(request.user)
    if role == Role.REP:
        return redirect("my_week")
    if role == Role.NONE:
        return render(request, "reps/no_role.html", status=403)
    return redirect("dashboard")


@login_required
def team_overview(request: HttpRequest) -> HttpResponse:
    """The reps a user may see, by team: a plain roster beside the dashboard."""
    if role_of(request.user) == Role.NONE:
        raise PermissionDenied
    return render(request, "reps/team_overview.html", {"teams": selectors.team_overview(request.user)})


# --- helpers ------------------------------------------------------------------------------


def _require_role(request: HttpRequest) -> None:
    if role_of(request.user) == Role.NONE:
        raise PermissionDenied


def _paginate(request: HttpRequest, queryset: QuerySet) -> Page:
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def next_url(request: HttpRequest, default: str) -> str:
    """``next`` (POST or GET) if it points into this site, else ``default``: no open redirect."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# --- the rep's week -----------------------------------------------------------------------


@login_required
def my_week(request: HttpRequest) -> HttpResponse:
    """A rep's landing page: what is due, a quick-add form, next week and their quota pace."""
    rep = rep_of(request.user)
    if rep is None:
        return redirect("home") if role_of(request.user) != Role.NONE else render(request, "reps/no_role.html", status=403)
    return render(request, "reps/my_week.html", _week_context(request, rep, forms.QuickAddForm(user=request.user)))


def _week_context(request: HttpRequest, rep: Any, form: forms.QuickAddForm) -> dict[str, Any]:
    today = timezone.localdate()
    monday, sunday = selectors.week_bounds(today)
    next_monday, next_sunday = selectors.week_bounds(sunday + dt.timedelta(days=1))
    return {
        "rep": rep,
        "today": today,
        "form": form,
        "targets": selectors.quick_add_targets(request.user),
        "due_today": selectors.planned_activities(rep, None, today),
        "this_week": selectors.planned_activities(rep, today + dt.timedelta(days=1), sunday),
        "next_week": selectors.planned_activities(rep, next_monday, next_sunday),
        "done_today": selectors.done_activities_on(rep, today),
        "week_start": monday,
        "week_end": sunday,
        "pace": selectors.quota_pace(request.user, rep, today),
    }


@login_required
def activity_quick_add(request: HttpRequest) -> HttpResponse:
    """Create an activity from the quick-add form; on errors show the week again with them."""
    rep = rep_of(request.user)
    if rep is None:
        raise PermissionDenied
    if request.method != "POST":
        return redirect("my_week")
    form = forms.QuickAddForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            activity = services.activity_create(owner=rep, by_user=request.user, **form.service_kwargs())
        except ValidationError as error:
            forms.add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Saved: %(kind)s %(status)s.")
                % {"kind": activity.get_kind_display(), "status": activity.get_status_display().lower()},
            )
            return redirect(next_url(request, reverse("my_week")))
    return render(request, "reps/my_week.html", _week_context(request, rep, form), status=400)


@login_required
@require_POST
def activity_done(request: HttpRequest, pk: int) -> HttpResponse:
    """One click: mark a planned activity done now."""
    activity = get_object_or_404(selectors.visible_activities(request.user), pk=pk)
    if not selectors.can_write(request.user, activity.owner):
        raise PermissionDenied  # managers read their reps' activities, they do not log them
    if activity.status != ActivityStatus.DONE:
        services.activity_mark_done(activity=activity)
        messages.success(request, _("Marked as done: %(activity)s.") % {"activity": activity})
    return redirect(next_url(request, reverse("my_week")))


# --- opportunities ------------------------------------------------------------------------


@login_required
def opportunity_list(request: HttpRequest) -> HttpResponse:
    _require_role(request)
    queryset = selectors.visible_opportunities(request.user).order_by("expected_close_date", "-pk")
    data = request.GET.copy()
    data.setdefault("state", "open")  # open deals unless the user asks for others
    filterset = filters.OpportunityFilter(data, queryset=queryset, request=request)
    found = filterset.qs if filterset.is_valid() else queryset.none()
    sort = request.GET.get("sort", "")
    if sort.lstrip("-") in OPPORTUNITY_SORTS:
        field = OPPORTUNITY_SORTS[sort.lstrip("-")]
        found = found.order_by(F(field).desc(nulls_last=True) if sort.startswith("-") else F(field).asc(nulls_last=True), "-pk")
    else:
        sort = ""
    total = found.aggregate(amount=Sum("amount"), count=Count("pk"))
    page = _paginate(request, found)
    query = _query_without_page(request)
    return render(
        request,
        "reps/opportunity_list.html",
        {
            "filter": filterset,
            "page": page,
            "query": query,
            "sort": sort,
            "sort_query": "&".join(part for part in query.split("&") if part and not part.startswith("sort=")),
            "headers": [
                (
                    key,
                    label,
                    "-" + key if sort == key else key,
                    sort.lstrip("-") == key and ("descending" if sort.startswith("-") else "ascending"),
                )
                for key, label in OPPORTUNITY_HEADERS
            ],
            "total": total,
        },
    )


# The list's sortable columns: ?sort=<key> (or -<key>) → the field it orders by.
OPPORTUNITY_SORTS = {
    "name": "name",
    "account": "account__name",
    "stage": "stage__order",
    "amount": "amount",
    "expected_close": "expected_close_date",
    "forecast": "forecast_category",
    "next_step": "next_step_date",
    "owner": "owner__user__last_name",
}
OPPORTUNITY_HEADERS = [
    ("name", gettext_lazy("Name")),
    ("account", gettext_lazy("Account")),
    ("stage", gettext_lazy("Stage")),
    ("amount", gettext_lazy("Amount")),
    ("expected_close", gettext_lazy("Expected close")),
    ("forecast", gettext_lazy("Forecast")),
    ("next_step", gettext_lazy("Next step")),
    ("owner", gettext_lazy("Owner")),
]


@login_required
def opportunity_board(request: HttpRequest) -> HttpResponse:
    """Open deals by stage of one pipeline, with the deals closed in the last 30 days."""
    _require_role(request)
    pipelines = list(Pipeline.objects.order_by("-is_default", "name"))
    if not pipelines:
        return render(request, "reps/opportunity_board.html", {"columns": [], "pipelines": []})
    pipeline = next((p for p in pipelines if str(p.pk) == request.GET.get("pipeline")), pipelines[0])
    today = timezone.localdate()
    columns = selectors.board_columns(request.user, pipeline, since=today - dt.timedelta(days=30))
    return render(
        request,
        "reps/opportunity_board.html",
        {
            "columns": columns,
            "pipeline": pipeline,
            "pipelines": pipelines,
            "stages": list(pipeline.stages.all()),
            "writable_owner_ids": _writable_owner_ids(request),
            "today": today,
        },
    )


def _writable_owner_ids(request: HttpRequest) -> set[int] | None:
    """Owners whose deals the user may move: None means all of them (admins)."""
    if is_admin(request.user):
        return None
    own = rep_of(request.user)
    return {own.pk} if own is not None else set()


@login_required
def opportunity_create(request: HttpRequest) -> HttpResponse:
    _require_role(request)
    if rep_of(request.user) is None and not is_admin(request.user):
        raise PermissionDenied  # deals are logged by their rep or an admin (reps/rules.py)
    form = forms.OpportunityCreateForm(request.POST or None, user=request.user, initial=request.GET.dict())
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        owner = data.pop("owner", None) or rep_of(request.user)
        if owner is None:
            form.add_error("owner", _("Choose the rep who owns this deal."))
        else:
            try:
                opportunity = services.opportunity_create(owner=owner, by_user=request.user, **data)
            except ValidationError as error:
                forms.add_service_errors(form, error)
            else:
                messages.success(request, _("Opportunity created."))
                return redirect("opportunity_detail", pk=opportunity.pk)
    return render(request, "reps/opportunity_form.html", {"form": form, "title": _("New opportunity")})


@login_required
def opportunity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = selectors.opportunity_detail(request.user, pk)
    return render(
        request,
        "reps/opportunity_detail.html",
        {
            "opportunity": opportunity,
            "move_form": forms.MoveForm(opportunity=opportunity),
            "can_write": selectors.can_write(request.user, opportunity.owner),
            "can_reassign": can_manage_rep(request.user, opportunity.owner),
            # what a good rep does in this stage (coaching.StageTip), while the deal is open
            "stage_tip": None if opportunity.stage.is_closed else coaching_selectors.stage_tip(opportunity.stage_id),
        },
    )


@login_required
def opportunity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = get_object_or_404(selectors.visible_opportunities(request.user), pk=pk)
    may_write = selectors.can_write(request.user, opportunity.owner)
    if not (may_write or can_manage_rep(request.user, opportunity.owner)):
        raise PermissionDenied
    form = forms.OpportunityEditForm(request.POST or None, instance=opportunity, user=request.user)
    if not may_write:
        form.keep_only_owner()  # a manager gives the deal to another rep; the owner edits it
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.changed_data}
        owner = data.pop("owner", None)
        try:
            services.opportunity_update(opportunity=opportunity, **data)
            if owner is not None and owner.pk != opportunity.owner_id:
                if not can_manage_rep(request.user, opportunity.owner):
                    raise ValidationError({"owner": _("Only the owner's manager may give this deal to another rep.")})
                services.opportunity_reassign(opportunity=opportunity, owner=owner, by_user=request.user)
        except ValidationError as error:
            forms.add_service_errors(form, error)
        else:
            messages.success(request, _("Opportunity saved."))
            return redirect("opportunity_detail", pk=opportunity.pk)
    return render(
        request,
        "reps/opportunity_form.html",
        {"form": form, "opportunity": opportunity, "title": _("Edit %(name)s") % {"name": opportunity.name}},
    )


@login_required
def opportunity_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a deal to another stage; a loss asks for its reason (from the board or the deal)."""
    opportunity = get_object_or_404(selectors.visible_opportunities(request.user), pk=pk)
    if not selectors.can_write(request.user, opportunity.owner):
        raise PermissionDenied
    form = forms.MoveForm(request.POST or None, opportunity=opportunity)
    if request.method == "POST" and form.is_valid():
        stage = form.cleaned_data["stage"]
        if stage.is_closed and request.POST.get("ask_close") and "close_date" not in request.POST:
            # a board card's one-line form (no JavaScript): ask for the close date (and a loss's
            # reason) on this page before anything is written
            form = forms.MoveForm(initial={"stage": stage, "close_date": timezone.localdate()}, opportunity=opportunity)
            return render(request, "reps/opportunity_move.html", {"form": form, "opportunity": opportunity, "asking": stage})
        if stage.kind == StageKind.LOST and not form.cleaned_data["lost_reason"]:
            form.add_error("lost_reason", _("Say why the deal was lost."))
        else:
            try:
                services.opportunity_move(
                    opportunity=opportunity,
                    stage=stage,
                    by_user=request.user,
                    lost_reason=form.cleaned_data["lost_reason"],
                    close_date=form.cleaned_data["close_date"],
                )
            except ValidationError as error:
                forms.add_service_errors(form, error)
            else:
                messages.success(request, _("%(name)s moved to %(stage)s.") % {"name": opportunity.name, "stage": stage.name})
                return redirect(next_url(request, reverse("opportunity_detail", args=[opportunity.pk])))
    status = 400 if request.method == "POST" else 200
    return render(request, "reps/opportunity_move.html", {"form": form, "opportunity": opportunity}, status=status)


# --- accounts -----------------------------------------------------------------------------


@login_required
def account_list(request: HttpRequest) -> HttpResponse:
    _require_role(request)
    queryset = selectors.account_list(request.user)
    filterset = filters.AccountFilter(request.GET, queryset=queryset, request=request)
    page = _paginate(request, filterset.qs if filterset.is_valid() else queryset.none())
    return render(request, "reps/account_list.html", {"filter": filterset, "page": page, "query": _query_without_page(request)})


@login_required
def account_create(request: HttpRequest) -> HttpResponse:
    _require_role(request)
    form = forms.AccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if "owner" not in form.fields:
            data["owner"] = rep_of(request.user)
        try:
            account = services.account_create(**data)
        except ValidationError as error:
            forms.add_service_errors(form, error)
        else:
            messages.success(request, _("Account created."))
            return redirect("account_detail", pk=account.pk)
    return render(request, "reps/account_form.html", {"form": form, "title": _("New account")})


@login_required
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    account = selectors.account_detail(request.user, pk)
    return render(request, "reps/account_detail.html", _account_context(request, account, forms.FeedbackForm()))


def _account_context(request: HttpRequest, account: Any, feedback_form: forms.FeedbackForm) -> dict[str, Any]:
    timeline = Paginator(selectors.account_timeline(request.user, account.pk), TIMELINE_PAGE_SIZE)
    query = request.GET.copy()
    query.pop("timeline_page", None)
    return {
        "account": account,
        "timeline": timeline.get_page(request.GET.get("timeline_page")),
        "timeline_query": query.urlencode(),
        "feedback_form": feedback_form,
        "can_edit": selectors.can_edit_account(request.user, account),
        # the manager of the account's owner plans actions for the customer (coaching.AccountPlan)
        "can_plan": account.owner is not None and coaching_rules.can_coach(request.user, account.owner),
        "account_plans": coaching_selectors.account_plans_of_account(user=request.user, account_id=account.pk),
    }


@login_required
def account_edit(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(selectors.visible_accounts(request.user), pk=pk)
    if not selectors.can_edit_account(request.user, account):
        raise PermissionDenied
    form = forms.AccountForm(request.POST or None, instance=account, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.account_update(account=account, **{name: form.cleaned_data[name] for name in form.changed_data})
        except ValidationError as error:
            forms.add_service_errors(form, error)
        else:
            messages.success(request, _("Account saved."))
            return redirect("account_detail", pk=account.pk)
    return render(
        request, "reps/account_form.html", {"form": form, "account": account, "title": _("Edit %(name)s") % {"name": account}}
    )


@login_required
@require_POST
def feedback_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Record customer feedback on an account the user sees, credited to the user (a rep)."""
    _require_role(request)
    account = get_object_or_404(selectors.visible_accounts(request.user), pk=pk)
    form = forms.FeedbackForm(request.POST)
    if form.is_valid():
        try:
            services.feedback_create(account=account, by_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            forms.add_service_errors(form, error)
        else:
            messages.success(request, _("Feedback recorded."))
            return redirect(reverse("account_detail", args=[account.pk]) + "#feedback")
    account = selectors.account_detail(request.user, pk)
    return render(request, "reps/account_detail.html", _account_context(request, account, form), status=400)
