"""Docker Compose as shipped: web and worker share the uploads, the health checks ask the right
thing, and the TLS override is consistent with the settings it relies on."""

from __future__ import annotations

import os
import shlex
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


class ComposeLoader(yaml.SafeLoader):
    """PyYAML with Compose's ``!reset`` tag (an override that empties a list)."""


ComposeLoader.add_constructor("!reset", lambda loader, node: [])


def compose(name: str = "docker-compose.yml") -> dict[str, Any]:
    return yaml.load((ROOT / name).read_text(), Loader=ComposeLoader)


def mounts(service: dict[str, Any]) -> dict[str, str]:
    return {spec.split(":")[1]: spec.split(":")[0] for spec in service.get("volumes", [])}


def test_web_and_worker_share_the_upload_folder():
    services = compose()["services"]
    media_root = services["web"]["environment"]["MEDIA_ROOT"]
    assert services["worker"]["environment"]["MEDIA_ROOT"] == media_root
    web_volume = mounts(services["web"]).get(media_root)
    assert web_volume is not None, "web must keep uploads on a volume"
    assert mounts(services["worker"]).get(media_root) == web_volume, "the worker must see the same volume"
    assert web_volume in compose()["volumes"], "a named volume, not a folder of one container"
    # The image creates the folder owned by the app user, so the fresh volume is writable by it.
    assert "mkdir -p /app/media" in (ROOT / "Dockerfile").read_text()


def test_the_shared_cache_keeps_the_login_counters_for_all_web_processes():
    environment = compose()["services"]["web"]["environment"]
    assert environment["CACHE_URL"].startswith("redis://")
    assert environment["CACHE_URL"] != environment["REDIS_URL"]


def test_beats_health_check_asks_beat_and_not_its_schedule_file():
    beat = compose()["services"]["beat"]
    check = " ".join(beat["healthcheck"]["test"])
    assert "celerybeat-schedule" not in check  # .db, .dat or none: depends on Python's dbm module
    assert "inspect ping -d celerybeat@$$HOSTNAME" in check
    assert "--enable-remote-control" in beat["command"]


def test_the_tls_override_sets_what_the_settings_need():
    tls = compose("docker-compose.tls.yml")["services"]
    web = tls["web"]["environment"]
    assert web["SECURE_SSL_REDIRECT"] == "1"
    assert web["NUM_PROXIES"] == "1"  # Caddy appends the client's address to X-Forwarded-For
    assert web["CSRF_TRUSTED_ORIGINS"].startswith("https://")
    assert tls["web"]["ports"] == []  # only the proxy reaches gunicorn
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in tls["caddy"]["volumes"]
    assert "reverse_proxy web:8000" in (ROOT / "deploy/Caddyfile").read_text()


def _beat_health_command() -> str:
    command = compose()["services"]["beat"]["healthcheck"]["test"][1]
    return command.replace("$$", "$")  # Compose's escape for a literal $


@pytest.mark.worker
def test_beats_health_check_passes_while_beat_runs_and_fails_once_it_stops(tmp_path):
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        pytest.skip("needs REDIS_URL (beat answers the ping through the broker); CI sets it")
    env = {**os.environ, "HOSTNAME": socket.gethostname(), "REDIS_URL": redis_url}
    beat_command = shlex.split(compose()["services"]["beat"]["command"])
    schedule = tmp_path / "celerybeat-schedule"
    beat_command[beat_command.index("--schedule") + 1] = str(schedule)
    beat = subprocess.Popen(
        [sys.executable, "-m", *beat_command], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )

    def healthy() -> bool:
        check = _beat_health_command().replace("celery ", f"{sys.executable} -m celery ", 1)
        return subprocess.run(["sh", "-c", check], cwd=ROOT, env=env, timeout=30).returncode == 0

    try:
        deadline = time.monotonic() + 40
        while not healthy():
            assert time.monotonic() < deadline, "beat never answered its health check"
            time.sleep(1)
    finally:
        beat.terminate()
        beat.wait(timeout=20)
    assert not healthy()
