"""Seed the default time limits (REFERENCE.md §3), in working days: territorial units
yellow card 1 / 1 (accept / handle), red card 2 / 2; functional units yellow 1 / 5,
red 2 / 10; verification 1 / 2; warning light at 70 %. Administrators edit them."""

from django.db import migrations

DEFAULTS = [
    # stage, unit scope, yellow, red
    ("accept", "territorial", 1, 2),
    ("handle", "territorial", 1, 2),
    ("accept", "functional", 1, 2),
    ("handle", "functional", 5, 10),
    ("verify", "", 1, 2),
]


def seed(apps, schema_editor):
    TimeLimit = apps.get_model("cases", "TimeLimit")
    for stage, scope, yellow, red in DEFAULTS:
        TimeLimit.objects.create(
            stage=stage,
            unit_scope=scope,
            yellow_limit=yellow,
            red_limit=red,
            time_unit="days",
            warning_percent=70,
        )


def unseed(apps, schema_editor):
    apps.get_model("cases", "TimeLimit").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_seed_categories")]
    operations = [migrations.RunPython(seed, unseed)]
