"""Forgot the password: a link by email (console backend by default), used once."""

from __future__ import annotations

import pytest
from django.core import mail

pytestmark = pytest.mark.django_db

NEW = "a-fresh-password-314"


def reset_link(client, email: str) -> str:
    response = client.post("/password/reset/", {"email": email})
    assert response.status_code == 302
    assert response["Location"] == "/password/reset/sent/"
    assert len(mail.outbox) == 1
    line = next(line for line in mail.outbox[0].body.splitlines() if "/password/reset/" in line)
    return line.split("testserver", 1)[1]


def test_the_login_page_links_to_the_reset(client):
    assert 'href="/password/reset/"' in client.get("/login/").content.decode()


def test_a_user_resets_the_password_by_email(client, rep):
    path = reset_link(client, rep.user.email)
    assert mail.outbox[0].to == [rep.user.email]
    assert mail.outbox[0].subject == "salesperf: choose a new password"

    form_page = client.get(path, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    assert done["Location"] == "/password/reset/done/"
    assert client.post("/login/", {"username": rep.user.username, "password": NEW}).status_code == 302


def test_the_link_works_once(client, rep):
    path = reset_link(client, rep.user.email)
    form_page = client.get(path, follow=True)
    client.post(form_page.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    again = client.get(path, follow=True)
    assert "This link is invalid" in again.content.decode()


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client):
    response = client.post("/password/reset/", {"email": "nobody@example.com"})
    assert response["Location"] == "/password/reset/sent/"
    assert mail.outbox == []


def test_the_default_email_backend_prints_to_the_console():
    from tests.test_settings import run_manage

    result = run_manage("shell", "-c", "from django.conf import settings; print(settings.EMAIL_BACKEND)")
    assert result.stdout.strip().endswith("django.core.mail.backends.console.EmailBackend"), result.stderr
