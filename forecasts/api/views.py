"""Forecast API: list and submit calls, and one rep's or team's history for a period."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from forecasts import selectors, services
from forecasts.api import serializers
from forecasts.models import ForecastSubmission
from reps.access import visible_reps, visible_teams
from reps.api.views import HasSalesRole, Pagination


def visible_submissions(user: Any) -> Any:
    """Calls of the reps and teams the user may see."""
    return ForecastSubmission.objects.filter(rep__in=visible_reps(user)) | ForecastSubmission.objects.filter(
        team__in=visible_teams(user)
    )


class ForecastListApi(generics.GenericAPIView):
    """Calls of the reps and teams you may see, newest first; POST submits a new one."""

    permission_classes = [HasSalesRole]
    pagination_class = Pagination
    serializer_class = serializers.ForecastSubmissionSerializer
    queryset = ForecastSubmission.objects.none()

    @extend_schema(
        parameters=[serializers.ForecastQuerySerializer], responses=serializers.ForecastSubmissionSerializer(many=True)
    )
    def get(self, request: Request) -> Response:
        params = serializers.ForecastQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        qs = visible_submissions(request.user).filter(**params.validated_data)
        page = self.paginate_queryset(qs.order_by("-submitted_at", "-pk"))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=serializers.ForecastSubmitSerializer, responses={201: serializers.ForecastSubmissionSerializer})
    def post(self, request: Request) -> Response:
        data = serializers.ForecastSubmitSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = {k: v for k, v in data.validated_data.items() if v is not None}
        submission = services.forecast_submit(by_user=request.user, **values)
        return Response(serializers.ForecastSubmissionSerializer(submission).data, status=status.HTTP_201_CREATED)


class ForecastHistoryApi(APIView):
    """One rep's or team's calls for a period, oldest first, each with its move, and the prefill."""

    permission_classes = [HasSalesRole]

    @extend_schema(parameters=[serializers.ForecastHistoryQuerySerializer], responses=serializers.ForecastHistorySerializer)
    def get(self, request: Request) -> Response:
        params = serializers.ForecastHistoryQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        period = services.forecast_period(data["period_kind"], data["period_start"])
        today = timezone.localdate()
        if "rep" in data:
            rep = visible_reps(request.user).filter(pk=data["rep"]).first()
            if rep is None:
                raise Http404
            deals = selectors.deal_figures(user=request.user, rep_ids=[rep.pk], period=period, today=today)[rep.pk]
            moves = selectors.history(selectors.submissions(period=period, rep_ids=[rep.pk]))
            body = {"prefill_commit": deals.commit, "prefill_best_case": deals.best_case, "won": deals.won, "moves": moves}
        else:
            team = visible_teams(request.user).filter(pk=data["team"]).first()
            if team is None:
                raise Http404
            forecast = selectors.team_forecast(user=request.user, team=team, period=period, today=today)
            body = {
                "prefill_commit": forecast.roll_up_commit,
                "prefill_best_case": forecast.roll_up_best_case,
                "won": forecast.deals.won,
                "moves": forecast.history,
            }
        return Response(serializers.ForecastHistorySerializer(body).data)
