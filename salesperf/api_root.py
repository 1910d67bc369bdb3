"""``GET /api/v1/``: the endpoints of the REST API, so a client (or a person) can find them."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

# (name in the answer, URL name): in the order of the README.
ENDPOINTS = [
    ("auth-token", "api-token"),
    ("auth-logout", "api-logout"),
    ("accounts", "api-account-list"),
    ("opportunities", "api-opportunity-list"),
    ("activities", "api-activity-list"),
    ("feedback", "api-feedback-list"),
    ("teams", "api-team-list"),
    ("reps", "api-rep-list"),
    ("pipelines", "api-pipeline-list"),
    ("kpis", "api-kpis"),
    ("kpis-weekly", "api-kpis-weekly"),
    ("coaching-sessions", "api-coaching-session-list"),
    ("coaching-feedback", "api-coaching-feedback-list"),
    ("action-items", "api-action-item-list"),
    ("coaching-time", "coaching-time"),
    ("audit", "api-audit"),
    ("schema", "schema"),
    ("docs", "swagger-ui"),
]


class ApiRoot(APIView):
    """Every endpoint's absolute URL; what each returns is in the schema and the docs."""

    permission_classes = [AllowAny]  # the list itself is no secret: each endpoint checks who asks

    @extend_schema(exclude=True)
    def get(self, request: Request) -> Response:
        return Response({name: request.build_absolute_uri(reverse(url_name)) for name, url_name in ENDPOINTS})
