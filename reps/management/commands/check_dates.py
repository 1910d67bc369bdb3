"""List the stored dates outside 1900–2999 (saved before the rule existed), to fix by hand.

Every date field that carries the product's rule (salesperf.dates.validate_in_range) is
checked with one query. Exits with status 1 when any is found.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import models
from django.db.models import Q

from salesperf.dates import EARLIEST_DAY, LATEST_DAY, validate_in_range


def _bounds(field: models.Field) -> tuple[Any, Any]:
    if isinstance(field, models.DateTimeField):
        return (
            dt.datetime.combine(EARLIEST_DAY, dt.time(), tzinfo=dt.UTC),
            dt.datetime.combine(LATEST_DAY, dt.time.max, tzinfo=dt.UTC),
        )
    return EARLIEST_DAY, LATEST_DAY


class Command(BaseCommand):
    help = "List the records whose dates lie outside the years 1900–2999; exit 1 if there are any."

    def handle(self, *args: Any, **options: Any) -> None:
        found = 0
        for model in apps.get_models():
            for field in model._meta.get_fields():
                if not isinstance(field, models.DateField) or validate_in_range not in field.validators:
                    continue
                low, high = _bounds(field)
                outside = Q(**{f"{field.name}__lt": low}) | Q(**{f"{field.name}__gt": high})
                # ids only: a date past year 9999 in local time cannot even be read back.
                for pk in model._default_manager.filter(outside).values_list("pk", flat=True).order_by("pk"):
                    found += 1
                    self.stdout.write(f"{model._meta.label} {pk}: {field.name}")
        if found:
            raise CommandError(f"{found} stored date(s) lie outside 1900–2999; correct them (e.g. in the admin).")
        self.stdout.write("Every stored date lies in 1900–2999.")
