"""Writing and reading the case search index (SQLite FTS5 trigram, PostgreSQL pg_trgm).

Substring search in Chinese needs no word segmentation: a trigram index finds any
substring of three characters or more. Shorter queries ("草" or "漏水") cannot use a
trigram index, and fall back to a plain LIKE over the indexed text.
"""

from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL

from .models import CaseSearch

MIN_TRIGRAM = 3
MAX_QUERY = 100


def text_of(case) -> str:
    """What a case is found by: number, title, narrative and its parties' names."""
    names = [p.person.name for p in case.parties.select_related("person")]
    return "\n".join([case.number, case.title, case.narrative, " ".join(names)])


def index_case(case) -> CaseSearch:
    """Write (or rewrite) the case's search row; call it in the changing transaction."""
    row, _ = CaseSearch.objects.update_or_create(
        case=case, defaults={"area_path": case.area_path, "text": text_of(case)}
    )
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


def normalize(query: str) -> str:
    return " ".join((query or "").split())[:MAX_QUERY]


def _fts_phrase(term: str) -> str:
    # An FTS5 string: double quotes inside are doubled; nothing else is special.
    return '"' + term.replace('"', '""') + '"'


def _like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _ids_matching(term: str) -> RawSQL:
    """A subquery of the ids of cases whose text contains ``term``."""
    if connection.vendor == "sqlite":
        if len(term) >= MIN_TRIGRAM:
            return RawSQL(
                "SELECT rowid FROM search_casesearch_fts WHERE search_casesearch_fts MATCH %s",
                [_fts_phrase(term)],
            )
        return RawSQL(
            "SELECT case_id FROM search_casesearch WHERE text LIKE %s ESCAPE '\\'",
            [_like_pattern(term)],
        )
    # PostgreSQL: ILIKE '%term%' is served by the pg_trgm GIN index for ≥ 3 characters.
    return RawSQL(
        "SELECT case_id FROM search_casesearch WHERE text ILIKE %s",
        [_like_pattern(term)],
    )


def matching_q(query: str, field: str = "pk") -> Q:
    """A filter on cases (``field`` holds the case id): every word of ``query`` occurs."""
    q = Q()
    for term in normalize(query).split(" "):
        if term:
            q &= Q(**{f"{field}__in": _ids_matching(term)})
    return q
