"""Pages where a manager records a deal review, recognition of good work and an account plan.

Thin views, as in ``coaching.views``: a record the user may not see answers 404, one they see
but may not coach 403 (``rules.can_coach``); writes go through ``coaching.services``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coaching import forms, rules, selectors, services
from coaching.models import AccountPlanAction, CoachingSession
from kpis import dashboard_selectors as reads
from reps import access
from reps import selectors as rep_selectors
from reps.forms import add_service_errors
from reps.views import next_url

REVIEWS_SHOWN = 10  # earlier reviews of the deal, on its review page
RECOGNITIONS_SHOWN = 10


def _session_of(request: HttpRequest, rep_id: int) -> CoachingSession | None:
    """The session the review is made in (``session`` in the query or form), if any."""
    raw = (request.POST.get("session") or request.GET.get("session") or "").strip()
    if not raw:
        return None
    if not raw.isdecimal():
        raise ValidationError(_("The session is given by its number."))
    session = selectors.sessions_of(user=request.user).filter(pk=int(raw), rep_id=rep_id).first()
    if session is None:
        raise Http404(_("No such session with this rep among the ones you may see."))
    return session


@login_required
def deal_review_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a review of one open deal: is the rep in control, what is missing, the next step."""
    user = request.user
    opportunity = get_object_or_404(rep_selectors.visible_opportunities(user), pk=pk)
    rep = opportunity.owner
    if not rules.can_coach(user, rep):
        raise PermissionDenied(_("Only the rep's manager reviews their deals."))
    try:
        session = _session_of(request, rep.pk)
    except ValidationError as error:
        return HttpResponseBadRequest(error.messages[0])
    form = forms.DealReviewForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.deal_review_record(
                    opportunity=opportunity, reviewed_by=user, session=session, actions=form.actions(), **form.review_fields()
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Review of %(deal)s saved.") % {"deal": opportunity.name})
                if session is not None:
                    return redirect(
                        reverse("coaching_session_detail", args=[session.pk]) + "#session-reviews"
                    )  # the review just recorded
                return redirect(next_url(request, reverse("rep_detail", args=[rep.pk]) + "#review-heading"))
        status = 400
    else:
        status = 200
    today = timezone.localdate()
    flagged = selectors.deals_to_review(user=user, rep_ids=[rep.pk], today=today, per_rep=10**6).get(rep.pk, [])
    reasons = next((review.reasons for review in flagged if review.opportunity.pk == opportunity.pk), [])
    earlier = list(
        rules.visible_deal_reviews(user)
        .filter(opportunity=opportunity)
        .select_related("reviewed_by")
        .prefetch_related("action_items")[:REVIEWS_SHOWN]
    )
    for review in earlier:
        review.show_private = rules.can_see_review_notes(user, review)  # type: ignore[attr-defined]
    context: dict[str, Any] = {
        "form": form,
        "opportunity": opportunity,
        "rep": rep,
        "session": session,
        "tip": selectors.stage_tip(opportunity.stage_id),
        "days_in_stage": reads.days_in_stage(opportunity, today),
        "reasons": reasons,
        "earlier": earlier,
        "next": request.POST.get("next") or request.GET.get("next") or "",
    }
    return render(request, "coaching/deal_review_form.html", context, status=status)


@login_required
def recognition_create(request: HttpRequest, rep_id: int) -> HttpResponse:
    """Recognise a rep's good work; the rep sees it, and the team if the manager shares it."""
    user = request.user
    rep = get_object_or_404(access.visible_reps(user).select_related("user", "team"), pk=rep_id)
    if not rules.can_coach(user, rep):
        raise PermissionDenied(_("Only the rep's manager gives them recognition."))
    form = forms.RecognitionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.recognition_give(rep=rep, given_by=user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Recognition for %(rep)s saved.") % {"rep": rep.name})
                return redirect(next_url(request, reverse("rep_detail", args=[rep.pk]) + "#recognition-heading"))
        status = 400
    recent = list(rules.visible_recognitions(user).filter(rep=rep).select_related("given_by")[:RECOGNITIONS_SHOWN])
    context = {"form": form, "rep": rep, "recent": recent, "next": request.POST.get("next") or request.GET.get("next") or ""}
    return render(request, "coaching/recognition_form.html", context, status=status)


@login_required
def account_plan_create(request: HttpRequest, pk: int) -> HttpResponse:
    """A plan of actions for one customer, with owners and due dates (the account's owner follows it up)."""
    user = request.user
    account = get_object_or_404(rep_selectors.visible_accounts(user), pk=pk)
    rep = account.owner
    if rep is None or not rules.can_coach(user, rep):
        raise PermissionDenied(_("Only the manager of the account's owner plans it."))
    owners = [rep.user, user]
    form = forms.AccountPlanForm(request.POST or None, owners=owners)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.account_plan_create(
                    account=account, rep=rep, created_by=user, goal=form.cleaned_data["goal"], actions=form.actions()
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Plan for %(account)s saved.") % {"account": account.name})
                return redirect(reverse("rep_detail", args=[rep.pk]) + "#plans-heading")
        status = 400
    return render(request, "coaching/account_plan_form.html", {"form": form, "account": account, "rep": rep}, status=status)


@login_required
@require_POST
def account_plan_action_done(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark an account plan's action done (``done=1``) or open again (``done=0``): the rep and their managers."""
    action = get_object_or_404(
        AccountPlanAction.objects.filter(plan__in=rules.visible_account_plans(request.user)).select_related("plan__rep"),
        pk=pk,
    )
    rep = action.plan.rep
    if not (getattr(access.rep_of(request.user), "pk", None) == rep.pk or access.can_manage_rep(request.user, rep)):
        raise PermissionDenied
    done = request.POST.get("done")
    if done not in ("0", "1"):
        return HttpResponseBadRequest(_("Say done=1 to mark the action done, or done=0 to open it again."))
    services.account_plan_action_set_done(action=action, done=done == "1")
    messages.success(
        request, (_("Done: %(action)s.") if done == "1" else _("Open again: %(action)s.")) % {"action": action.title}
    )
    return redirect(next_url(request, reverse("rep_detail", args=[rep.pk]) + "#plans-heading"))
