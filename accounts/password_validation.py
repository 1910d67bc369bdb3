"""Revoke a user's API tokens whenever their password changes.

Django calls ``password_changed()`` of every configured password validator after any password
change is saved: the password page, the reset link, the admin and ``changepassword`` alike.
That makes it the one hook no path can miss; this "validator" accepts every password.
"""

from __future__ import annotations

from typing import Any

from accounts import services


class RevokeApiTokensOnPasswordChange:
    def validate(self, password: str, user: Any = None) -> None:
        return None

    def password_changed(self, password: str, user: Any = None) -> None:
        services.api_tokens_revoke(user=user)

    def get_help_text(self) -> str:
        return ""
