"""REST API v1 of coaching: sessions, 3-part feedback, action items and coaching time.

Reading follows ``coaching.rules`` (the rep and whoever may coach them); a record outside the
user's scope answers 404, one they see but may not change 403. Writes go through the
serializers to ``coaching.services``.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from coaching import rules, selectors, services
from coaching.agenda import AgendaSerializer, agenda_data
from coaching.api import serializers
from coaching.models import (
    AccountPlan,
    ActionItem,
    CoachingCadence,
    CoachingFeedback,
    CoachingSession,
    DealReview,
    EmailPreference,
    InControl,
    Recognition,
    SessionKind,
    SessionStatus,
    StageTip,
)
from kpis import dashboard_selectors as reads
from reps import access
from reps.api.views import HasSalesRole, SalesAPI
from reps.filters import DateInput, IdFilter

COACHES_ONLY = _("Only the rep's managers may do this.")

# --- filters (API only: the coaching pages pick a rep and a period their own way) ----------


class SessionFilter(django_filters.FilterSet):
    rep = IdFilter(label=_("Rep id"), field_name="rep_id")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=SessionKind.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=SessionStatus.choices)
    scheduled_after = django_filters.DateFilter(
        label=_("From"), field_name="scheduled_for", lookup_expr="date__gte", widget=DateInput
    )
    scheduled_before = django_filters.DateFilter(
        label=_("Until"), field_name="scheduled_for", lookup_expr="date__lte", widget=DateInput
    )

    class Meta:
        model = CoachingSession
        fields = ["rep", "kind", "status", "scheduled_after", "scheduled_before"]


class FeedbackFilter(django_filters.FilterSet):
    rep = IdFilter(label=_("Rep id"), field_name="rep_id")
    session = IdFilter(label=_("Session id"), field_name="session_id")

    class Meta:
        model = CoachingFeedback
        fields = ["rep", "session"]


class ActionItemFilter(django_filters.FilterSet):
    rep = IdFilter(label=_("Rep id"), field_name="rep_id")
    session = IdFilter(label=_("Session id"), field_name="session_id")
    done = django_filters.BooleanFilter(label=_("Done"), field_name="done_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = ActionItem
        fields = ["rep", "session", "done"]


# --- shared ---------------------------------------------------------------------------------


class CoachingAPI(SalesAPI):
    """Reads for whoever sees the rep; writes only for those who may coach the rep."""

    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # A rep is refused before their input is even read: no field error may suggest otherwise.
        if not access.is_manager_or_admin(request.user):
            raise PermissionDenied(COACHES_ONLY)
        return super().create(request, *args, **kwargs)  # type: ignore[misc]

    def check_object_permissions(self, request: Request, obj: Any) -> None:
        super().check_object_permissions(request, obj)  # type: ignore[misc]
        if request.method in permissions.SAFE_METHODS:
            return
        if self.action == "done":  # type: ignore[attr-defined]
            allowed = rules.can_tick_action_item(request.user, obj)
        else:
            allowed = rules.can_coach(request.user, obj.rep)
        if not allowed:
            raise PermissionDenied(COACHES_ONLY)


# --- viewsets -------------------------------------------------------------------------------


class CoachingSessionViewSet(CoachingAPI, viewsets.ModelViewSet):
    """Coaching sessions: weekly one-to-ones, pre-call strategy, debriefs, deal reviews, joint visits.

    ``private_notes`` is present only for the rep's managers and admins. The one-to-one agenda,
    built from the rep's numbers: ``GET /coaching-sessions/{id}/agenda/``.
    """

    serializer_class = serializers.CoachingSessionSerializer
    filterset_class = SessionFilter
    ordering_fields = ["scheduled_for", "id"]
    ordering = ["-scheduled_for", "-id"]
    queryset = CoachingSession.objects.none()

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return rules.visible_sessions(self.request.user).select_related("rep")

    def perform_destroy(self, instance: CoachingSession) -> None:
        services.session_delete(session=instance)

    @extend_schema(
        responses={200: AgendaSerializer},
        summary=_("The one-to-one agenda of a session"),
        description=(
            _(
                "Built from the rep's numbers as they were at the session's start (now, for a session still "
                "ahead): last week's figures and activity plan, this and next week's plan, the quota period's "
                "figures, the open pipeline by stage, overdue next steps, the deals most worth a review, open "
                "action items, recent feedback and the satisfaction of the four weeks before. A held session's "
                "agenda is the one stored when it was marked held (frozen_at). Money and ratios are strings, "
                "dates ISO."
            )
        ),
        filters=False,
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def agenda(self, request: Request, pk: str | None = None) -> Response:
        session = self.get_object()
        return Response(agenda_data(session))


class CoachingFeedbackViewSet(CoachingAPI, viewsets.ModelViewSet):
    """3-part feedback (problem, consequence, how to improve). Given feedback is a record: no update."""

    serializer_class = serializers.CoachingFeedbackSerializer
    filterset_class = FeedbackFilter
    ordering_fields = ["date", "id"]
    ordering = ["-date", "-id"]
    queryset = CoachingFeedback.objects.none()
    http_method_names = ["get", "post", "delete", "head", "options"]

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return rules.visible_feedback(self.request.user).select_related("rep")

    def perform_destroy(self, instance: CoachingFeedback) -> None:
        services.feedback_delete(feedback=instance)


class ActionItemViewSet(CoachingAPI, viewsets.ModelViewSet):
    """Action items a rep agreed to do. The rep (and their managers) tick them with ``POST …/done/``."""

    serializer_class = serializers.ActionItemSerializer
    filterset_class = ActionItemFilter
    ordering_fields = ["due_date", "done_at", "id"]
    queryset = ActionItem.objects.none()

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return rules.visible_action_items(self.request.user).select_related("rep")

    def perform_destroy(self, instance: ActionItem) -> None:
        services.action_item_delete(item=instance)

    @extend_schema(
        request=serializers.ActionItemDoneSerializer,
        responses={200: serializers.ActionItemSerializer},
        summary=_("Mark an action item done, or open again"),
        description=_("Allowed to the rep it is for and to their managers. Marking a done item done keeps its date."),
        filters=False,
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def done(self, request: Request, pk: str | None = None) -> Response:
        item = self.get_object()
        data = serializers.ActionItemDoneSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = services.action_item_set_done(item=item, done=data.validated_data["done"])
        return Response(self.get_serializer(item).data)


class CadenceFilter(django_filters.FilterSet):
    rep = IdFilter(label=_("Rep id"), field_name="rep_id")

    class Meta:
        model = CoachingCadence
        fields = ["rep"]


class CoachingCadenceViewSet(CoachingAPI, viewsets.ModelViewSet):
    """One-to-one cadence per rep: how often (weekly by default), on which weekday and at what time.
    The nightly planning creates the one-to-ones from it. The rep reads their own; their managers set it."""

    serializer_class = serializers.CoachingCadenceSerializer
    filterset_class = CadenceFilter
    ordering_fields = ["id"]
    ordering = ["id"]
    queryset = CoachingCadence.objects.none()

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return access.scope(CoachingCadence.objects.select_related("rep"), self.request.user, "rep")

    def perform_destroy(self, instance: CoachingCadence) -> None:
        services.cadence_delete(row=instance)


class EmailPreferencesApi(APIView):
    """The coaching emails the requesting user receives (each on unless switched off)."""

    permission_classes = [HasSalesRole]

    def _row(self, request: Request) -> EmailPreference:
        return EmailPreference.objects.filter(user=request.user).first() or EmailPreference(user=request.user)

    @extend_schema(responses=serializers.EmailPreferenceSerializer, summary=_("My coaching email settings"))
    def get(self, request: Request) -> Response:
        return Response(serializers.EmailPreferenceSerializer(self._row(request)).data)

    @extend_schema(
        request=serializers.EmailPreferenceSerializer,
        responses=serializers.EmailPreferenceSerializer,
        summary=_("Switch coaching emails on or off"),
    )
    def patch(self, request: Request) -> Response:
        data = serializers.EmailPreferenceSerializer(self._row(request), data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        row = services.email_preferences_update(user=request.user, **data.validated_data)
        return Response(serializers.EmailPreferenceSerializer(row).data)


# --- coaching time --------------------------------------------------------------------------


class CoachingTimeApi(APIView):
    """Per coach: minutes of the sessions held in start..end and their share of the working time."""

    permission_classes = [HasSalesRole]

    @extend_schema(
        parameters=[serializers.CoachingTimeInputSerializer],
        responses=serializers.CoachingTimeRowSerializer(many=True),
        summary=_("Coaching time per coach"),
    )
    def get(self, request: Request) -> Response:
        if not access.is_manager_or_admin(request.user):
            raise PermissionDenied(_("Coaching time is for managers and admins."))
        params = serializers.CoachingTimeInputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data: dict[str, Any] = params.validated_data
        team_ids = None
        if "team" in data:
            teams = reads.team_choices(request.user)
            if data["team"] not in {team.pk for team in teams}:
                raise ValidationError({"team": [_("No team with id %(id)d that you may see.") % {"id": data["team"]}]})
            team_ids = reads.team_and_below(data["team"], teams)
        rows = selectors.coaching_time(user=request.user, start=data["start"], end=data["end"], team_ids=team_ids)
        return Response(serializers.CoachingTimeRowSerializer(rows, many=True).data)


# --- stage tips, deal reviews, recognition, account plans -----------------------------------


class StageTipFilter(django_filters.FilterSet):
    stage = IdFilter(label=_("Stage id"), field_name="stage_id")
    pipeline = IdFilter(label=_("Pipeline id"), field_name="stage__pipeline_id")

    class Meta:
        model = StageTip
        fields = ["stage", "pipeline"]


class DealReviewFilter(django_filters.FilterSet):
    rep = IdFilter(label=_("Rep id"), field_name="rep_id")
    opportunity = IdFilter(label=_("Opportunity id"), field_name="opportunity_id")
    session = IdFilter(label=_("Session id"), field_name="session_id")
    in_control = django_filters.ChoiceFilter(label=_("Rep in control"), choices=InControl.choices)

    class Meta:
        model = DealReview
        fields = ["rep", "opportunity", "session", "in_control"]


class RecognitionFilter(django_filters.FilterSet):
    rep = IdFilter(label=_("Rep id"), field_name="rep_id")
    shared_with_team = django_filters.BooleanFilter(label=_("Shared with the team"))

    class Meta:
        model = Recognition
        fields = ["rep", "shared_with_team"]


class AccountPlanFilter(django_filters.FilterSet):
    rep = IdFilter(label=_("Rep id"), field_name="rep_id")
    account = IdFilter(label=_("Account id"), field_name="account_id")

    class Meta:
        model = AccountPlan
        fields = ["rep", "account"]


class StageTipViewSet(SalesAPI, viewsets.ModelViewSet):
    """Coaching tips per pipeline stage: what a good rep does there, how often to contact the
    customer, and after how many days a deal there is stalled. Everyone reads; admins write."""

    serializer_class = serializers.StageTipSerializer
    filterset_class = StageTipFilter
    ordering_fields = ["id", "stage"]
    ordering = ["stage__pipeline_id", "stage__order"]
    queryset = StageTip.objects.none()
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return StageTip.objects.select_related("stage")

    def check_permissions(self, request: Request) -> None:
        super().check_permissions(request)
        if request.method not in permissions.SAFE_METHODS and not access.is_admin(request.user):
            raise PermissionDenied(_("Only admins write the stage tips."))

    def perform_destroy(self, instance: StageTip) -> None:
        services.stage_tip_delete(tip=instance)


class DealReviewViewSet(CoachingAPI, viewsets.ModelViewSet):
    """Reviews of open deals: is the rep in control (yes, partly, no), what is missing, the next
    step agreed, and the action items agreed in it. ``private_notes`` is present only for the
    rep's managers and admins."""

    serializer_class = serializers.DealReviewSerializer
    filterset_class = DealReviewFilter
    ordering_fields = ["date", "id"]
    ordering = ["-date", "-id"]
    queryset = DealReview.objects.none()

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return rules.visible_deal_reviews(self.request.user).select_related("rep").prefetch_related("action_items")

    def perform_destroy(self, instance: DealReview) -> None:
        services.deal_review_delete(review=instance)


class RecognitionViewSet(CoachingAPI, viewsets.ModelViewSet):
    """Recognition of good work: the rep sees theirs, and their teammates' shared with the team."""

    serializer_class = serializers.RecognitionSerializer
    filterset_class = RecognitionFilter
    ordering_fields = ["date", "id"]
    ordering = ["-date", "-id"]
    queryset = Recognition.objects.none()

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return rules.visible_recognitions(self.request.user).select_related("rep")

    def perform_destroy(self, instance: Recognition) -> None:
        services.recognition_delete(recognition=instance)


class AccountPlanViewSet(CoachingAPI, viewsets.ModelViewSet):
    """Per-customer action plans: a goal and actions with owners and due dates, followed up in
    the rep's one-to-ones."""

    serializer_class = serializers.AccountPlanSerializer
    filterset_class = AccountPlanFilter
    ordering_fields = ["id", "created_at"]
    ordering = ["-created_at", "-id"]
    queryset = AccountPlan.objects.none()

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return rules.visible_account_plans(self.request.user).select_related("rep").prefetch_related("actions")

    def perform_destroy(self, instance: AccountPlan) -> None:
        services.account_plan_delete(plan=instance)
