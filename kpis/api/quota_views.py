"""REST API of quotas and weekly activity targets: admins write (managers too for their teams
when SALESPERF_MANAGERS_EDIT_QUOTAS is on), managers read their teams', reps their own.

Every write goes through kpis.quotas (the rules of the grid, uploads and admin) and is kept in
the history with the source "api". A record outside the user's scope answers 404, one they
see but may not change 403, a rep or team they may not use 400 on its field.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ParseError, PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from kpis import quota_selectors, quotas
from kpis.api import quota_serializers as s
from kpis.filters import ActivityTargetFilter, QuotaFilter
from kpis.models import ActivityTarget, Quota
from reps import access
from reps.api.views import SalesAPI

SOURCE = "api"
MAX_BULK_ROWS = 10_000


def _may_write(user: Any) -> None:
    if not access.can_edit_quotas(user):
        raise PermissionDenied(_("Only admins may change quotas and activity targets."))


def _may_change(user: Any, obj: Quota | ActivityTarget) -> None:
    if not quota_selectors.can_edit_owner(user, obj.rep_id, obj.team_id):
        raise PermissionDenied(_("You may not change the targets of this rep or team."))


def _apply(obj: Any, data: dict[str, Any]) -> None:
    for name, value in data.items():
        setattr(obj, name, value)


class QuotaViewSet(SalesAPI, viewsets.ModelViewSet):
    """Quotas: a target for one rep or one team, for one metric, over a range of whole days.

    Quotas of one metric (and activity kind) for one rep or team never overlap. Save a whole
    grid at once, all or nothing, with ``POST /quotas/bulk/``.
    """

    serializer_class = s.QuotaSerializer
    filterset_class = QuotaFilter
    ordering_fields = ["id", "start_date", "end_date", "target"]
    ordering = ["-start_date", "id"]
    queryset = Quota.objects.none()

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return quota_selectors.visible_quotas(self.request.user)

    def perform_create(self, serializer: Any) -> None:
        _may_write(self.request.user)
        quota = Quota()
        _apply(quota, serializer.validated_data)
        self._save(quota)
        serializer.instance = quota

    def perform_update(self, serializer: Any) -> None:
        _may_change(self.request.user, serializer.instance)
        _apply(serializer.instance, serializer.validated_data)
        self._save(serializer.instance)

    def _save(self, quota: Quota) -> None:
        try:
            quotas.save_quota_instance(quota, user=self.request.user, source=SOURCE)
        except quotas.QuotaInputError as error:
            raise ValidationError(s.field_errors(error.errors)) from None

    def perform_destroy(self, instance: Quota) -> None:
        _may_change(self.request.user, instance)
        instance._change_reason = SOURCE  # type: ignore[attr-defined]
        instance._history_user = self.request.user  # type: ignore[attr-defined]
        instance.delete()

    @extend_schema(
        request=s.BulkQuotaSerializer(many=True),
        responses={200: s.SaveResultSerializer, 400: s.ROW_ERRORS_SCHEMA},
        summary=gettext_lazy("Save many quotas at once, all or nothing"),
        description=gettext_lazy(
            "Upserts each row by its key (rep or team, metric, activity kind, start, end); a row "
            "with target null removes the quota of that key. Any bad row and nothing is saved: "
            "the 400 lists every bad row with its index, field and a readable message."
        ),
    )
    @action(detail=False, methods=["post"], url_path="bulk")
    def bulk(self, request: Request) -> Response:
        _may_write(request.user)
        try:
            data = request.data
        except ParseError as error:  # answered in the documented shape of a 400 here
            return self._bad([quotas.RowError(None, None, str(error.detail))])  # type: ignore[arg-type]
        if not isinstance(data, list):
            return self._bad([quotas.RowError(None, None, _("Send a list of quotas."))])  # type: ignore[arg-type]
        if len(data) > MAX_BULK_ROWS:
            message = _("Send at most %(count)s quotas at once.") % {"count": MAX_BULK_ROWS}
            return self._bad([quotas.RowError(None, None, message)])  # type: ignore[arg-type]
        errors: list[quotas.RowError] = []
        rows: list[quotas.QuotaInput] = []
        indexes: list[int] = []
        for i, item in enumerate(data):
            row = s.BulkQuotaSerializer(data=item)
            if row.is_valid():
                rows.append(row.to_input())
                indexes.append(i)
                continue
            for name, messages in row.errors.items():
                for message in messages if isinstance(messages, list) else [messages]:
                    field = None if name in ("non_field_errors", "__all__") else name
                    errors.append(quotas.RowError(i, field, str(message)))
        try:
            if errors:  # still tell what is wrong with the other rows
                errors += [
                    quotas.RowError(indexes[e.row], e.field, e.message) for e in quotas.validate_quotas(rows, user=request.user)
                ]
                return self._bad(errors)
            result = quotas.save_quotas(rows, user=request.user, source=SOURCE)
        except quotas.QuotaInputError as error:
            return self._bad([quotas.RowError(indexes[e.row], e.field, e.message) for e in error.errors])
        return Response(s.SaveResultSerializer(result).data)

    def _bad(self, errors: list[quotas.RowError]) -> Response:
        errors = sorted(errors, key=lambda e: (e.row is not None, e.row or 0))
        body = [{"row": e.row, "field": s.api_field(e.field) if e.field else None, "message": e.message} for e in errors]
        return Response(body, status=status.HTTP_400_BAD_REQUEST)


class ActivityTargetViewSet(SalesAPI, viewsets.ModelViewSet):
    """Weekly activity targets: how many activities of one kind a rep (or each rep of a team,
    by default) should do per week, from a start date, open-ended or to an end date."""

    serializer_class = s.ActivityTargetSerializer
    filterset_class = ActivityTargetFilter
    ordering_fields = ["id", "start_date", "per_week"]
    ordering = ["-start_date", "kind", "id"]
    queryset = ActivityTarget.objects.none()

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return quota_selectors.visible_activity_targets(self.request.user)

    def perform_create(self, serializer: Any) -> None:
        _may_write(self.request.user)
        target = ActivityTarget()
        _apply(target, serializer.validated_data)
        self._save(target)
        serializer.instance = target

    def perform_update(self, serializer: Any) -> None:
        _may_change(self.request.user, serializer.instance)
        _apply(serializer.instance, serializer.validated_data)
        self._save(serializer.instance)

    def _save(self, target: ActivityTarget) -> None:
        try:
            quotas.save_activity_target_instance(target, user=self.request.user, source=SOURCE)
        except quotas.QuotaInputError as error:
            raise ValidationError(s.field_errors(error.errors)) from None

    def perform_destroy(self, instance: ActivityTarget) -> None:
        _may_change(self.request.user, instance)
        instance._change_reason = SOURCE  # type: ignore[attr-defined]
        instance._history_user = self.request.user  # type: ignore[attr-defined]
        instance.delete()
