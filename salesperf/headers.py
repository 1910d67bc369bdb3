"""Content-Security-Policy and Permissions-Policy on every response.

The policy allows scripts, styles, fonts and fetches from our own origin only: no inline
``<script>``, no ``<style>`` element and no ``style=""`` attribute in a template, no CDN. Page
scripts live in ``static/`` (``static/js/``, ``<app>/static/<app>/``); data a script needs goes in a
``<script type="application/json">`` block (never executed) or ``data-`` attributes.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def header_value(directives: dict[str, list[str]]) -> str:
    return "; ".join(" ".join([name, *sources]) for name, sources in directives.items())


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.csp = header_value(settings.CONTENT_SECURITY_POLICY)
        self.permissions = ", ".join(f"{feature}={allow}" for feature, allow in settings.PERMISSIONS_POLICY.items())

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.csp)
        response.headers.setdefault("Permissions-Policy", self.permissions)
        return response
