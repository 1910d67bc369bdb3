"""Import formats. Each module has ``NAME`` and ``run(directory, *, report, progress)``."""

from __future__ import annotations

from types import ModuleType

from imports.formats import crm_sales_opportunities, salesperf

FORMATS: dict[str, ModuleType] = {
    salesperf.NAME: salesperf,
    crm_sales_opportunities.NAME: crm_sales_opportunities,
}
