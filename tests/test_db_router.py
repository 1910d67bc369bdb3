"""The read-replica router (DATABASE_REPLICA_URL): dashboard and KPI API reads on the replica,
everything else on default. The replica here is a second connection to the same test database
(a TEST MIRROR of default), so what each alias served is told apart by its captured queries."""

from __future__ import annotations

import copy

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from kpis.services import kpi_recompute
from kpis.sql import won_cycle_histogram
from reps.models import ActivityKind, Rep
from salesperf import db_router
from salesperf.db_router import REPLICA, ReplicaRouter, replica_reads
from tests.kpis.kpi_helpers import d, done
from tests.test_settings import run_manage


def test_it_routes_reads_writes_relations_and_migrations():
    router = ReplicaRouter()
    assert router.db_for_read(Rep) == "default"
    with replica_reads():
        assert router.db_for_read(Rep) == REPLICA
        from django.contrib.auth.models import User
        from django.contrib.sessions.models import Session

        assert router.db_for_read(User) == "default"  # sign-in and sessions: never a lagging copy
        assert router.db_for_read(Session) == "default"
        assert router.db_for_write(Rep) == "default"
    assert router.db_for_read(Rep) == "default"  # the block ended
    assert router.allow_migrate("default", "reps") is True
    assert router.allow_migrate(REPLICA, "reps") is False
    one, other = Rep(), Rep()
    one._state.db, other._state.db = "default", REPLICA
    assert router.allow_relation(one, other) is True
    other._state.db = "elsewhere"
    assert router.allow_relation(one, other) is None


def _add_the_replica_alias() -> None:
    """A second alias, ``replica``, on the same server and database as default: a TEST MIRROR, as
    settings make it when DATABASE_REPLICA_URL is set, so that the test database set-up points it
    at default's test database. Added while the tests are collected, before that set-up."""
    if REPLICA not in connections.settings:
        primary = connections.settings["default"]
        connections.settings[REPLICA] = {**copy.deepcopy(primary), "TEST": {**primary["TEST"], "MIRROR": "default"}}


_add_the_replica_alias()
BOTH = ["default", REPLICA]


@pytest.fixture
def replica(settings):
    """The router installed, as settings install it with DATABASE_REPLICA_URL."""
    settings.DATABASE_ROUTERS = ["salesperf.db_router.ReplicaRouter"]
    yield connections[REPLICA]


def tables(context: CaptureQueriesContext) -> str:
    return "\n".join(query["sql"] for query in context.captured_queries)


def served(client, method: str, url: str, **kwargs) -> tuple[int, str, str]:
    """(status, the SQL default ran, the SQL the replica ran) for one request."""
    with CaptureQueriesContext(connections["default"]) as primary, CaptureQueriesContext(connections[REPLICA]) as copy_:
        response = getattr(client, method)(url, **kwargs)
    return response.status_code, tables(primary), tables(copy_)


# Committed data: the replica's connection must see what the test wrote.
@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_the_dashboards_and_the_kpi_api_read_from_the_replica(replica, client, manager, rep):
    done(rep, ActivityKind.CALL, "2025-03-04")
    kpi_recompute()
    client.force_login(manager)

    status, primary, copy_ = served(client, "get", "/dashboard/", data={"start": "2025-03-01", "end": "2025-03-31"})
    assert status == 200
    assert "kpis_kpiday" in copy_ and "kpis_kpiday" not in primary  # the figures came from the replica
    assert "django_session" in primary and "django_session" not in copy_  # sign-in stayed on default
    assert 'FROM "auth_user"' in primary and 'FROM "auth_user"' not in copy_  # the signed-in user: default

    status, primary, copy_ = served(
        client, "get", "/api/v1/kpis/", data={"start": "2025-03-03", "end": "2025-03-09", "group_by": "rep"}
    )
    assert status == 200
    assert "kpis_kpiday" in copy_ and "kpis_kpiday" not in primary

    status, primary, copy_ = served(client, "get", f"/dashboard/reps/{rep.pk}/")
    assert status == 200 and "kpis_kpiday" in copy_
    assert ReplicaRouter().db_for_read(Rep) == "default"  # the request's replica reads ended with it


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_other_pages_and_every_write_use_default(replica, client, rep):
    client.force_login(rep.user)
    status, primary, copy_ = served(client, "get", "/opportunities/")
    assert status == 200 and copy_ == "" and "reps_opportunity" in primary

    status, primary, copy_ = served(
        client,
        "post",
        "/api/v1/activities/",
        data={"kind": "call", "status": "done", "done_at": "2025-03-04T10:00:00Z"},
        content_type="application/json",
    )
    assert status == 201, primary
    assert copy_ == "" and 'INSERT INTO "reps_activity"' in primary


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_raw_sql_reads_follow_the_router(replica, rep):
    with CaptureQueriesContext(connections["default"]) as primary, CaptureQueriesContext(replica) as copy_:
        won_cycle_histogram(start=d("2025-03-01"), end=d("2025-03-31"), rep_ids=[rep.pk])
        with db_router.replica_reads():
            won_cycle_histogram(start=d("2025-03-01"), end=d("2025-03-31"), rep_ids=[rep.pk])
    assert tables(primary).count("kpis_kpiwoncycle") == 1
    assert tables(copy_).count("kpis_kpiwoncycle") == 1


SHOW = (
    "from django.conf import settings as s; d = s.DATABASES;"
    " print(sorted(d), s.DATABASE_ROUTERS, d.get('replica', {}).get('TEST', {}).get('MIRROR'),"
    " d.get('replica', {}).get('NAME'), d['default'].get('OPTIONS'))"
)


def test_settings_add_the_replica_and_its_router_only_when_asked():
    primary = "postgres://app@db:5432/salesperf"
    plain = run_manage("shell", "-c", SHOW, DATABASE_URL=primary)
    assert plain.stdout.strip().splitlines()[-1] == "['default'] [] None None {}", plain.stderr
    both = run_manage("shell", "-c", SHOW, DATABASE_URL=primary, DATABASE_REPLICA_URL="postgres://app@db-replica:5432/salesperf")
    assert (
        both.stdout.strip().splitlines()[-1]
        == "['default', 'replica'] ['salesperf.db_router.ReplicaRouter'] default salesperf {}"
    ), both.stderr


def test_a_replica_needs_postgresql():
    result = run_manage("check", DATABASE_REPLICA_URL="postgres://app@db-replica:5432/salesperf")
    assert result.returncode != 0
    assert "DATABASE_REPLICA_URL: needs a PostgreSQL DATABASE_URL" in result.stderr
