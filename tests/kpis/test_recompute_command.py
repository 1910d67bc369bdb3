"""manage.py recompute_kpis [--since DATE] [--rep ID]."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from kpis.models import KpiDay
from reps.models import ActivityKind
from tests.factories import RepFactory
from tests.kpis.kpi_helpers import done

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out, err = StringIO(), StringIO()
    call_command("recompute_kpis", *args, stdout=out, stderr=err)
    return out.getvalue()


@pytest.fixture
def calls(rep, other_rep):
    # Not run on commit in a test transaction: the rows stay empty until the command runs.
    done(rep, ActivityKind.CALL, "2025-03-04")
    done(rep, ActivityKind.CALL, "2025-03-11")
    done(other_rep, ActivityKind.EMAIL, "2025-03-12")
    assert not KpiDay.objects.exists()
    return rep, other_rep


def test_it_recomputes_every_rep(calls):
    rep, other_rep = calls
    output = run()
    assert "Recomputed 3 KPI day rows of 2 reps over all history" in output
    assert sorted(KpiDay.objects.values_list("rep_id", "day__day", "contacts")) == [
        (rep.pk, 4, 1),
        (rep.pk, 11, 1),
        (other_rep.pk, 12, 1),
    ]


def test_it_recomputes_since_a_date_for_one_rep(calls):
    rep, _other = calls
    output = run("--since", "2025-03-10", "--rep", str(rep.pk))
    assert "Recomputed 1 KPI day rows of 1 reps since 2025-03-10" in output
    assert list(KpiDay.objects.values_list("rep_id", "day__day")) == [(rep.pk, 11)]


def test_running_it_twice_changes_nothing(calls):
    run()
    first = list(KpiDay.objects.order_by("rep", "day").values("rep", "day", "contacts"))
    run()
    assert list(KpiDay.objects.order_by("rep", "day").values("rep", "day", "contacts")) == first


def test_a_bad_date_is_refused():
    with pytest.raises(CommandError, match="--since: expected a date as YYYY-MM-DD"):
        run("--since", "2025-02-30")


def test_an_unknown_rep_is_refused(db):
    known = RepFactory()
    with pytest.raises(CommandError, match=f"--rep: no rep with id {known.pk + 1000}"):
        run("--rep", str(known.pk), "--rep", str(known.pk + 1000))
