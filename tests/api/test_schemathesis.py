"""Property-based run over the schema of the sales API: no payload gives a 5xx, and every
documented response matches the schema. Bounded: a few examples per operation, no deadline.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, Phase, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from salesperf.wsgi import application
from tests.api.world import make_world

# The schema served at /api/schema/ (which needs a login), as JSON, run against the WSGI app.
full_schema = schemathesis.openapi.from_dict(json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(public=True))))
full_schema.app = application
# The endpoints of issue 5, the coaching API and the quota API; the KPI API is tested by its own app.
schema = full_schema.include(
    path_regex=r"^/api/v1/(accounts|opportunities|activities|feedback|teams|reps|pipelines"
    r"|coaching-sessions|coaching-feedback|action-items|coaching-time|coaching-cadences|me/email-preferences"
    r"|deal-reviews|stage-tips|recognitions|account-plans|quotas|activity-targets|forecasts)/"
)


@pytest.fixture
def rep_headers(db) -> Iterator[dict[str, str]]:
    world = make_world()
    token = Token.objects.create(user=world.rep.user)
    # The WSGI app would close the test transaction's connection after each request; the
    # Django test client disconnects these handlers the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield {"Authorization": f"Token {token.key}"}
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=10,
    phases=[Phase.generate],
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_api_never_fails_and_matches_its_schema(case, rep_headers):
    case.call_and_validate(headers=rep_headers, checks=[not_a_server_error, response_schema_conformance])


# The quota API writes for admins only: run its operations as an admin too, so the writes
# (bulk included) meet generated payloads.
quota_schema = full_schema.include(path_regex=r"^/api/v1/(quotas|activity-targets)/")


@pytest.fixture
def admin_headers(db) -> Iterator[dict[str, str]]:
    world = make_world()
    token = Token.objects.create(user=world.admin)
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield {"Authorization": f"Token {token.key}"}
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@quota_schema.parametrize()
@settings(
    max_examples=25,
    phases=[Phase.generate],
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_quota_api_never_fails_for_admins(case, admin_headers):
    case.call_and_validate(headers=admin_headers, checks=[not_a_server_error, response_schema_conformance])


# The growth-by-segment report (issue 17): generated periods, groupings and scopes, as an admin
# (who sees every team and rep) and as a rep.
segments_schema = full_schema.include(path_regex=r"^/api/v1/kpis/segments/")


@pytest.fixture
def admin_and_rep_headers(db) -> Iterator[list[dict[str, str]]]:
    world = make_world()
    tokens = [Token.objects.create(user=user) for user in (world.admin, world.rep.user)]
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield [{"Authorization": f"Token {token.key}"} for token in tokens]
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@segments_schema.parametrize()
@settings(
    max_examples=25,
    phases=[Phase.generate],
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_segment_api_never_fails(case, admin_and_rep_headers):
    for headers in admin_and_rep_headers:
        case.call_and_validate(headers=headers, checks=[not_a_server_error, response_schema_conformance])
