"""Every page carries a strict Content-Security-Policy and a Permissions-Policy, and no template
needs what that policy forbids (inline script or style)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted(
    path for path in ROOT.glob("**/templates/**/*.html") if ".venv" not in path.parts and "node_modules" not in path.parts
)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=|\son[a-z]+=\"", re.I)


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/login/", "/", "/dashboard/", "/api/v1/activities/", "/password/reset/"])
def test_every_response_has_the_policies(client, rep, url):
    client.force_login(rep.user)
    response = client.get(url)
    csp = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in csp
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


def test_templates_were_found():
    assert len(TEMPLATES) > 20


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_template_has_inline_script_or_style(path):
    text = path.read_text()
    assert not INLINE_SCRIPT.search(text), "move the script to a static .js file (the CSP allows no inline script)"
    assert not INLINE_STYLE.search(text), "move the style to a static .css file (the CSP allows no inline style)"
