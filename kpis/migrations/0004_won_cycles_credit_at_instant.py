from django.db import migrations


def backfill(apps, schema_editor):
    """Rewrite the won-deal cycle counts now that the engine credits the owner at the instant of
    each win (reps 0004 stored the instants). The daily rows follow on the next recompute
    (`manage.py recompute_kpis`)."""
    KpiDay = apps.get_model("kpis", "KpiDay")
    if not KpiDay.objects.filter(deals_won__gt=0).exists():
        return
    from kpis import sql

    with schema_editor.connection.cursor() as cursor:
        sql.write_won_cycles(cursor, sql.DateFilter(), None)


class Migration(migrations.Migration):

    dependencies = [
        ('kpis', '0003_kpi_won_cycles'),
        ('reps', '0004_opportunity_event_instants'),
    ]

    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
