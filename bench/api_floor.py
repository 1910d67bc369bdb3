"""The floor of the activity list API, for bench/api_load.sh only: never part of the app.

``DJANGO_SETTINGS_MODULE=bench.api_floor_settings`` (the app's settings with this module as the
URLconf) serves the app's own URLs plus
``/bench/floor/activities/``: the same token authentication as the API
(``accounts.authentication.ExpiringTokenAuthentication``), then one SQL query for the rows the
activity list's first page holds for a rep (their own 50 newest activities, newest first),
serialised with orjson. No DRF view, permission class, paginator, count or serializer: what is
left is the least any endpoint returning those rows costs, so the list's requests/s can be read
as a share of it. It is not in the production URLconf, so not in the OpenAPI schema either.
"""

from __future__ import annotations

import orjson
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from rest_framework import exceptions

from accounts.authentication import ExpiringTokenAuthentication

# The columns of the API's activity rows (reps.api.serializers.ActivitySerializer), in order.
COLUMNS = ("id", "owner", "kind", "status", "subject", "planned_date", "done_at", "account", "opportunity", "notes", "created_at")
ROWS_SQL = """
SELECT a.id, a.owner_id, a.kind, a.status, a.subject, a.planned_date, a.done_at, a.account_id, a.opportunity_id,
       a.notes, a.created_at
FROM reps_activity a JOIN reps_rep r ON r.id = a.owner_id
WHERE r.user_id = %s
ORDER BY a.id DESC
LIMIT 50
"""


def activities_floor(request: HttpRequest) -> HttpResponse:
    keyword, _space, key = request.headers.get("Authorization", "").partition(" ")
    if keyword != "Token" or not key:
        return HttpResponse(status=401)
    try:
        user, _token = ExpiringTokenAuthentication().authenticate_credentials(key)
    except exceptions.AuthenticationFailed:
        return HttpResponse(status=401)
    with connection.cursor() as cursor:
        cursor.execute(ROWS_SQL, [user.pk])
        rows = [dict(zip(COLUMNS, row, strict=True)) for row in cursor.fetchall()]
    return HttpResponse(orjson.dumps({"results": rows}), content_type="application/json")


urlpatterns = [
    path("bench/floor/activities/", activities_floor),
    path("", include("salesperf.urls")),
]
