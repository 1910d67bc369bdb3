"""The API schema and its docs are shown to logged-in users and token holders only."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_the_schema_needs_a_login(client):
    assert client.get("/api/schema/").status_code in (401, 403)


def test_the_docs_send_a_visitor_to_the_login_page(client):
    response = client.get("/api/docs/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/api/docs/")


def test_a_logged_in_user_reads_the_schema_and_docs(client, rep):
    client.force_login(rep.user)
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    page = docs.content.decode()
    assert "<style" not in page
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()


def test_a_token_holder_reads_the_schema(rep):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=rep.user).key}")
    assert api.get("/api/schema/").status_code == 200


def test_the_redoc_page_is_gone(client, rep):
    # Redoc needs inline styles; the Swagger page at /api/docs/ is the one documentation page.
    client.force_login(rep.user)
    assert client.get("/api/redoc/").status_code == 404
