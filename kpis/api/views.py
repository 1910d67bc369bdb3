"""KPI read API: thin views over kpis.selectors (permissions come from reps.access there)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kpis import segments, selectors
from kpis.api import serializers
from kpis.periods import Period


class KpiTableApi(APIView):
    """Every KPI of docs/kpis.md per rep or per team over a period of whole days, with the quota
    figures of one metric (won revenue by default). Shown percentages are rounded; bands
    compare the exact values."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=[serializers.KpiTableInputSerializer], responses=serializers.KpiRowSerializer(many=True))
    def get(self, request: Request) -> Response:
        params = serializers.KpiTableInputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data: dict[str, Any] = params.validated_data
        rows = selectors.kpi_table(
            user=request.user,
            start=data["start"],
            end=data["end"],
            group_by=data["group_by"],
            team_id=data.get("team"),
            metric=data["metric"],
            activity_kind=data.get("activity_kind", ""),
        )
        return Response(serializers.KpiRowSerializer(rows, many=True).data)


class KpiWeeklyApi(APIView):
    """The weekly KPI series of one rep or one team, oldest week first."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=[serializers.WeeklyInputSerializer], responses=serializers.WeeklyRowSerializer(many=True))
    def get(self, request: Request) -> Response:
        params = serializers.WeeklyInputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data: dict[str, Any] = params.validated_data
        series = selectors.weekly_series(user=request.user, rep_id=data.get("rep"), team_id=data.get("team"), weeks=data["weeks"])
        return Response(serializers.WeeklyRowSerializer(series, many=True).data)


class SegmentsApi(APIView):
    """Growth by segment, territory, product or sector: won revenue, deals won, win rate and
    average deal size for a period, the same days a year before and the period before."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=[serializers.SegmentsInputSerializer], responses=serializers.SegmentReportSerializer)
    def get(self, request: Request) -> Response:
        params = serializers.SegmentsInputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data: dict[str, Any] = params.validated_data
        scope = segments.segment_scope(user=request.user, team_id=data.get("team"), rep_id=data.get("rep"))
        report = segments.segment_growth(by=data["by"], period=Period.of_range(data["start"], data["end"]), **scope)
        return Response(serializers.SegmentReportSerializer(report).data)
