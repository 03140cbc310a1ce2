from django.db import migrations

# Default weights of the performance score; administrators change them in the admin.
DEFAULTS = {
    "handled": "10",
    "resolution": "30",
    "on_time": "25",
    "revisit_on_time": "10",
    "satisfaction": "15",
    "returns": "-5",
    "rework": "-5",
}


def seed(apps, schema_editor):
    ScoreWeight = apps.get_model("analytics", "ScoreWeight")
    for indicator, weight in DEFAULTS.items():
        ScoreWeight.objects.get_or_create(indicator=indicator, defaults={"weight": weight})


def unseed(apps, schema_editor):
    apps.get_model("analytics", "ScoreWeight").objects.filter(indicator__in=DEFAULTS).delete()


class Migration(migrations.Migration):
    dependencies = [("analytics", "0001_figures")]
    operations = [migrations.RunPython(seed, unseed)]
