"""``/api/v1/`` lists the endpoints; the API docs link back to the app."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_api_root_lists_every_endpoint(client):
    response = client.get("/api/v1/")
    assert response.status_code == 200
    endpoints = response.json()
    assert endpoints["opportunities"].endswith("/api/v1/opportunities/")
    assert endpoints["kpis"].endswith("/api/v1/kpis/")
    assert endpoints["coaching-sessions"].endswith("/api/v1/coaching-sessions/")
    assert endpoints["docs"].endswith("/api/docs/")


def test_the_api_docs_link_back_to_the_app(client, manager):
    client.force_login(manager)
    content = client.get("/api/docs/").content.decode()
    assert 'href="/"' in content and 'href="/api/v1/"' in content
