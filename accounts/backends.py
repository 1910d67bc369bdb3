"""The authentication backend: Django's ModelBackend that first refuses a locked-out client.

The login page and the token endpoint check the lockout themselves to answer 429 with a clear
message; this backend closes the other doors (the admin's login form) the same way.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from accounts import guard


class LockoutModelBackend(ModelBackend):
    def authenticate(self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any) -> Any:
        if request is not None and username and guard.retry_after(username=username, ip=guard.client_ip(request)):
            raise PermissionDenied  # stops authenticate() before the password is checked
        return super().authenticate(request, username=username, password=password, **kwargs)
