"""Login page and API token endpoints, both throttled by accounts.guard."""

from __future__ import annotations

import math
from typing import Any

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.exceptions import Throttled
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import guard, services


def lockout_message(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return ngettext(
        "Too many failed logins. Try again in %(minutes)d minute.",
        "Too many failed logins. Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


class LoginView(auth_views.LoginView):
    """Django's login page, refusing a locked-out client with 429, the wait and ``Retry-After``."""

    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        wait = self._retry_after(request)
        if wait:
            return self._locked_out(wait)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: Any) -> HttpResponse:
        wait = self._retry_after(self.request)  # this failure may have been the last one allowed
        if wait:
            return self._locked_out(wait)
        return super().form_invalid(form)

    def _retry_after(self, request: HttpRequest) -> int:
        return guard.retry_after(username=request.POST.get("username", ""), ip=guard.client_ip(request))

    def _locked_out(self, wait: int) -> HttpResponse:
        form = self.get_form_class()(self.request)
        response = self.render_to_response(self.get_context_data(form=form, lockout=lockout_message(wait)))
        response.status_code = 429
        response["Retry-After"] = str(wait)
        return response


class TokenOutput(serializers.Serializer):
    token = serializers.CharField()
    expires = serializers.DateTimeField()


class TokenObtainApi(APIView):
    """Exchange a username and password for an API token; it expires at ``expires`` (API_TOKEN_HOURS after issue)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    serializer_class = AuthTokenSerializer

    @extend_schema(
        request=AuthTokenSerializer,
        responses={
            200: TokenOutput,
            400: OpenApiResponse(description=_("Wrong username or password")),
            429: OpenApiResponse(description=_("Too many failed logins: wait the seconds of the Retry-After header")),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        username = str(request.data.get("username", "")) if hasattr(request.data, "get") else ""
        ip = guard.client_ip(request)
        wait = guard.retry_after(username=username, ip=ip)
        if wait:
            raise Throttled(wait=wait, detail=lockout_message(wait))
        serializer = AuthTokenSerializer(data=request.data, context={"request": request})
        if not serializer.is_valid():
            wait = guard.retry_after(username=username, ip=ip)
            if wait:
                raise Throttled(wait=wait, detail=lockout_message(wait))
            return Response(serializer.errors, status=status.HTTP_400_BAD_REQUEST)
        user = serializer.validated_data["user"]
        guard.clear(username=user.get_username(), ip=ip)
        token = services.api_token_issue(user=user)
        return Response(TokenOutput({"token": token.key, "expires": services.api_token_expires(token)}).data)


class TokenRevokeApi(APIView):
    """Log out of the API: every API token of the caller stops working."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        services.api_tokens_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
