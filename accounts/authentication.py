"""API token authentication whose tokens expire after ``API_TOKEN_HOURS``."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from accounts import services


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        user, token = super().authenticate_credentials(key)
        if services.api_token_is_expired(token):
            token.delete()
            raise exceptions.AuthenticationFailed(_("Token expired. Ask for a new one at /api/v1/auth/token/."))
        return user, token
