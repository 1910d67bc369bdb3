"""Writes of quotas and weekly activity targets: the one door for the quota grid, the API,
file uploads, the import and the admin (docs/quotas.md).

Every save validates all rows first and writes nothing if any row is bad (``QuotaInputError``
lists every bad row with a readable reason), then upserts in a few bulk queries and records
who changed what, when, and from where (django-simple-history; ``source`` is the change
reason). The rules are those of docs/kpis.md, "Quota": quotas of one metric (and activity
kind) for one rep or one team never overlap; PostgreSQL also refuses overlaps by an
exclusion constraint, which these checks keep users from ever meeting.
"""

from kpis.quotas.base import (
    MAX_PER_WEEK,
    MAX_TARGET,
    MAX_YEAR,
    MIN_YEAR,
    ActivityTargetInput,
    HistoryEntry,
    QuotaInput,
    QuotaInputError,
    RowChange,
    RowError,
    SaveResult,
)
from kpis.quotas.history import activity_target_history, quota_history
from kpis.quotas.instances import (
    activity_target_input_of,
    quota_input_of,
    save_activity_target_instance,
    save_quota_instance,
    validate_activity_target_instance,
    validate_quota_instance,
)
from kpis.quotas.quota_saves import preview_quotas, save_quotas, validate_quotas
from kpis.quotas.target_saves import preview_activity_targets, save_activity_targets, validate_activity_targets

__all__ = [
    "MAX_PER_WEEK",
    "MAX_TARGET",
    "MAX_YEAR",
    "MIN_YEAR",
    "ActivityTargetInput",
    "HistoryEntry",
    "QuotaInput",
    "QuotaInputError",
    "RowChange",
    "RowError",
    "SaveResult",
    "activity_target_history",
    "activity_target_input_of",
    "preview_activity_targets",
    "preview_quotas",
    "quota_history",
    "quota_input_of",
    "save_activity_target_instance",
    "save_activity_targets",
    "save_quota_instance",
    "save_quotas",
    "validate_activity_target_instance",
    "validate_activity_targets",
    "validate_quota_instance",
    "validate_quotas",
]
