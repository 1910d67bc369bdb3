"""The sign-in settings read from the environment: bad values are named, production stays clean."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from salesperf import envcheck
from tests.test_settings import run_manage


def test_an_smtp_url_configures_the_mail(monkeypatch):
    monkeypatch.setenv("EMAIL_URL", "smtp+tls://mailer:secret@mail.example.com:587")
    config = envcheck.read_email_url("EMAIL_URL", default="consolemail://")
    assert config["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (config["EMAIL_HOST"], config["EMAIL_PORT"], config["EMAIL_USE_TLS"]) == ("mail.example.com", 587, True)


def test_a_bad_email_url_names_the_variable(monkeypatch):
    monkeypatch.setenv("EMAIL_URL", "pigeon://coop")
    with pytest.raises(ImproperlyConfigured, match=r"^EMAIL_URL: "):
        envcheck.read_email_url("EMAIL_URL", default="consolemail://")


def test_the_compose_production_settings_pass_the_deploy_check():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="s" * 20 + "-production-secret-key-" + "k" * 20,
        ALLOWED_HOSTS="sales.example.com",
        CSRF_TRUSTED_ORIGINS="https://sales.example.com",
        CACHE_URL="redis://127.0.0.1:6379/9",
        NUM_PROXIES="1",
        EMAIL_URL="smtp+tls://mailer:secret@mail.example.com:587",
        MEDIA_ROOT="/tmp/salesperf-media",
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_a_bad_lockout_setting_stops_the_start():
    result = run_manage("check", LOGIN_FAILURE_LIMIT="many")
    assert result.returncode != 0
    assert "LOGIN_FAILURE_LIMIT: expected a whole number" in result.stderr
