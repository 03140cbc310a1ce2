"""The trigram indexes, one per database, and the rows of cases registered before.

SQLite: an FTS5 table with the trigram tokenizer over ``search_casesearch.text``
(external content, kept in step by triggers). PostgreSQL: pg_trgm and a GIN index on
the column, which serves ``ILIKE '%…%'``.
"""

from django.db import migrations

SQLITE = [
    "CREATE VIRTUAL TABLE search_casesearch_fts USING fts5("
    "text, content='search_casesearch', content_rowid='case_id', tokenize='trigram')",
    "CREATE TRIGGER search_casesearch_ai AFTER INSERT ON search_casesearch BEGIN "
    "INSERT INTO search_casesearch_fts(rowid, text) VALUES (new.case_id, new.text); END",
    "CREATE TRIGGER search_casesearch_ad AFTER DELETE ON search_casesearch BEGIN "
    "INSERT INTO search_casesearch_fts(search_casesearch_fts, rowid, text) "
    "VALUES ('delete', old.case_id, old.text); END",
    "CREATE TRIGGER search_casesearch_au AFTER UPDATE ON search_casesearch BEGIN "
    "INSERT INTO search_casesearch_fts(search_casesearch_fts, rowid, text) "
    "VALUES ('delete', old.case_id, old.text); "
    "INSERT INTO search_casesearch_fts(rowid, text) VALUES (new.case_id, new.text); END",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS search_casesearch_au",
    "DROP TRIGGER IF EXISTS search_casesearch_ad",
    "DROP TRIGGER IF EXISTS search_casesearch_ai",
    "DROP TABLE IF EXISTS search_casesearch_fts",
]
POSTGRESQL = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX search_casesearch_text_trgm ON search_casesearch USING gin (text gin_trgm_ops)",
]
POSTGRESQL_REVERSE = ["DROP INDEX IF EXISTS search_casesearch_text_trgm"]


def _run(statements):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


def backfill(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Party = apps.get_model("cases", "Party")
    CaseSearch = apps.get_model("search", "CaseSearch")
    names: dict[int, list[str]] = {}
    for case_id, name in Party.objects.values_list("case_id", "person__name"):
        names.setdefault(case_id, []).append(name)
    batch = []
    for c in Case.objects.only("pk", "number", "title", "narrative", "area_path").iterator():
        text = "\n".join([c.number, c.title, c.narrative, " ".join(names.get(c.pk, []))])
        batch.append(CaseSearch(case_id=c.pk, area_path=c.area_path, text=text))
        if len(batch) >= 1000:
            CaseSearch.objects.bulk_create(batch)
            batch = []
    CaseSearch.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_case_search")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE}),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
