"""Django admin for admins' bulk work: every change list stays within a fixed number of queries."""

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db

# Session, user, count, page rows, filter choices and date hierarchy: a change list needs a
# handful of queries however many rows it shows; a query per row would show as dozens.
MAX_CHANGELIST_QUERIES = 16


@pytest.fixture
def demo_data():
    call_command("seed_demo", "--reps", "7", "--weeks", "3", "--seed", "2", "--password", "x", "--today", "2026-11-25")


def test_change_lists_do_not_query_per_row(client, admin_user, demo_data):
    client.force_login(admin_user)
    for model in admin.site._registry:
        meta = model._meta
        rows = model._default_manager.count()
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        assert len(queries) <= MAX_CHANGELIST_QUERIES, f"{url}: {len(queries)} queries for {rows} rows"


def test_change_lists_search_and_filter(client, admin_user, demo_data):
    client.force_login(admin_user)
    response = client.get(reverse("admin:reps_opportunity_changelist"), {"q": "licence", "stage__kind__exact": "open"})
    assert response.status_code == 200
    assert response.context["cl"].result_count > 0
    response = client.get(reverse("admin:reps_activity_changelist"), {"q": "no-such-thing-anywhere"})
    assert response.context["cl"].result_count == 0
