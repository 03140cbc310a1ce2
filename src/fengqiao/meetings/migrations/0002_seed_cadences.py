from django.db import migrations

# REFERENCE §6: villages weekly, towns monthly (fortnightly where they choose), districts
# monthly; administrators change these in the admin.
DEFAULTS = {"community": 7, "town": 30, "district": 30}


def seed(apps, schema_editor):
    Cadence = apps.get_model("meetings", "Cadence")
    for level, days in DEFAULTS.items():
        Cadence.objects.get_or_create(level=level, defaults={"every_days": days})


def unseed(apps, schema_editor):
    apps.get_model("meetings", "Cadence").objects.filter(level__in=DEFAULTS).delete()


class Migration(migrations.Migration):
    dependencies = [("meetings", "0001_meetings")]
    operations = [migrations.RunPython(seed, unseed)]
