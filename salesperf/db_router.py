"""Dashboard reads from a PostgreSQL read replica, when ``DATABASE_REPLICA_URL`` is set.

Settings then add a second database, ``replica``, this router and nothing else changes:

- the GET (and HEAD) requests of the dashboard pages and of the KPI API (``REPLICA_VIEWS``,
  by URL name) read from the replica: the KPI rows, records and targets they show;
- everything else goes to ``default``: every write, every locking read (``select_for_update``,
  ``get_or_create``), every other page and endpoint, and, even inside a dashboard request, sign-in,
  sessions, API tokens and content types (``PRIMARY_ONLY_APPS``): a token or session just issued
  may not have reached the replica yet;
- migrations run on ``default`` only (the replica copies them); objects read from either
  may be related to each other (they are the same rows).

:class:`ReplicaReadsMiddleware` marks a request's reads with :func:`replica_reads`; raw SQL
reads take their connection from :func:`read_connection`. docs/scaling.md says when a replica is
worth having and what its lag means for the figures on the page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"

# The pages and endpoints whose reads may lag the primary by the replica's delay: the team,
# region and rep dashboards, the team meeting, the leaderboard, growth by segment, the KPI API.
REPLICA_VIEWS = frozenset(
    {
        "dashboard",
        "rep_detail",
        "team_meeting",
        "leaderboard",
        "segments",
        "api-kpis",
        "api-kpis-segments",
        "api-kpis-weekly",
    }
)
# Read from the primary even inside a dashboard request.
PRIMARY_ONLY_APPS = frozenset({"auth", "sessions", "authtoken", "accounts", "contenttypes", "admin"})
READ_METHODS = frozenset({"GET", "HEAD"})

_replica_reads: ContextVar[bool] = ContextVar("salesperf_replica_reads", default=False)


@contextmanager
def replica_reads() -> Iterator[None]:
    """Within this block, reads go to the replica (if one is configured; else nothing changes)."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def read_connection(model: type[Model]) -> BaseDatabaseWrapper:
    """The connection a raw SQL read of ``model``'s table should use (the router's choice)."""
    return connections[router.db_for_read(model)]


class ReplicaRouter:
    """Installed by settings only when DATABASE_REPLICA_URL is set (DATABASE_ROUTERS)."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        if _replica_reads.get() and model._meta.app_label not in PRIMARY_ONLY_APPS:
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        # The replica holds the primary's rows: an object read there may point at one read here.
        if {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA}:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS


class ReplicaReadsMiddleware:
    """Runs the GET and HEAD requests of REPLICA_VIEWS with :func:`replica_reads` on, from the
    view to the rendered response. Harmless without a replica: the router is not installed then,
    so every read stays on ``default``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            return self.get_response(request)
        finally:
            token = request.__dict__.pop("_replica_reads_token", None)
            if token is not None:
                _replica_reads.reset(token)

    def process_view(self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any) -> None:
        match = request.resolver_match
        if request.method in READ_METHODS and match is not None and match.url_name in REPLICA_VIEWS:
            request.__dict__["_replica_reads_token"] = _replica_reads.set(True)
