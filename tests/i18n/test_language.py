"""Choosing the language: the browser's by default, the header's switcher, remembered per user
across devices; the API follows Accept-Language."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Profile

pytestmark = pytest.mark.django_db


def test_the_browser_language_is_the_default(client, manager):
    client.force_login(manager)
    response = client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")
    assert response["Content-Language"] == "fr"
    assert 'lang="fr"' in response.content.decode()


def test_without_a_choice_the_organisation_default_applies(client, manager, settings):
    client.force_login(manager)
    response = client.get(reverse("dashboard"))
    assert response["Content-Language"] == settings.LANGUAGE_CODE


def test_the_switcher_is_on_the_login_page_and_works_before_login(client):
    page = client.get(reverse("login")).content.decode()
    assert 'name="language"' in page and reverse("set_language") in page
    response = client.post(reverse("set_language"), {"language": "hu", "next": reverse("login")})
    assert response.status_code == 302
    assert client.get(reverse("login"))["Content-Language"] == "hu"


def test_the_choice_is_remembered_in_the_profile_and_follows_the_user_to_another_device(manager, password):
    laptop = Client()
    laptop.force_login(manager)
    laptop.post(reverse("set_language"), {"language": "fa", "next": "/"})
    assert Profile.objects.get(user=manager).language == "fa"

    phone = Client(HTTP_ACCEPT_LANGUAGE="en")  # a new device: no cookie, an English browser
    assert phone.login(username=manager.username, password=password)
    response = phone.get(reverse("dashboard"))
    assert response["Content-Language"] == "fa"
    assert 'dir="rtl"' in response.content.decode()


def test_an_unknown_language_is_not_stored(client, manager):
    client.force_login(manager)
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    assert not Profile.objects.filter(user=manager).exclude(language="").exists()


def test_the_api_answers_in_the_accept_language(client, manager):
    client.force_login(manager)
    client.post(reverse("set_language"), {"language": "hu", "next": "/"})
    response = client.get("/api/v1/kpis/", {"team": 0, "start": "x"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert response["Content-Language"] == "fr"
    assert response.status_code == 400
    # without a header, the user's own choice
    assert client.get("/api/v1/kpis/", {"team": 0, "start": "x"})["Content-Language"] == "hu"


def test_the_api_errors_are_translated(client, manager):
    client.force_login(manager)
    response = client.get("/api/v1/kpis/", {"start": "2026-11-02", "end": "2026-11-08"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 400
    assert "Ce champ est obligatoire." in response.content.decode()  # DRF's own catalogue
    params = {"group_by": "rep", "start": "2026-11-08", "end": "2026-11-01"}
    response = client.get("/api/v1/kpis/", params, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 400
    assert "ne doit pas précéder" in response.content.decode()  # ours


def test_the_role_beside_the_users_name_is_in_the_readers_language(client, manager):
    client.force_login(manager)
    assert "<small>(manager)</small>" in client.get(reverse("dashboard")).content.decode()
    client.post(reverse("set_language"), {"language": "hu", "next": "/"})
    page = client.get(reverse("dashboard")).content.decode()
    assert "<small>(vezető)</small>" in page and "(manager)" not in page
