"""Bigram indexes for one- and two-character terms, one per database, filled for the
rows already there (see ``search.index``).

SQLite: a contentless FTS5 table of the bigrams ``search_bigrams(text)`` gives (a Python
function every connection gets, see ``SearchConfig.ready``), with a one-character prefix
index; the ``ascii`` tokenizer folds ASCII case as LIKE does, and every character but
ASCII whitespace and controls belongs to a token, so a bigram is one token. Triggers keep
it in step in the writing transaction; contentless, so a delete names the old bigrams.

PostgreSQL: ``search_bigrams(text)`` as a tsvector of the lower-cased text's bigrams (no
parser, no dictionary: ``array_to_tsvector``) with a GIN index on the expression, kept by
PostgreSQL itself; ``search_bigram_query(term)`` is the matching tsquery (a prefix query
for one character). A text holds at most ≈ 10,200 characters (narrative limit 10,000),
far from the tsvector limit of 1 MB.

How PostgreSQL plans it (``search.index.matching_ids_sql``): the bigram function is
declared costly (it is: ≈ 50 µs a row), so that a count stops after its 1,001 rows of a
bitmap scan instead of computing bigrams row after row; the re-check is written as
``strpos(lower(text), lower(term)) <> 0`` (what ILIKE does, without wildcards), which the
planner takes as always true — an ILIKE would be counted as a second, independent 2 %
filter and make a 4 % term look rare (page 1 of 漏水: 110 ms by bitmap instead of 3–16 ms
walking the newest cases). The index column keeps 1,000 statistics entries so that a rare
bigram is known to be rare (else the planner walks every case newest first for a name
found 16 times); PARALLEL RESTRICTED, because a parallel walk runs far past the LIMIT in
each worker, computing bigrams for rows nobody reads (400 ms instead of 2 ms for "草").
"""

import string

from django.db import migrations

from fengqiao.search.index import install_functions

_TOKENCHARS = string.punctuation.replace("'", "''")
_TOKENIZE = f"ascii tokenchars '{_TOKENCHARS}'".replace("'", "''")

SQLITE = [
    "CREATE VIRTUAL TABLE search_casesearch_bigram USING fts5("
    f"bigrams, content='', tokenize='{_TOKENIZE}', detail='none', columnsize=0, prefix='1')",
    "CREATE TRIGGER search_casesearch_bigram_ai AFTER INSERT ON search_casesearch BEGIN "
    "INSERT INTO search_casesearch_bigram(rowid, bigrams) "
    "VALUES (new.case_id, search_bigrams(new.text)); END",
    "CREATE TRIGGER search_casesearch_bigram_ad AFTER DELETE ON search_casesearch BEGIN "
    "INSERT INTO search_casesearch_bigram(search_casesearch_bigram, rowid, bigrams) "
    "VALUES ('delete', old.case_id, search_bigrams(old.text)); END",
    "CREATE TRIGGER search_casesearch_bigram_au AFTER UPDATE OF text ON search_casesearch "
    "WHEN old.text IS NOT new.text BEGIN "
    "INSERT INTO search_casesearch_bigram(search_casesearch_bigram, rowid, bigrams) "
    "VALUES ('delete', old.case_id, search_bigrams(old.text)); "
    "INSERT INTO search_casesearch_bigram(rowid, bigrams) "
    "VALUES (new.case_id, search_bigrams(new.text)); END",
    "INSERT INTO search_casesearch_bigram(rowid, bigrams) "
    "SELECT case_id, search_bigrams(text) FROM search_casesearch",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS search_casesearch_bigram_au",
    "DROP TRIGGER IF EXISTS search_casesearch_bigram_ad",
    "DROP TRIGGER IF EXISTS search_casesearch_bigram_ai",
    "DROP TABLE IF EXISTS search_casesearch_bigram",
]
POSTGRESQL = [
    r"""CREATE FUNCTION search_bigrams(t text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE STRICT PARALLEL RESTRICTED COST 1000 AS $$
      SELECT array_to_tsvector(ARRAY(
        SELECT x || y FROM unnest(a[1:cardinality(a) - 1], a[2:]) AS u(x, y)))
      FROM string_to_array(lower(t) || E'\n', NULL) AS a
    $$""",
    r"""CREATE FUNCTION search_bigram_query(term text) RETURNS tsquery
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
      SELECT ('''' || replace(replace(lower(term), '\', '\\'), '''', '''''') || ''''
              || CASE WHEN length(term) = 1 THEN ':*' ELSE '' END)::tsquery
    $$""",
    "SET LOCAL maintenance_work_mem = '512MB'",
    "CREATE INDEX search_casesearch_bigrams ON search_casesearch USING gin (search_bigrams(text))",
    # As search.index.POSTGRESQL_STATISTICS (a bulk loader's rebuild applies it again).
    "ALTER INDEX search_casesearch_bigrams ALTER COLUMN 1 SET STATISTICS 1000",
    "ANALYZE search_casesearch",
]
POSTGRESQL_REVERSE = [
    "DROP INDEX IF EXISTS search_casesearch_bigrams",
    "DROP FUNCTION IF EXISTS search_bigram_query(text)",
    "DROP FUNCTION IF EXISTS search_bigrams(text)",
]


def _run(statements):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor == "sqlite":
            schema_editor.connection.ensure_connection()
            install_functions(schema_editor.connection.connection)
        for sql in statements.get(vendor, []):
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0002_trigram_indexes")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE}),
        ),
    ]
