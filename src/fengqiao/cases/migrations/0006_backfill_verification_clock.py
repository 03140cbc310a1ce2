"""Cases completed before the verification clock existed get its due instants, computed
from their completion time on the working-day calendar, so that lists can filter them
as overdue for verification. The arithmetic is ``cases.deadlines``' own: it reads only
the case's kind, category, handling level, unit and completion time, and the time-limit
and calendar tables, all as they are at this migration."""

from django.db import migrations


def backfill(apps, schema_editor):
    from fengqiao.cases import deadlines

    Case = apps.get_model("cases", "Case")
    waiting = Case.objects.filter(
        state="completed", completed_at__isnull=False, verify_due_at__isnull=True
    ).select_related("handling_area", "current_unit")
    for case in waiting.iterator(chunk_size=500):
        try:
            instants = deadlines.verify_instants(case)
        except ValueError:  # no verification limit configured: leave it without a clock
            continue
        Case.objects.filter(pk=case.pk).update(**instants)


class Migration(migrations.Migration):
    dependencies = [("cases", "0005_verify_clock_and_restarted_handling_clock")]
    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
