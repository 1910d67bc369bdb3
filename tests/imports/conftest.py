"""Fixtures of the import tests: the public data set (skipped when absent), KPI recompute spy."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

EXAMPLE_DIR = Path(settings.BASE_DIR) / "examples" / "import" / "salesperf"


@pytest.fixture(scope="session")
def crm_dataset_dir() -> Path:
    path = Path(settings.SALESPERF_DATASETS_DIR) / "crm-sales-opportunities"
    if not (path / "sales_pipeline.csv").exists():
        pytest.skip(f"the public CRM + Sales Opportunities data set is not at {path} (set SALESPERF_DATASETS_DIR)")
    return path


@pytest.fixture
def recompute_calls(monkeypatch) -> list[dict]:
    """Record the import's calls to the KPI engine instead of running it (its own tests cover it)."""
    calls: list[dict] = []

    def spy(**kwargs):
        calls.append(kwargs)
        return 0

    monkeypatch.setattr("imports.services.kpi_recompute", spy)
    return calls


@pytest.fixture
def example_dir() -> Path:
    return EXAMPLE_DIR
