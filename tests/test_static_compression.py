"""plotly.js (4.8 MB) is served compressed: collectstatic stores a gzip and a brotli copy beside
it (whitenoise), and a browser that accepts them gets the smaller one."""

from __future__ import annotations

import re

import brotli
import pytest
from django.core.management import call_command
from django.test import Client
from whitenoise.compress import Compressor

pytestmark = pytest.mark.django_db


@pytest.fixture
def plotly_collected(tmp_path, settings, monkeypatch):
    settings.STATIC_ROOT = tmp_path
    settings.STATICFILES_FINDERS = ["salesperf.staticfinders.PlotlyJsFinder"]  # plotly.js alone: fast
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    # The real build uses brotli's best (and slowest: ~10 s for plotly.js); a lower level tests the same wiring.
    monkeypatch.setattr(Compressor, "compress_brotli", staticmethod(lambda data: brotli.compress(data, quality=4)))
    call_command("collectstatic", "--noinput", verbosity=0)
    return tmp_path / "plotly"


def test_plotly_js_is_stored_with_gzip_and_brotli_copies(plotly_collected):
    hashed = next(p for p in plotly_collected.iterdir() if re.fullmatch(r"plotly\.min\.[0-9a-f]{12}\.js", p.name))
    size = hashed.stat().st_size
    for suffix in (".gz", ".br"):
        compressed = hashed.with_name(hashed.name + suffix)
        assert compressed.exists(), compressed.name
        assert compressed.stat().st_size < size / 3, compressed.name


def test_a_browser_that_accepts_brotli_or_gzip_gets_it(plotly_collected):
    hashed = next(p.name for p in plotly_collected.iterdir() if re.fullmatch(r"plotly\.min\.[0-9a-f]{12}\.js", p.name))
    client = Client()  # a new client: whitenoise reads STATIC_ROOT when the middleware starts
    url = f"/static/plotly/{hashed}"
    assert client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")["Content-Encoding"] == "br"
    assert client.get(url, HTTP_ACCEPT_ENCODING="gzip")["Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in client.get(url)
