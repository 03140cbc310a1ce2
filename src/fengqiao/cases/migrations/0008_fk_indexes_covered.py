"""The case's category, current unit and current handler lose their single-column
indexes: each leads a composite index (case_category_area, case_unit_state,
case_handler_state) that serves the same lookups, and every insert and move wrote the
extra index too. The indexes are dropped by name (the same on both databases); letting
the schema editor do it would rebuild the whole case table on SQLite."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# (index, column) as Django named them when the foreign keys were created.
COVERED = [
    ("cases_case_category_id_c6dc5a5a", "category_id"),
    ("cases_case_current_handler_id_d8142fe0", "current_handler_id"),
    ("cases_case_current_unit_id_c8cb0755", "current_unit_id"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_list_indexes"),
        ("units", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX "{name}" ON "cases_case" ("{column}")',
                )
                for name, column in COVERED
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="case",
                    name="category",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="cases",
                        to="cases.category",
                    ),
                ),
                migrations.AlterField(
                    model_name="case",
                    name="current_handler",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="handled_cases",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="case",
                    name="current_unit",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="cases",
                        to="units.unit",
                    ),
                ),
            ],
        )
    ]
