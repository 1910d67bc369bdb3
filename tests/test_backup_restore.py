"""A pg_dump of a seeded database restores into a fresh one with the same KPIs and row counts."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "backup_restore_check.sh"


def test_the_backup_check_script_is_documented():
    operations = (ROOT / "docs" / "operations.md").read_text()
    assert "scripts/backup_restore_check.sh" in operations
    assert "pg_restore" in operations


def test_a_backup_restores_with_the_same_kpis():
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        pytest.skip("needs a PostgreSQL DATABASE_URL (the server to create the two databases on); CI sets it")
    missing = [tool for tool in ("createdb", "dropdb", "pg_dump", "pg_restore") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"needs the PostgreSQL client tools: {', '.join(missing)}")
    server = urlparse(database_url)
    env = {
        **os.environ,
        "PYTHON": sys.executable,
        "PGHOST": server.hostname or "127.0.0.1",
        "PGPORT": str(server.port or 5432),
        "PGUSER": server.username or "postgres",
        "BACKUP_CHECK_DB": f"{(server.path.lstrip('/') or 'salesperf')}_backup_check_{os.getpid()}",
    }
    if server.password:
        env["PGPASSWORD"] = server.password
    result = subprocess.run(["bash", str(SCRIPT)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK: the restore gives the same KPIs (6 rep rows)" in result.stdout
