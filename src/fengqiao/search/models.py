"""The full-text index of cases: one row per case with the text people search for.

The row is written by ``index.index_case`` inside the transaction that changes the case.
SQLite indexes ``text`` in an FTS5 trigram table kept in step by triggers; PostgreSQL
puts a pg_trgm GIN index on the column itself (see the migrations).
"""

from django.db import models

from fengqiao.areas import paths


class CaseSearch(models.Model):
    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, primary_key=True, related_name="search_row"
    )
    # Copied from the case so that a scoped search needs no join to the case table.
    area_path = models.CharField(max_length=paths.MAX_LENGTH, db_index=True)
    text = models.TextField()

    class Meta:
        verbose_name = "事项检索"

    def __str__(self) -> str:
        return f"{self.case_id}"
