"""Quotas (and weekly activity targets) of one owner, metric and kind never overlap.

PostgreSQL enforces it with exclusion constraints on the inclusive date range (btree_gist
lets ``=`` on the owner and metric share the GiST index). SQLite has no such constraint; there,
as everywhere, ``kpis.quotas`` refuses overlaps with a readable message before a write.

Existing overlapping quotas stop the migration with a message listing them: which one to keep
is the admins' choice, so nothing is deleted here.
"""

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField, RangeOperators
from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations
from django.db.models import F, Func, Q, Value


def _range() -> Func:
    # An open-ended target's upper bound is NULL: daterange() reads it as infinity.
    return Func(F("start_date"), F("end_date"), Value("[]"), function="daterange", output_field=DateRangeField())


def constraints() -> dict[str, list[ExclusionConstraint]]:
    return {
        "quota": [
            ExclusionConstraint(
                name=f"quota_no_overlap_per_{owner}",
                expressions=[
                    (_range(), RangeOperators.OVERLAPS),
                    (owner, RangeOperators.EQUAL),
                    ("metric", RangeOperators.EQUAL),
                    ("activity_kind", RangeOperators.EQUAL),
                ],
                condition=Q(**{f"{owner}__isnull": False}),
            )
            for owner in ("rep", "team")
        ],
        "activitytarget": [
            ExclusionConstraint(
                name=f"activity_target_no_overlap_per_{owner}",
                expressions=[
                    (_range(), RangeOperators.OVERLAPS),
                    (owner, RangeOperators.EQUAL),
                    ("kind", RangeOperators.EQUAL),
                ],
                condition=Q(**{f"{owner}__isnull": False}),
            )
            for owner in ("rep", "team")
        ],
    }


OVERLAPS = """
SELECT a.id, b.id FROM {table} a JOIN {table} b
  ON a.id < b.id AND a.{owner} IS NOT DISTINCT FROM b.{owner} AND {same}
 AND daterange(a.start_date, a.end_date, '[]') && daterange(b.start_date, b.end_date, '[]')
WHERE a.{owner} IS NOT NULL ORDER BY a.id, b.id LIMIT 10
"""


def _refuse_existing_overlaps(schema_editor) -> None:
    checks = [
        ("kpis_quota", "rep_id", "a.metric = b.metric AND a.activity_kind = b.activity_kind", "quotas"),
        ("kpis_quota", "team_id", "a.metric = b.metric AND a.activity_kind = b.activity_kind", "quotas"),
        ("kpis_activitytarget", "rep_id", "a.kind = b.kind", "weekly activity targets"),
        ("kpis_activitytarget", "team_id", "a.kind = b.kind", "weekly activity targets"),
    ]
    problems = []
    with schema_editor.connection.cursor() as cursor:
        for table, owner, same, label in checks:
            cursor.execute(OVERLAPS.format(table=table, owner=owner, same=same))
            problems += [f"{label} {a} and {b}" for a, b in cursor.fetchall()]
    if problems:
        raise RuntimeError(
            "These overlap, which salesperf no longer allows: "
            + "; ".join(problems)
            + ". Shorten or delete one of each pair (Django admin, by id) and run migrate again."
        )


def add_constraints(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    _refuse_existing_overlaps(schema_editor)
    for model_name, items in constraints().items():
        model = apps.get_model("kpis", model_name)
        for constraint in items:
            schema_editor.add_constraint(model, constraint)


def remove_constraints(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for model_name, items in constraints().items():
        model = apps.get_model("kpis", model_name)
        for constraint in items:
            schema_editor.remove_constraint(model, constraint)


class Migration(migrations.Migration):
    dependencies = [("kpis", "0004_quota_history")]

    operations = [
        BtreeGistExtension(),  # a no-op off PostgreSQL
        migrations.RunPython(add_constraints, remove_constraints, elidable=False),
    ]
