"""API tokens expire, and logout or a password change revokes them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def obtain(user) -> dict:
    response = APIClient().post("/api/v1/auth/token/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 200, response.content
    return response.json()


def api_with(key: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


def test_a_token_says_when_it_expires(rep):
    body = obtain(rep.user)
    expires = dt.datetime.fromisoformat(body["expires"])
    assert dt.timedelta(hours=23, minutes=59) < expires - timezone.now() <= dt.timedelta(hours=24)
    assert api_with(body["token"]).get("/api/v1/activities/").status_code == 200


@override_settings(API_TOKEN_HOURS=2)
def test_an_expired_token_is_refused_and_a_new_one_issued(rep):
    key = obtain(rep.user)["token"]
    Token.objects.filter(key=key).update(created=timezone.now() - dt.timedelta(hours=2, seconds=1))

    response = api_with(key).get("/api/v1/activities/")
    assert response.status_code in (401, 403)  # 403: the session authentication comes first
    assert "expired" in response.json()["detail"]

    fresh = obtain(rep.user)["token"]
    assert fresh != key
    assert api_with(fresh).get("/api/v1/activities/").status_code == 200


def test_a_valid_token_is_given_again(rep):
    assert obtain(rep.user)["token"] == obtain(rep.user)["token"]


def test_the_api_logout_revokes_the_token(rep):
    key = obtain(rep.user)["token"]
    assert api_with(key).post("/api/v1/auth/logout/").status_code == 204
    assert api_with(key).get("/api/v1/activities/").status_code in (401, 403)


def test_the_api_logout_needs_a_login():
    assert APIClient().post("/api/v1/auth/logout/").status_code in (401, 403)


def test_logging_out_of_the_site_revokes_the_tokens(client, rep):
    key = obtain(rep.user)["token"]
    client.force_login(rep.user)
    client.post("/logout/")
    assert api_with(key).get("/api/v1/activities/").status_code in (401, 403)


def test_changing_the_password_revokes_the_tokens(client, rep):
    key = obtain(rep.user)["token"]
    client.force_login(rep.user)
    response = client.post(
        "/password/",
        {"old_password": PASSWORD, "new_password1": "a-much-longer-pass-42", "new_password2": "a-much-longer-pass-42"},
    )
    assert response.status_code == 302
    assert api_with(key).get("/api/v1/activities/").status_code in (401, 403)


def test_a_password_set_in_the_admin_revokes_the_tokens(rep):
    key = obtain(rep.user)["token"]
    rep.user.set_password("set-by-an-admin-77")
    rep.user.save()
    assert not Token.objects.filter(key=key).exists()


def test_a_password_reset_revokes_the_tokens(client, rep):
    key = obtain(rep.user)["token"]
    client.post("/password/reset/", {"email": rep.user.email})
    link = next(line for line in mail.outbox[0].body.splitlines() if "/password/reset/" in line)
    path = link.split("testserver", 1)[1]
    form_page = client.get(path, follow=True)
    client.post(form_page.redirect_chain[-1][0], {"new_password1": "reset-pass-9876", "new_password2": "reset-pass-9876"})
    assert not Token.objects.filter(key=key).exists()
