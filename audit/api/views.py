"""The audit trail as JSON (admins only): ``GET /api/v1/audit/``, the same rows as the page."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from audit import selectors
from audit.forms import AuditFilterForm
from reps.access import is_admin
from reps.api.views import Pagination


class IsAdmin(permissions.BasePermission):
    message = _("Only admins may read the audit trail.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return is_admin(request.user)


class AuditEntrySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=list(selectors.KINDS), help_text=_("admin, quota, target, stage or owner"))
    kind_label = serializers.CharField()
    at = serializers.DateTimeField()
    who = serializers.CharField(help_text=_("User name of who made the change; empty if unknown."))
    subject = serializers.CharField(help_text=_("What was changed: the record, the deal, or the owner of the quota or target."))
    action = serializers.CharField()
    old = serializers.CharField(help_text=_("The value before the change (empty for an addition)."))
    new = serializers.CharField(help_text=_("The value after the change (for an admin change: the fields changed)."))
    note = serializers.CharField(help_text=_("Where a quota or target change came from (screen, file, API)."))


class AuditApi(ListAPIView):
    """The audit trail: admin changes, quota and weekly activity target changes, deal stage
    and owner changes, newest first. Admins only."""

    permission_classes = [IsAdmin]
    pagination_class = Pagination
    serializer_class = AuditEntrySerializer
    filter_backends: list[Any] = []  # the filters are the form's (below), as on the page

    def get_queryset(self) -> Any:
        return selectors.audit_entries()

    @extend_schema(
        parameters=[
            OpenApiParameter("kind", OpenApiTypes.STR, enum=list(selectors.KINDS)),
            OpenApiParameter("user", OpenApiTypes.INT, description=_("Id of the user who made the change.")),
            OpenApiParameter(
                "since", OpenApiTypes.DATE, description=_("From this day (inclusive), in the organisation's time zone.")
            ),
            OpenApiParameter(
                "until", OpenApiTypes.DATE, description=_("To this day (inclusive), in the organisation's time zone.")
            ),
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        form = AuditFilterForm(request.query_params)
        if not form.is_valid():
            raise ValidationError({field: list(messages) for field, messages in form.errors.items()})
        page = self.paginate_queryset(selectors.audit_entries(**form.selector_arguments()))
        entries = [selectors.audit_describe(row) for row in page or []]
        return self.get_paginated_response(AuditEntrySerializer(entries, many=True).data)
