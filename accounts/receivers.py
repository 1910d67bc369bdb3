"""Auth signals: count failed logins, forget them on success, revoke API tokens on logout."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from accounts import guard, services


def _username(credentials: dict[str, Any]) -> str:
    return str(credentials.get("username") or "")


@receiver(user_login_failed, dispatch_uid="accounts.login_failed")
def count_failed_login(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    if request is None:  # authenticate() without a request (management commands, tests): nothing to throttle
        return
    guard.record_failure(username=_username(credentials), ip=guard.client_ip(request))


@receiver(user_logged_in, dispatch_uid="accounts.logged_in")
def forget_failed_logins(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if request is not None:
        guard.clear(username=user.get_username(), ip=guard.client_ip(request))


@receiver(user_logged_out, dispatch_uid="accounts.logged_out")
def revoke_tokens_on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    services.api_tokens_revoke(user=user)
