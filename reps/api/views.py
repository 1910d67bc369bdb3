"""REST API v1 of the sales data: viewsets over the selectors, writes through the services.

Lists are scoped by reps.access (through reps.selectors), so another rep's record answers
404; a record the user sees but may not change answers 403.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import filters as drf_filters
from rest_framework import permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

from reps import filters, selectors, services
from reps.access import Role, role_of, visible_reps, visible_teams
from reps.api import serializers
from reps.models import Account, Activity, CustomerFeedback, Opportunity, Pipeline, Rep, Team
from salesperf.api import CountInPagePaginator, FastJSONRenderer


class HasSalesRole(permissions.BasePermission):
    """Signed in, and a rep, a manager or an admin (a user with no role sees nothing)."""

    message = _("Your account is neither a rep, a team manager nor an admin.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user and request.user.is_authenticated and role_of(request.user) != Role.NONE)


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class SalesAPI:
    """What every endpoint here shares: who may call it, pagination, filtering and ordering."""

    permission_classes = [HasSalesRole]
    pagination_class = Pagination
    filter_backends = [DjangoFilterBackend, drf_filters.OrderingFilter]


class TeamViewSet(SalesAPI, viewsets.ReadOnlyModelViewSet):
    """Teams the user manages (and their sub-teams); all teams for admins."""

    serializer_class = serializers.TeamSerializer
    ordering_fields = ["name", "id"]
    ordering = ["name"]
    queryset = Team.objects.none()

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return visible_teams(self.request.user)


class RepViewSet(SalesAPI, viewsets.ReadOnlyModelViewSet):
    """Reps the user may see: themselves, a manager's teams, everyone for admins."""

    serializer_class = serializers.RepSerializer
    filterset_fields = ["team", "is_active"]
    ordering_fields = ["id", "start_date", "user__username"]
    ordering = ["user__username"]
    queryset = Rep.objects.none()

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return visible_reps(self.request.user).select_related("user")


class PipelineViewSet(SalesAPI, viewsets.ReadOnlyModelViewSet):
    """Pipelines with their stages in order."""

    serializer_class = serializers.PipelineSerializer
    ordering_fields = ["name", "id"]
    ordering = ["name"]
    queryset = Pipeline.objects.none()

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.visible_pipelines(self.request.user)


class AccountViewSet(SalesAPI, viewsets.ModelViewSet):
    """Accounts: the owner's, their managers' (read, reassign) and admins'; shared ones for all."""

    serializer_class = serializers.AccountSerializer
    filterset_class = filters.AccountFilter
    ordering_fields = ["name", "id", "created_at"]
    ordering = ["name", "id"]
    queryset = Account.objects.none()

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.visible_accounts(self.request.user)

    def perform_destroy(self, instance: Account) -> None:
        if not selectors.can_edit_account(self.request.user, instance):
            raise PermissionDenied
        services.account_delete(account=instance)


class OpportunityViewSet(SalesAPI, viewsets.ModelViewSet):
    """Opportunities. Change the stage with ``POST /opportunities/{id}/move/``.

    A manager gives a deal to another rep of their teams with ``PATCH`` and a new ``owner``.
    """

    serializer_class = serializers.OpportunitySerializer
    filterset_class = filters.OpportunityFilter
    ordering_fields = ["id", "name", "amount", "created_date", "expected_close_date", "close_date", "stage_changed_at"]
    ordering = ["-created_date", "-id"]
    queryset = Opportunity.objects.none()

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.visible_opportunities(self.request.user)

    def perform_destroy(self, instance: Opportunity) -> None:
        if not selectors.can_write(self.request.user, instance.owner):
            raise PermissionDenied
        services.opportunity_delete(opportunity=instance)

    @extend_schema(
        request=serializers.OpportunityMoveSerializer,
        responses={200: serializers.OpportunitySerializer},
        summary=_("Move an opportunity to another stage"),
        description=(
            _(
                "Records the move in the stage history. Won or lost sets the close date (today unless "
                "given); lost needs a lost_reason; moving back to an open stage clears the close date."
            )
        ),
    )
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str | None = None) -> Response:
        opportunity = self.get_object()
        if not selectors.can_write(request.user, opportunity.owner):
            raise PermissionDenied
        data = serializers.OpportunityMoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        opportunity = services.opportunity_move(
            opportunity=opportunity,
            stage=data.validated_data["stage"],
            by_user=request.user,
            lost_reason=data.validated_data.get("lost_reason", ""),
            close_date=data.validated_data.get("close_date"),
        )
        return Response(self.get_serializer(opportunity).data, status=status.HTTP_200_OK)


class ActivityPagination(Pagination):
    """The page and its count in one query."""

    django_paginator_class = CountInPagePaginator


class ActivityViewSet(SalesAPI, viewsets.ModelViewSet):
    """Activities (calls, emails, meetings, tasks), planned or done."""

    serializer_class = serializers.ActivitySerializer
    filterset_class = filters.ActivityFilter
    ordering_fields = ["id", "planned_date", "done_at", "created_at"]
    ordering = ["-id"]
    queryset = Activity.objects.none()
    pagination_class = ActivityPagination
    renderer_classes = [FastJSONRenderer if r is JSONRenderer else r for r in api_settings.DEFAULT_RENDERER_CLASSES]

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.visible_activity_rows(self.request.user)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # The busiest endpoint. Without filters or ordering in the query (the filters then change
        # nothing, the ordering is the default one), rows are read as columns and rendered
        # without a serializer instance; tests pin that the answer is the same.
        if request.query_params.keys() - {self.paginator.page_query_param}:
            return super().list(request, *args, **kwargs)
        rows = self.paginate_queryset(selectors.ActivityPageSource(request.user, self.ordering))
        return self.get_paginated_response(serializers.activity_rows_data(rows))

    def perform_destroy(self, instance: Activity) -> None:
        if not selectors.can_write(self.request.user, instance.owner):
            raise PermissionDenied
        services.activity_delete(activity=instance)


class FeedbackViewSet(SalesAPI, viewsets.ModelViewSet):
    """Customer feedback: a satisfaction score (1–5) and/or a complaint, with a text."""

    serializer_class = serializers.FeedbackSerializer
    filterset_class = filters.FeedbackFilter
    ordering_fields = ["id", "date", "score"]
    ordering = ["-date", "-id"]
    queryset = CustomerFeedback.objects.none()

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.visible_feedback(self.request.user)

    def perform_destroy(self, instance: CustomerFeedback) -> None:
        if not selectors.can_edit_feedback(self.request.user, instance):
            raise PermissionDenied
        services.feedback_delete(feedback=instance)
