"""The web container's health probe: GET /healthz/ on the local gunicorn as the proxy would.

It sends a Host the app accepts (the first of ``ALLOWED_HOSTS``) and ``X-Forwarded-Proto: https``,
so the probe passes with production settings too: a host allow-list without 127.0.0.1 and
``SECURE_SSL_REDIRECT=1`` (which would otherwise answer 301 to https://127.0.0.1:8000).

    python -m salesperf.healthprobe [URL]     # exit 0 when healthy, 1 otherwise
"""

from __future__ import annotations

import os
import sys
import urllib.request

DEFAULT_URL = "http://127.0.0.1:8000/healthz/"


def probe_host(allowed_hosts: str) -> str:
    """A host name the app accepts: the first concrete entry of ALLOWED_HOSTS, else localhost."""
    for entry in (item.strip() for item in allowed_hosts.split(",")):
        host = entry.lstrip(".")  # ".example.com" allows example.com and its subdomains
        if host and host != "*":
            return host
    return "localhost"


def probe(url: str = DEFAULT_URL, *, allowed_hosts: str | None = None, timeout: float = 4.0) -> bool:
    hosts = os.environ.get("ALLOWED_HOSTS", "") if allowed_hosts is None else allowed_hosts
    request = urllib.request.Request(url, headers={"Host": probe_host(hosts), "X-Forwarded-Proto": "https"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status == 200
    except OSError:  # refused, timed out, or an HTTP error status
        return False


if __name__ == "__main__":
    sys.exit(0 if probe(sys.argv[1] if len(sys.argv) > 1 else DEFAULT_URL) else 1)
