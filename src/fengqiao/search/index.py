"""Writing and reading the case search index.

Substring search in Chinese needs no word segmentation: an index of every run of n
characters finds any substring of n characters or more. Two indexes, one per length:

- three characters or more: trigrams (SQLite FTS5 ``trigram`` tokenizer; PostgreSQL
  pg_trgm GIN on the text, which serves ``ILIKE '%…%'``);
- one or two characters ("草", "漏水"): bigrams — every two neighbouring characters of the
  text with a newline after its last character, so that every character of the text
  begins at least one bigram. A two-character term is one bigram; a one-character term is
  the bigrams it begins (a prefix query). SQLite keeps them in a contentless FTS5 table
  (``search_casesearch_bigram``, filled by triggers calling :func:`bigrams`); PostgreSQL
  in a GIN index on the ``search_bigrams(text)`` tsvector, with the row's town as its
  second column for a search within a town. See migrations 0003 and 0005.

Both give exactly the cases whose text contains the term (PostgreSQL re-checks as ILIKE
would); a term the SQLite bigram table cannot hold (ASCII control characters) is looked
for with LIKE over every row.

Measured at 1,000,000 search rows (the 100k bench texts ten times over; page 1 and the
count capped at 1,001, as the case list runs them; shared machine at load 13–17):
SQLite CPU 漏水 14 ms (LIKE: 1,368 ms), a 160-case name 0.4 ms, 草 32 ms, 纠纷 (37 % of
cases) 146 ms, 网 (every case) 441 ms — the IN list holds every match, so a term found in
a third of the city costs ≈ 0.4 µs per matching case; PostgreSQL wall 漏水 8.6 + 34 ms
(ILIKE: 1 + 198 ms), the name 0.8 + 0.7 ms, 草 13 + 45 ms, 纠纷 1.5 + 161 ms, 网 1.4 +
158 ms (the count's bitmap holds every match). Bigram table 120 MB (trigram 221 MB).
"""

import re
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from django.db import connection
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import Expression, RawSQL

from fengqiao.areas import paths

from .models import CaseSearch

MIN_TRIGRAM = 3
# A scope this deep (city, district, town) or deeper holds few enough cases that reading
# its own search rows beats any index of the whole city (PostgreSQL, ``search_cases``).
NARROW_PATH_LENGTH = 3 * paths.SEGMENT
MAX_QUERY = 100

TRIGRAM_TABLE = "search_casesearch_fts"
BIGRAM_TABLE = "search_casesearch_bigram"
# The triggers that fill the SQLite tables on INSERT (see migrations 0002 and 0003).
INSERT_TRIGGERS = ("search_casesearch_ai", "search_casesearch_bigram_ai")

# How common each bigram is, for PostgreSQL's planner: with the default 100 entries a
# bigram found in 16 cases of 100,000 is taken for one in 500 (migration 0003); and each
# town's share of the rows (the index's second column, migration 0005).
POSTGRESQL_STATISTICS = [
    "ALTER INDEX IF EXISTS search_casesearch_bigrams ALTER COLUMN 1 SET STATISTICS 1000",
    "ALTER INDEX IF EXISTS search_casesearch_bigrams ALTER COLUMN 2 SET STATISTICS 1000",
    "ANALYZE search_casesearch",
]

# What the SQLite bigram table's tokenizer splits on: ASCII whitespace and controls (every
# other character, ASCII punctuation included, is part of a token). A term never holds
# whitespace (normalize splits on it); one with a control character is not in the table.
_NOT_IN_BIGRAMS = re.compile(r"[\x00-\x20\x7f]")


def text_of(case, names: Sequence[str] | None = None) -> str:
    """What a case is found by: number, title, narrative and its parties' names, in the
    order the parties were written; ``names``: those names, when the caller has them."""
    return case.number + text_after_number(case, names)


def text_after_number(case, names: Sequence[str] | None = None) -> str:
    """``text_of`` without the number it begins with (``new_row_from``)."""
    if names is None:
        parties = case.parties.select_related("person").order_by("pk")
        names = [p.person.name for p in parties]
    return "\n" + "\n".join([case.title, case.narrative, " ".join(names)])


