"""Repeated failed logins lock the client out of the login page, the admin and the token endpoint."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from rest_framework.test import APIClient

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LIMIT = 5


def fail_logins(client: Client, username: str, times: int = LIMIT) -> list[int]:
    return [client.post("/login/", {"username": username, "password": "wrong"}).status_code for _ in range(times)]


def test_the_login_page_locks_out_after_five_failures(client, rep):
    statuses = fail_logins(client, rep.user.username)
    assert statuses[:-1] == [200] * (LIMIT - 1)
    assert statuses[-1] == 429  # the failure that reaches the limit already says so

    response = client.post("/login/", {"username": rep.user.username, "password": PASSWORD})
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 900
    assert "Too many failed logins. Try again in 15 minutes." in response.content.decode()
    assert "_auth_user_id" not in client.session  # even the right password is refused meanwhile


def test_the_lockout_ends_after_the_wait(client, rep, monkeypatch):
    fail_logins(client, rep.user.username)
    import time

    later = time.time() + 901
    monkeypatch.setattr(time, "time", lambda: later)
    response = client.post("/login/", {"username": rep.user.username, "password": PASSWORD})
    assert response.status_code == 302


def test_another_address_is_not_locked_out(client, rep):
    fail_logins(client, rep.user.username)
    elsewhere = Client(REMOTE_ADDR="10.0.0.9")
    assert elsewhere.post("/login/", {"username": rep.user.username, "password": PASSWORD}).status_code == 302


def test_a_success_forgets_earlier_failures(client, rep):
    fail_logins(client, rep.user.username, times=LIMIT - 1)
    assert client.post("/login/", {"username": rep.user.username, "password": PASSWORD}).status_code == 302
    client.logout()
    assert fail_logins(client, rep.user.username, times=LIMIT - 1) == [200] * (LIMIT - 1)


def test_spraying_many_usernames_from_one_address_is_stopped(client, rep):
    for n in range(LIMIT * 4 - 1):
        client.post("/login/", {"username": f"guess{n}", "password": "wrong"})
    response = client.post("/login/", {"username": rep.user.username, "password": "wrong"})
    assert response.status_code == 429


def test_the_token_endpoint_locks_out_with_retry_after(rep):
    api = APIClient()
    statuses = [
        api.post("/api/v1/auth/token/", {"username": rep.user.username, "password": "wrong"}).status_code for _ in range(LIMIT)
    ]
    assert statuses == [400] * (LIMIT - 1) + [429]

    response = api.post("/api/v1/auth/token/", {"username": rep.user.username, "password": PASSWORD})
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 900
    assert response.json()["detail"].startswith("Too many failed logins. Try again in 15 minutes.")


def test_failures_on_the_page_count_for_the_token_endpoint_too(client, rep):
    fail_logins(client, rep.user.username)
    response = APIClient().post("/api/v1/auth/token/", {"username": rep.user.username, "password": PASSWORD})
    assert response.status_code == 429


def test_the_admin_login_refuses_a_locked_out_client(client, admin_user):
    fail_logins(client, admin_user.username)
    client.post("/admin/login/", {"username": admin_user.username, "password": PASSWORD})
    assert "_auth_user_id" not in client.session


@override_settings(NUM_PROXIES=1)
def test_behind_a_proxy_the_forwarded_address_is_the_client(rep):
    via_proxy = Client(REMOTE_ADDR="172.18.0.2")
    for _ in range(LIMIT):
        via_proxy.post("/login/", {"username": rep.user.username, "password": "wrong"}, HTTP_X_FORWARDED_FOR="203.0.113.7")
    other = Client(REMOTE_ADDR="172.18.0.2").post(
        "/login/", {"username": rep.user.username, "password": PASSWORD}, HTTP_X_FORWARDED_FOR="198.51.100.1"
    )
    assert other.status_code == 302  # another client behind the same proxy is not locked out
    again = via_proxy.post("/login/", {"username": rep.user.username, "password": PASSWORD}, HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert again.status_code == 429
