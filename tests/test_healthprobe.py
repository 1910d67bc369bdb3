"""The web container's probe passes with production settings: an allow-list without 127.0.0.1,
and SECURE_SSL_REDIRECT=1 behind a TLS proxy."""

from __future__ import annotations

import urllib.request

import pytest

from salesperf import healthprobe


@pytest.mark.parametrize(
    ("allowed", "host"),
    [("sales.example.com,other", "sales.example.com"), (".example.com", "example.com"), ("*", "localhost"), ("", "localhost")],
)
def test_the_probe_uses_a_host_the_app_accepts(allowed, host):
    assert healthprobe.probe_host(allowed) == host


@pytest.mark.django_db(transaction=True)
def test_the_probe_passes_behind_tls_with_a_strict_host_list(live_server, settings):
    settings.ALLOWED_HOSTS = ["sales.example.com"]
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    url = f"{live_server.url}/healthz/"
    assert healthprobe.probe(url, allowed_hosts="sales.example.com")
    # /healthz/ is exempt from the host check and the redirect, so even a bare GET passes...
    with urllib.request.urlopen(url, timeout=4) as answer:
        assert answer.status == 200
    # ...while every other page still refuses the unknown Host (400) or sends it to https.
    with pytest.raises(OSError):
        urllib.request.urlopen(f"{live_server.url}/login/", timeout=4)


@pytest.mark.django_db(transaction=True)
def test_the_probe_fails_when_nothing_answers():
    assert not healthprobe.probe("http://127.0.0.1:9/healthz/", allowed_hosts="localhost", timeout=1)
