"""One log line per event: Django's records go through our one formatted handler only."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = """
import logging, django
django.setup()
logging.getLogger("django.request").warning("Forbidden: /x/")
logging.getLogger("salesperf").info("hello")
"""


def test_a_django_warning_is_logged_once_in_the_line_format():
    env = {"DJANGO_SETTINGS_MODULE": "salesperf.settings", "DEBUG": "1", "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 2, lines
    assert " WARNING django.request [" in lines[0] and lines[0].endswith("Forbidden: /x/")
    assert " INFO salesperf [" in lines[1]
