"""PostgreSQL indexes for a search within a town (``search.index._within``), built over
the rows already there; SQLite needs none (its town search reads the town's rows).

- ``search_casesearch_town_walk``: the rows by town (the first 15 characters of the
  area path: city, district, town — ``search.index.NARROW_PATH_LENGTH``) and id, so that
  a town's page walks its own rows newest first and stops after a page.
- ``search_casesearch_town_bigrams``: a GIN index on ``search_town_bigrams(area_path,
  text)``, the bigrams of migration 0003 each prefixed with the row's town, so that a
  term's posting list in a town holds that town's rows only (the city's bigram list of
  a common word is a third of the city); ``search_town_bigram_query(town, term)`` is the
  matching tsquery (a prefix query for one character). A path shorter than a town's
  gives shorter lexemes, which no town's query matches.

The town bigram function is declared costly and PARALLEL RESTRICTED as ``search_bigrams``
is (migration 0003), for the same reasons. At 1M cases it takes 367 MB (the city's
bigram index 125 MB, the trigram index 152 MB, the walk index 39 MB); this migration took
7 min there on a busy machine (4 min of it building that index), 1 min at 100k.
"""

from django.db import migrations

POSTGRESQL = [
    r"""CREATE FUNCTION search_town_bigrams(area_path text, t text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE STRICT PARALLEL RESTRICTED COST 1000 AS $$
      SELECT array_to_tsvector(ARRAY(
        SELECT left(area_path, 15) || x || y
        FROM unnest(a[1:cardinality(a) - 1], a[2:]) AS u(x, y)))
      FROM string_to_array(lower(t) || E'\n', NULL) AS a
    $$""",
    r"""CREATE FUNCTION search_town_bigram_query(town text, term text) RETURNS tsquery
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
      SELECT ('''' || replace(replace(town || lower(term), '\', '\\'), '''', '''''') || ''''
              || CASE WHEN length(term) = 1 THEN ':*' ELSE '' END)::tsquery
    $$""",
    "SET LOCAL maintenance_work_mem = '512MB'",
    "CREATE INDEX search_casesearch_town_walk ON search_casesearch (left(area_path, 15), case_id)",
    "CREATE INDEX search_casesearch_town_bigrams ON search_casesearch "
    "USING gin (search_town_bigrams(area_path, text))",
    "ANALYZE search_casesearch",
]
POSTGRESQL_REVERSE = [
    "DROP INDEX IF EXISTS search_casesearch_town_bigrams",
    "DROP INDEX IF EXISTS search_casesearch_town_walk",
    "DROP FUNCTION IF EXISTS search_town_bigram_query(text, text)",
    "DROP FUNCTION IF EXISTS search_town_bigrams(text, text)",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0003_bigram_indexes")]

    operations = [
        migrations.RunPython(_run(POSTGRESQL), _run(POSTGRESQL_REVERSE)),
    ]
