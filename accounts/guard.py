"""Throttle of repeated failed logins, shared by the login page, the admin login and the API token.

Failures are counted in the cache per (client address, username) and per client address. After
``LOGIN_FAILURE_LIMIT`` failures for one username from one address (or four times as many from
one address, whatever the usernames) within ``LOGIN_LOCKOUT_SECONDS``, that address is refused
for ``LOGIN_LOCKOUT_SECONDS``: the page and the API answer 429 with ``Retry-After``.
"""

from __future__ import annotations

import hashlib
import logging
import time
from typing import Any

from django.conf import settings
from django.core.cache import caches

logger = logging.getLogger(__name__)

# Spraying one password over many usernames from one address is stopped at this multiple.
ADDRESS_LIMIT_FACTOR = 4


def _cache() -> Any:
    return caches["default"]


def client_ip(request: Any) -> str:
    """The client's address: REMOTE_ADDR, or the one our ``NUM_PROXIES`` proxies put in X-Forwarded-For."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    proxies = settings.NUM_PROXIES
    if proxies and forwarded:
        addresses = [address.strip() for address in forwarded.split(",") if address.strip()]
        if addresses:
            return addresses[-min(proxies, len(addresses))]
    return remote


def _digest(*parts: str) -> str:
    # Usernames are user input: hash them so any text makes a valid, bounded cache key.
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:32]


def _keys(username: str, ip: str) -> tuple[str, str]:
    return f"login-fail:user:{_digest(ip, username.casefold())}", f"login-fail:ip:{_digest(ip)}"


def _lock_keys(username: str, ip: str) -> tuple[str, str]:
    user_key, ip_key = _keys(username, ip)
    return user_key.replace("login-fail", "login-lock", 1), ip_key.replace("login-fail", "login-lock", 1)


def retry_after(*, username: str, ip: str) -> int:
    """Seconds until ``username`` may try again from ``ip``; 0 when not locked out."""
    now = time.time()
    until = [value for value in _cache().get_many(list(_lock_keys(username, ip))).values() if value]
    remaining = max((value - now for value in until), default=0)
    return max(int(remaining + 0.999), 1) if remaining > 0 else 0


def record_failure(*, username: str, ip: str) -> None:
    cache = _cache()
    window = settings.LOGIN_LOCKOUT_SECONDS
    limits = (settings.LOGIN_FAILURE_LIMIT, settings.LOGIN_FAILURE_LIMIT * ADDRESS_LIMIT_FACTOR)
    for key, lock_key, limit in zip(_keys(username, ip), _lock_keys(username, ip), limits, strict=True):
        cache.add(key, 0, window)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, window)
            count = 1
        # add(): a locked-out client's further attempts do not push the end of the lockout.
        if count >= limit and cache.add(lock_key, time.time() + window, window):
            logger.warning("login lockout: %d failed logins from %s (username %r); locked for %d s", count, ip, username, window)


def clear(*, username: str, ip: str) -> None:
    """A successful login forgets that username's failures from that address."""
    user_key, _ip_key = _keys(username, ip)
    user_lock, _ip_lock = _lock_keys(username, ip)
    _cache().delete_many([user_key, user_lock])