def new_row_from(case, numbered: str, names: Sequence[str] | None = None) -> tuple[str, list]:
    """PostgreSQL: the INSERT of a new case's search row, the row ``index_case(new=True)``
    writes, taking the case's number from ``numbered`` (a query named in the statement's
    WITH clause, with a ``number`` column): for a writer that draws the number in the
    same statement. With its parameters."""
    table = CaseSearch._meta.db_table
    return (
        f"INSERT INTO {table} (case_id, area_path, text) "  # noqa: S608 — names from this module and the caller
        f"SELECT %s, %s, {numbered}.number || %s FROM {numbered}",
        [case.pk, case.area_path, text_after_number(case, names)],
    )


def bigrams(text: str) -> str:
    """The text's overlapping two-character tokens, space-separated, as the SQLite bigram
    table stores them; a newline closes the text so that its last character begins one."""
    closed = f"{text}\n"
    return " ".join(map(str.__add__, closed, closed[1:]))


def install_functions(sqlite_connection) -> None:
    """Give a SQLite connection the ``search_bigrams`` function the triggers call."""
    sqlite_connection.create_function("search_bigrams", 1, bigrams, deterministic=True)


def on_connection_created(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        install_functions(connection.connection)


def index_case(case, *, new: bool = False, names: Sequence[str] | None = None) -> CaseSearch:
    """Write (or rewrite) the case's search row; call it in the changing transaction.
    ``new``: the case was created in this transaction, so it has no row yet — one INSERT
    instead of a locked read, savepoints and an update. ``names``: the parties' names in
    the order their rows were written (as ``text_of`` reads them), so that they are not
    read back (an intake has them at hand)."""
    fields = {"area_path": case.area_path, "text": text_of(case, names)}
    if new:
        return CaseSearch.objects.create(case=case, **fields)
    row, _ = CaseSearch.objects.update_or_create(case=case, defaults=fields)
    return row


def index_cases_of_person(person) -> int:
    """Rewrite the search rows of the cases ``person`` is a party to (after a rename);
    call it in the changing transaction. Returns how many were rewritten."""
    from fengqiao.cases.models import Case

    cases = Case.objects.filter(parties__person=person).distinct()
    count = 0
    for case in cases:
        index_case(case)
        count += 1
    return count


def rebuild_after_bulk_load() -> None:
    """Index every search row again after rows were written with the SQLite insert
    triggers dropped (a bulk load); on PostgreSQL, whose GIN indexes keep themselves,
    restore the bigram statistics (lost when a loader drops and recreates the index)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as c:
            for sql in POSTGRESQL_STATISTICS:
                c.execute(sql)
        return
    with connection.cursor() as c:
        c.execute(f"INSERT INTO {TRIGRAM_TABLE}({TRIGRAM_TABLE}) VALUES ('rebuild')")  # noqa: S608 — names from this module
        c.execute(f"INSERT INTO {BIGRAM_TABLE}({BIGRAM_TABLE}) VALUES ('delete-all')")  # noqa: S608 — names from this module
        c.execute(
            f"INSERT INTO {BIGRAM_TABLE}(rowid, bigrams) "  # noqa: S608 — names from this module
            "SELECT case_id, search_bigrams(text) FROM search_casesearch"
        )


@contextmanager
def deferred_indexing() -> Iterator[None]:
    """Wrap a bulk load of search rows: SQLite indexes them in one pass at the end instead
    of one trigger call per row (the insert triggers are put back whatever happens);
    PostgreSQL's bigram statistics are restored. Enter it before a loader that drops and
    recreates indexes, so that it leaves after them."""
    saved: list[str] = []
    if connection.vendor == "sqlite":
        with connection.cursor() as c:
            for name in INSERT_TRIGGERS:
                c.execute(
                    "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = %s", [name]
                )
                row = c.fetchone()
                if row is not None:
                    saved.append(row[0])
                    c.execute(f"DROP TRIGGER {name}")
    try:
        yield
    finally:
        if saved or connection.vendor == "postgresql":
            rebuild_after_bulk_load()
        with connection.cursor() as c:
            for sql in saved:
                c.execute(sql)


def normalize(query: str) -> str:
    return " ".join((query or "").split())[:MAX_QUERY]


def _fts_phrase(term: str) -> str:
    # An FTS5 string: double quotes inside are doubled; nothing else is special.
    return '"' + term.replace('"', '""') + '"'


def _like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def matching_ids_sql(term: str) -> tuple[str, list]:
    """SQL selecting the ids of the cases whose text contains ``term`` (one word), with
    its parameters — the query the case list runs, also the benchmark's floor."""
    if connection.vendor == "sqlite":
        if len(term) >= MIN_TRIGRAM:
            return (
                f"SELECT rowid FROM {TRIGRAM_TABLE} WHERE {TRIGRAM_TABLE} MATCH %s",  # noqa: S608 — names from this module
                [_fts_phrase(term)],
            )
        if not _NOT_IN_BIGRAMS.search(term):
            prefix = " *" if len(term) == 1 else ""
            return (
                f"SELECT rowid FROM {BIGRAM_TABLE} WHERE {BIGRAM_TABLE} MATCH %s",  # noqa: S608 — names from this module
                [_fts_phrase(term) + prefix],
            )
        return (
            "SELECT case_id FROM search_casesearch WHERE text LIKE %s ESCAPE '\\'",
            [_like_pattern(term)],
        )
    if len(term) >= MIN_TRIGRAM:
        # ILIKE '%term%' is served by the pg_trgm GIN index for ≥ 3 characters.
        return (
            "SELECT case_id FROM search_casesearch WHERE text ILIKE %s",
            [_like_pattern(term)],
        )
    # The bigram GIN index finds the cases; the re-check is ILIKE's own test (lower-cased
    # containment) in a form the planner does not count as a second filter (migration 0003).
    return (
        "SELECT case_id FROM search_casesearch WHERE strpos(lower(text), lower(%s)) <> 0 "
        "AND search_bigrams(text) @@ search_bigram_query(%s)",
        [term, term],
    )


def _ids_matching(term: str) -> RawSQL:
    """A subquery of the ids of cases whose text contains ``term``."""
    sql, params = matching_ids_sql(term)
    return RawSQL(sql, params)  # noqa: S611 — the term is a bound parameter


def _streaming_match(term: str) -> tuple[str, str] | None:
    """(FTS5 table, MATCH expression) for a term SQLite can stream newest first."""
    if connection.vendor != "sqlite":
        return None
    if len(term) >= MIN_TRIGRAM:
        return TRIGRAM_TABLE, _fts_phrase(term)
    if not _NOT_IN_BIGRAMS.search(term):
        return BIGRAM_TABLE, _fts_phrase(term) + (" *" if len(term) == 1 else "")
    return None


def _query_bigrams(term: str) -> list[str]:
    """What a bigram index is asked for ``term``: the term itself when it is one or two
    characters, else every distinct pair of neighbours (all required)."""
    if len(term) <= 2:
        return [term]
    return list(dict.fromkeys(map(str.__add__, term, term[1:])))


def _bigram_query_sql(term: str) -> tuple[str, list]:
    """PostgreSQL: the bigram tsquery of ``term`` (``_query_bigrams``, all required),
    with its parameters."""
    pairs = _query_bigrams(term)
    return " && ".join(["search_bigram_query(%s)"] * len(pairs)), pairs


def _postgresql_join(cases: QuerySet, term: str, *, walk: bool) -> QuerySet:
    """``cases`` joined to their search rows, kept where the text contains ``term``.

    ``walk``: for a page, newest first. A term of three characters or more is then tested
    by ILIKE (served by the trigram index when rare), which the planner deems cheap: it
    walks both primary keys backwards and stops after a page of matches (草牧场, 4 % of
    cases: 2 ms at 100k). Otherwise (a count, or a term of one or two characters) the
    bigram index finds the rows: its function is declared costly, so a count capped at
    COUNT_CAP takes the index's bitmap and stops after 1,001 rows (草牧场: ILIKE walked
    25,000 rows for its 1,001, 66–186 ms at 100k; the bigram bitmap 12–17 ms), while a
    town's count scans the town's own rows. The re-check is ILIKE's own test."""
    table = CaseSearch._meta.db_table
    if walk and len(term) >= MIN_TRIGRAM:
        where, params = f"{table}.text ILIKE %s", [_like_pattern(term)]
    else:
        query, params = _bigram_query_sql(term)
        where = (
            f"strpos(lower({table}.text), lower(%s)) <> 0 "
            f"AND search_bigrams({table}.text) @@ ({query})"
        )
        params = [term, *params]
    return cases.extra(  # noqa: S610 — names from this module, the term a parameter
        tables=[table],
        where=[f"{table}.case_id = {cases.model._meta.db_table}.id", where],
        params=params,
    )


def _like_folds_as_fts(term: str) -> bool:
    """Does SQLite's LIKE (ASCII case folding) find what the FTS5 index finds for ``term``?
    Always for one or two characters (the bigram table folds ASCII only); for three or
    more (the trigram tokenizer folds Unicode case) when no character of the term has a
    case outside ASCII."""
    return len(term) < MIN_TRIGRAM or all(ch.isascii() or ch.lower() == ch.upper() for ch in term)


def _within(cases: QuerySet, term: str, within: list[str], *, count: bool = False) -> QuerySet:
    """The cases of ``cases`` whose text contains ``term``, read from the search rows of
    the subtrees ``within`` (all a town or deeper) by the rows' own area path.

    SQLite: ``cases`` joined to the rows of the area path ranges, tested as LIKE does (no
    text index): 纠纷 in a town of 965 cases at 100k, count 49 → 3.3 ms against the FTS5
    walk of the city's matches.

    PostgreSQL (migrations 0004, 0005): the search rows themselves, tested as ILIKE does, each
    kept when ``cases`` holds its case (a subquery by id per row, which the planner
    cannot fold into a join: joined, the case's own area filter and the row's town were
    taken for two independent 1 % filters, and the planner expected ~50 matches where a
    town has 3,900 — it built a hash of every match instead of stopping at COUNT_CAP, or
    walked the whole city's rows by id for a page). Pass the rows' ``case_id`` as the key.

    - a page walks the towns' rows newest first by their town and id
      (``search_casesearch_town_walk``) and stops after a page: 纠纷 (37 % of cases) in a
      town of 10,236 search rows at 1M, 116–182 → 0.3–2 ms (a rare word walks the whole
      town: a 14-case name 26 ms);
    - a count finds the rows holding every bigram of the term and the town in the
      bigram index, whose second column is the row's town (``search_casesearch_bigrams``,
      migration 0005: the scan ANDs the town's posting list with the bigrams', so that
      the bitmap holds the town's matches only) and stops after COUNT_CAP of them: 纠纷
      45–110 → 6–15 ms, the 14-case name 44 → 1 ms (the town's rows were all tested). The
      bigrams' bitmap alone costs more: 纠纷's, 378,000 rows at 1M, takes 30–50 ms. A
      count over several towns is one such scan per town (a BitmapOr).

    A town's rows are picked by their town alone, not also by their path range (which
    the planner would take for a second filter); an area deeper than a town adds its
    range."""
    table = CaseSearch._meta.db_table
    ranges = " OR ".join([f"{table}.area_path BETWEEN %s AND %s"] * len(within))
    bounds = [bound for root in within for bound in (root, paths.upper_bound(root))]
    if connection.vendor == "sqlite":
        return cases.extra(  # noqa: S610 — names from this module, the term a parameter
            tables=[table],
            where=[
                f"{table}.case_id = {cases.model._meta.db_table}.id",
                f"({ranges})",
                f"{table}.text LIKE %s ESCAPE '\\'",
            ],
            params=[*bounds, _like_pattern(term)],
        )
    towns = sorted({root[:NARROW_PATH_LENGTH] for root in within})
    if count and not _NOT_IN_BIGRAMS.search(term):
        query, params = town_bigram_sql(towns, term)
        where = [f"({query})"]
    else:
        marks = ", ".join(["%s"] * len(towns))
        where, params = [f"left({table}.area_path, {NARROW_PATH_LENGTH}) IN ({marks})"], towns
    if any(len(root) > NARROW_PATH_LENGTH for root in within):
        where.append(f"({ranges})")
        params = [*params, *bounds]
    where.append(f"strpos(lower({table}.text), lower(%s)) <> 0")
    rows = CaseSearch.objects.extra(where=where, params=[*params, term])  # noqa: S610 — names from this module, the term a parameter
    case = cases.filter(pk=OuterRef("case_id")).order_by().values("pk")[:1]
    return rows.alias(listed=Subquery(case)).filter(listed__isnull=False)


def town_bigram_sql(towns: list[str], term: str, table: str | None = None) -> tuple[str, list]:
    """PostgreSQL: a condition on the search rows (of ``table``, by default the search
    table's name) that holds every bigram of ``term`` (``_query_bigrams``) and lie in any
    of ``towns``, as the bigram index (migration 0005) answers it, with its parameters
    (the town as ``substr``, the index's expression, which the town walk index does not
    match)."""
    table = table or CaseSearch._meta.db_table
    query, pairs = _bigram_query_sql(term)
    one = (
        f"(substr({table}.area_path, 1, {NARROW_PATH_LENGTH}) = %s "
        f"AND search_bigrams({table}.text) @@ ({query}))"
    )
    return " OR ".join([one] * len(towns)), [v for town in towns for v in (town, *pairs)]


def search_cases(
    cases: QuerySet, query: str, within: list[str] | None = None
) -> tuple[QuerySet, Expression, "QuerySet | Probed"]:
    """``cases`` narrowed to those containing every word of ``query``, the key to page
    them by (the case id, or the index's row id that equals it), and the same cases as
    they are best counted (count them with ``capped_count``: on PostgreSQL a single term
    over more than a town is a ``Probed`` count).

    The first word's index is joined and drives the statement. On SQLite its FTS5 table
    hands over its matches newest first, so a page and a count capped at COUNT_CAP stop
    after as many matches as they need. On PostgreSQL the search row is joined (see
    ``_postgresql_join``) and the planner picks a walk by id or the index's bitmap. As
    ``id IN (matches)`` (``matching_q``) every match is collected first: 纠纷, in 37 % of
    cases, cost ≈ 150 ms a statement at 1M. The join only works at the top of a
    statement: evaluate the ids, do not nest them in another query (whose table aliases
    would be renamed under the raw SQL).

    ``within``: area paths whose subtrees hold every case of ``cases``, when all are a
    town or deeper (else ignored): the town's own search rows are read (``_within``) for
    the count and, on PostgreSQL, the page (SQLite's FTS5 walk finds a page of a common
    term sooner). On PostgreSQL both are then querysets of those search rows (their pk is
    the case's id). A search row's area path is the case's (``index_case``, rewritten
    when the place changes).
    """
    terms = [t for t in normalize(query).split(" ") if t]
    key: Expression = F("pk")
    counted = None
    narrow = bool(terms and within) and all(len(r) >= NARROW_PATH_LENGTH for r in within)
    roots = paths.minimal_roots(within) if narrow else []
    driving = _streaming_match(terms[0]) if terms else None
    if driving is not None:
        if narrow and _like_folds_as_fts(terms[0]):
            counted = _within(cases, terms[0], roots)
        table, match = driving
        cases = cases.extra(  # noqa: S610 — names from this module, the term a parameter
            tables=[table],
            where=[f"{table}.rowid = {cases.model._meta.db_table}.id", f"{table} MATCH %s"],
            params=[match],
        )
        key = RawSQL(f"{table}.rowid", [])  # noqa: S611 — names from this module
        terms = terms[1:]
    elif narrow and connection.vendor == "postgresql":
        counted = _within(cases, terms[0], roots, count=True)
        cases = _within(cases, terms[0], roots)
        key = RawSQL(f"{CaseSearch._meta.db_table}.case_id", [])  # noqa: S611 — names from this module
        terms = terms[1:]
    elif terms and connection.vendor == "postgresql" and not _NOT_IN_BIGRAMS.search(terms[0]):
        counted = _postgresql_join(cases, terms[0], walk=False)
        if len(terms) == 1 and _maybe_common(terms[0]):
            counted = Probed(counted, _newest_matching(cases, terms[0]))
        cases = _postgresql_join(cases, terms[0], walk=True)
        key = RawSQL(f"{CaseSearch._meta.db_table}.case_id", [])  # noqa: S611 — names from this module
        terms = terms[1:]
    for term in terms:
        cases = cases.filter(pk__in=_ids_matching(term))
        if counted is not None:
            counted = counted.filter(pk__in=_ids_matching(term))
    return cases, key, cases if counted is None else counted


# How many of the newest cases a count first tests with the plain substring test, and
# how common (by the bigram index's statistics) a term must look for that to be tried:
# 0.3 × 4,000 = 1,200 expected matches, past any cap up to 1,000.
PROBE_ROWS = 4000
PROBE_SHARE = 0.3
# PostgreSQL's statistics of the bigram index's first column (ANALYZE keeps 1,000 or
# more most common bigrams and their shares of the rows, migration 0003; the shares'
# array ends with three more numbers, hence the NULL bigrams skipped), read again after
# this many seconds.
STATISTICS_SECONDS = 600
_statistics: dict[str, object] = {"read": -STATISTICS_SECONDS, "shares": {}}
_SHARES_SQL = (
    "SELECT u.e, u.f FROM pg_stats s, "
    "unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) AS u(e, f) "
    "WHERE s.tablename = 'search_casesearch_bigrams' AND s.attname = 'search_bigrams' "
    "AND u.e IS NOT NULL"
)


def _bigram_shares() -> dict[str, float]:
    """The most common bigrams and the share of search rows holding each (PostgreSQL),
    kept for STATISTICS_SECONDS; empty when the index has no statistics yet."""
    now = time.monotonic()
    if now - _statistics["read"] >= STATISTICS_SECONDS:
        with connection.cursor() as cursor:
            cursor.execute(_SHARES_SQL)
            _statistics["shares"] = dict(cursor.fetchall())
        _statistics["read"] = now
    return _statistics["shares"]


def _maybe_common(term: str) -> bool:
    """Might ``term`` be in PROBE_SHARE of the cases or more? Its rarest bigram's share
    bounds it from above (a single character: the shares of the bigrams it begins,
    summed); a bigram not among the most common is rarer than all of them."""
    shares = _bigram_shares()
    if len(term) == 1:
        share = sum(f for bigram, f in shares.items() if bigram.startswith(term.lower()))
    else:
        share = min(shares.get(pair.lower(), 0.0) for pair in _query_bigrams(term))
    return share >= PROBE_SHARE


class Probed:
    """A count that first tries a cheap sample (PostgreSQL, a single term over the city
    or a district): the newest ``PROBE_ROWS`` cases of the list tested with the plain
    substring test, when the bigram statistics say the term may be in PROBE_SHARE of the
    cases or more (``_maybe_common``). If the sample holds more than the cap, the count
    is the cap plus one; otherwise the count of ``counted``.

    Why: the capped count of 纠纷 (37 % of the cases) walks the newest rows, and every
    row that contains it is tested against the bigram index's expression as well (the
    planner cannot drop it outside the index): 1,001 computations of a row's bigrams,
    ≈ 27 µs each, 30 of the count's 36 ms at 1M (a bitmap of the index's 378,000 rows
    costs as much). The sample: 4,000 rows by the primary keys and one substring test
    each, ≈ 9 ms, tried only for a term that looks common, as it would cost a rare one
    that much more."""

    def __init__(self, counted: QuerySet, sample: QuerySet):
        self.counted, self.sample = counted, sample

    def capped_count(self, cap: int) -> int:
        found = self.sample.count()
        if found > cap:
            return cap + 1
        return capped_count(self.counted, cap)


def _newest_matching(cases: QuerySet, term: str) -> QuerySet:
    """The search rows of the newest PROBE_ROWS of ``cases`` whose text contains
    ``term`` (ILIKE's own test, as the re-check of ``_postgresql_join``)."""
    newest = cases.order_by("-pk").values("pk")[:PROBE_ROWS]
    table = CaseSearch._meta.db_table
    return CaseSearch.objects.filter(case_id__in=newest).extra(  # noqa: S610 — names from this module, the term a parameter
        where=[f"strpos(lower({table}.text), lower(%s)) <> 0"], params=[term]
    )


def capped_count(counted, cap: int) -> int:
    """How many cases ``counted`` (the third value of ``search_cases``, or any queryset
    of cases) holds, counted up to ``cap + 1``."""
    if isinstance(counted, Probed):
        return counted.capped_count(cap)
    return counted.order_by().values("pk")[: cap + 1].count()


def matching_q(query: str, field: str = "pk") -> Q:
    """A filter on cases (``field`` holds the case id): every word of ``query`` occurs."""
    q = Q()
    for term in normalize(query).split(" "):
        if term:
            q &= Q(**{f"{field}__in": _ids_matching(term)})
    return q
