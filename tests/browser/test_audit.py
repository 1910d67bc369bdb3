"""The audit trail page in the browser: under the Content-Security-Policy, at 1280 px and on a
390 px phone, with no sideways scrolling and no serious accessibility violation (axe-core)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.admin.models import CHANGE, LogEntry

from kpis.models import Quota
from kpis.quotas.instances import save_quota_instance
from reps import services
from tests.browser.test_csp import Watch
from tests.browser.test_pages_ux import AXE, check
from tests.conftest import browser_login
from tests.factories import AdminFactory, RepFactory, TeamFactory, make_pipeline, stage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _trail():
    admin = AdminFactory(username="auditor")
    pipeline = make_pipeline()
    team = TeamFactory()
    reps = [RepFactory(team=team) for _ in range(3)]
    for n, rep in enumerate(reps):
        quota = Quota(rep=rep, start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 3, 31), target=Decimal("1000"))
        save_quota_instance(quota, user=admin, source="grid")
        deal = services.opportunity_create(owner=rep, name=f"A rather long deal name number {n} for a phone", by_user=admin)
        services.opportunity_move(opportunity=deal, stage=stage(pipeline, "Proposal"), by_user=admin)
        services.opportunity_reassign(opportunity=deal, owner=reps[(n + 1) % 3], by_user=admin)
        LogEntry.objects.log_actions(
            user_id=admin.pk,
            queryset=[rep],
            action_flag=CHANGE,
            change_message=[{"changed": {"fields": ["Territory", "Segment"]}}],
        )
    return admin


def test_the_audit_trail_passes_the_policy(page):
    admin = _trail()
    watch = Watch(page)
    browser_login(page, admin.username)
    watch.visit("/audit/")
    assert page.get_by_role("table").count() == 1
    watch.visit("/audit/?kind=stage")


@pytest.mark.parametrize("width", [1280, 390])
def test_the_audit_trail_fits_the_screen_and_passes_axe(browser, live_server, artifacts_dir, width):
    if not AXE.exists():
        pytest.skip(f"axe-core not installed at {AXE}: `make test` installs it with npm (needs Node.js)")
    admin = _trail()
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 900 if width > 600 else 844}, is_mobile=width < 600
    )
    page = context.new_page()
    browser_login(page, admin.username)
    problems: list[str] = []
    check(page, "/audit/", "admin-audit", artifacts_dir, problems)
    check(page, "/audit/?kind=quota&since=2000-01-01", "admin-audit-filtered", artifacts_dir, problems)
    context.close()
    assert problems == [], "\n".join(problems)
