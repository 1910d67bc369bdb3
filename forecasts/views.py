"""The forecast page: a rep's call, or a team's roll-up of its reps' and sub-teams' calls."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from forecasts import selectors, services
from forecasts import tables as forecast_tables
from forecasts.forms import ForecastForm
from kpis import dashboard_selectors as reads
from kpis.exports import Kind, format_value
from kpis.periods import Period, PeriodKind
from kpis.views import Picker, team_of_request
from reps import access
from reps.models import ForecastCategory

KINDS = (PeriodKind.MONTH, PeriodKind.QUARTER)


def _labelled(deals: Any) -> list[Any]:
    rows = list(deals)
    for deal in rows:
        deal.category_label = ForecastCategory(deal.category).label
    return rows


def _submit(request: HttpRequest, form: ForecastForm, period: Period, **owner: Any) -> bool:
    if not form.is_valid():
        return False
    try:
        services.forecast_submit(
            by_user=request.user, period_kind=period.kind.value, period_start=period.start, **form.cleaned_data, **owner
        )
    except ValidationError as error:
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return False
    messages.success(request, _("Your forecast for %(period)s is submitted.") % {"period": period.label})
    return True


@login_required
def forecast(request: HttpRequest) -> HttpResponse:
    """``?rep=`` a rep's call (their own by default, for a rep); else a team's (``?team=``)."""
    user = request.user
    today = timezone.localdate()
    own = access.rep_of(user)
    teams = reads.team_choices(user) if access.is_manager_or_admin(user) else []
    rep_param = request.GET.get("rep", "").strip()
    if rep_param or not teams:
        if rep_param:
            rep = access.visible_reps(user).select_related("user").filter(pk=rep_param if rep_param.isdigit() else 0).first()
            if rep is None:
                raise Http404(_("No such rep among the ones you may see."))
        elif own is not None:
            rep = own
        else:
            raise PermissionDenied(_("The forecast page is for reps and the managers of a team."))
        return _rep_page(request, rep=rep, today=today)
    team = team_of_request(request, teams, _("You may only forecast for the teams you manage."))
    return _team_page(request, teams=teams, team=team, today=today)


def _rep_page(request: HttpRequest, *, rep: Any, today: Any) -> HttpResponse:
    picker = Picker(request, today=today, kinds=KINDS)
    period = picker.period
    deals = selectors.deal_figures(user=request.user, rep_ids=[rep.pk], period=period, today=today)[rep.pk]
    may_submit = services.can_submit(request.user, rep=rep)
    form = ForecastForm(initial={"commit": deals.commit, "best_case": deals.best_case})
    if request.method == "POST":
        if not may_submit:
            raise PermissionDenied(_("Only the rep calls their own forecast."))
        form = ForecastForm(request.POST)
        if _submit(request, form, period, rep=rep):
            return redirect(request.get_full_path())
    calls = selectors.history(selectors.submissions(period=period, rep_ids=[rep.pk]))
    scores = selectors.accuracy(user=request.user, kind=period.kind.value, today=today, rep_ids=[rep.pk])[("rep", rep.pk)]
    context = {
        "picker": picker,
        "period": period,
        "rep": rep,
        "deals": deals,
        "deal_rows": _labelled(selectors.deals_behind(rep_ids=[rep.pk], period=period, today=today)),
        "form": form if may_submit else None,
        "history": calls[::-1],
        "accuracy_table": forecast_tables.accuracy_table(scores),
        "accuracy_summary": forecast_tables.accuracy_summary(scores),
    }
    return render(request, "forecasts/rep_forecast.html", context, status=400 if form.errors else 200)


def _team_page(request: HttpRequest, *, teams: Any, team: Any, today: Any) -> HttpResponse:
    picker = Picker(request, today=today, teams=teams, team=team, kinds=KINDS)
    period = picker.period
    data = selectors.team_forecast(user=request.user, team=team, period=period, today=today)
    form = ForecastForm(initial={"commit": data.roll_up_commit, "best_case": data.roll_up_best_case})
    if request.method == "POST":
        form = ForecastForm(request.POST)
        if _submit(request, form, period, team=team):
            return redirect(request.get_full_path())
    rep_ids = [row["rep"].pk for row in data.reps]
    scores = selectors.accuracy(user=request.user, kind=period.kind.value, today=today, rep_ids=rep_ids, team_ids=[team.pk])
    for row in data.reps:
        rep_scores = scores[("rep", row["rep"].pk)]
        row["mean_error"] = format_value(rep_scores["mape_end"], Kind.PERCENT).text
        row["bias"] = format_value(rep_scores["bias_end"], Kind.PERCENT).text
    context = {
        "picker": picker,
        "period": period,
        "team": team,
        "data": data,
        "form": form,
        "history": data.history[::-1],
        "accuracy_table": forecast_tables.accuracy_table(scores[("team", team.pk)]),
        "accuracy_summary": forecast_tables.accuracy_summary(scores[("team", team.pk)]),
        "deal_rows": _labelled(selectors.deals_behind(rep_ids=rep_ids, period=period, today=today)),
    }
    return render(request, "forecasts/team_forecast.html", context, status=400 if form.errors else 200)
