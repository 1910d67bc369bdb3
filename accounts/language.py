"""The interface language: the user's choice (remembered in their profile, so on every
device), else the browser's (Accept-Language), else the organisation's ``LANGUAGE_CODE``.

The profile's language is copied into the session at login and on every switch, so a page
costs no query for it. The API follows ``Accept-Language`` when the client sends one (a
script or app says what it wants), and the signed-in user's choice otherwise.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header
from django.views.i18n import set_language as django_set_language

from accounts.models import Profile

SESSION_KEY = "salesperf_language"
API_PREFIX = "/api/"


def is_offered(code: str | None) -> bool:
    return bool(code) and code in {language for language, _name in settings.LANGUAGES}


def user_language(user) -> str:
    """The language the user chose, or "" (follow the browser)."""
    return Profile.objects.filter(user=user).values_list("language", flat=True).first() or ""


def set_user_language(user, code: str) -> None:
    Profile.objects.update_or_create(user=user, defaults={"language": code if is_offered(code) else ""})


@receiver(user_logged_in, dispatch_uid="accounts.language_at_login")
def remember_language_at_login(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = user_language(user)


class UserLanguageMiddleware:
    """After LocaleMiddleware and AuthenticationMiddleware: the signed-in user's choice wins."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        code = request.session.get(SESSION_KEY, "") if hasattr(request, "session") else ""
        if request.path.startswith(API_PREFIX) and "HTTP_ACCEPT_LANGUAGE" in request.META:
            code = _from_accept_language(request.META["HTTP_ACCEPT_LANGUAGE"]) or code
        elif not request.user.is_authenticated:
            code = ""
        if is_offered(code):
            translation.activate(code)
            request.LANGUAGE_CODE = code
        return self.get_response(request)


def _from_accept_language(header: str) -> str:
    """The first offered language of an Accept-Language header (the cookie does not count)."""
    for accepted, _quality in parse_accept_lang_header(header):
        if accepted == "*":
            break
        try:
            return translation.get_supported_language_variant(accepted)
        except LookupError:
            continue
    return ""


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's set_language (cookie and redirect to ``next``), plus the user's profile."""
    response = django_set_language(request)
    code = request.POST.get("language", "")
    if request.method == "POST" and is_offered(code) and request.user.is_authenticated:
        set_user_language(request.user, code)
        request.session[SESSION_KEY] = code
    return response
