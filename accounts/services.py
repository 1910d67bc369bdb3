"""Writes of the accounts app: issuing and revoking API tokens."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token


def api_token_lifetime() -> dt.timedelta:
    return dt.timedelta(hours=settings.API_TOKEN_HOURS)


def api_token_expires(token: Token) -> dt.datetime:
    return token.created + api_token_lifetime()


def api_token_is_expired(token: Token) -> bool:
    return api_token_expires(token) <= timezone.now()


@transaction.atomic
def api_token_issue(*, user: Any) -> Token:
    """The user's API token: the current one while it is valid, else a new one."""
    token = Token.objects.select_for_update().filter(user=user).first()
    if token is not None and not api_token_is_expired(token):
        return token
    if token is not None:
        token.delete()
    return Token.objects.create(user=user)


def api_tokens_revoke(*, user: Any) -> int:
    """Delete the user's API tokens (logout, password change); how many there were."""
    if user is None or not getattr(user, "pk", None):
        return 0
    deleted, _ = Token.objects.filter(user=user).delete()
    return deleted
