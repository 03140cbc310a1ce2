"""One- and two-character terms ("草", "漏水") through the bigram index: exactly the
cases whose text contains the term, as LIKE / ILIKE over every row would find them, kept
current in the writing transaction, on SQLite and PostgreSQL alike."""

import pytest
from django.db import connection

from fengqiao.cases.models import Case
from fengqiao.search import index
from fengqiao.search.index import bigrams, matching_q
from fengqiao.search.models import CaseSearch
from tests.cases.builders import party, register

NARRATIVES = [
    "两户牧民因草场边界发生争执",
    "3号楼502室漏水至402室，双方就维修费用协商未果。",
    '他说"100%赔偿"_才行，Wi-Fi 信号差',
    "水管爆裂，楼道积水",
    "噪音扰民，夜间施工",
    "文件在 C:\\data 下，O'Brien 签收",
]
TERMS = [
    "草",
    "漏水",
    "水",
    "漏",
    "积水",
    "，",
    "。",
    '"',
    "%",
    "_",
    "_才",
    "wi",
    "WI",
    "Fi",
    "-",
    "号楼",
    "'",
    "\\",
    "'b",
    "\\d",
    ":\\",
    "争执",
    "执",
    "噪",
    "音扰",
    "x",
    "水漏",
    "Z",
]


def found(query, user=None):
    cases = Case.objects.all() if user is None else Case.objects.visible_to(user)
    return set(cases.filter(matching_q(query)).values_list("pk", flat=True))


def containing(term):
    """The oracle: every search row whose text contains the term, ignoring ASCII case."""
    return {
        case_id
        for case_id, text in CaseSearch.objects.values_list("case_id", "text")
        if term.lower() in text.lower()
    }


def test_bigrams_cover_every_character_once_more_at_the_end():
    assert bigrams("漏水") == "漏水 水\n"
    assert bigrams("") == ""


def test_short_terms_find_exactly_the_cases_containing_them(world):
    # given cases whose texts share and differ in one- and two-character pieces
    for text in NARRATIVES:
        register(world.intake, world.grid1, title="事项", narrative=text)

    # when searching for each term, then exactly the substring matches come back
    for term in TERMS:
        assert found(term) == containing(term), term


def test_the_last_character_of_the_text_is_found(world):
    # a party's name ends the text: its last character begins only the closing bigram
    case = register(world.intake, world.grid1, parties=[party(name="邱浩娟")])

    assert found("娟") == {case.pk}
    assert found("浩娟") == {case.pk}


def test_a_term_never_spans_two_fields(world):
    # the title ends with 纷 and the narrative starts with 三: "纷三" is not in the text
    register(world.intake, world.grid1, title="邻里纠纷", narrative="三号楼漏水")

    assert found("纷三") == set()


def test_rewriting_a_case_moves_it_between_terms(world):
    case = register(world.intake, world.grid1, title="事项", narrative="楼道积水")
    assert found("积水") == {case.pk}

    # when the narrative is corrected and the row re-indexed in the same transaction
    Case.objects.filter(pk=case.pk).update(narrative="夜间噪音")
    case.refresh_from_db()
    index.index_case(case)

    # then the old words are gone and the new ones found
    assert found("积水") == set()
    assert found("噪音") == {case.pk}
    assert found("噪") == {case.pk}


def test_a_deleted_search_row_leaves_the_index(world):
    case = register(world.intake, world.grid1, title="事项", narrative="楼道积水")

    CaseSearch.objects.filter(case=case).delete()

    assert found("积水") == set()
    assert found("积") == set()


def test_every_word_must_occur_whatever_its_length(world):
    both = register(world.intake, world.grid1, title="事项", narrative="草场漏水")
    register(world.intake, world.grid1, title="事项", narrative="草场边界")

    assert found("草 漏水") == {both.pk}
    assert found("草场边 水") == set()
    assert found("漏水 草场") == {both.pk}


def test_short_terms_stay_within_the_users_area(world):
    mine = register(world.intake, world.grid1, narrative="楼道积水")
    register(world.intake, world.grid2, narrative="楼道积水")

    assert found("积水", user=world.grid_worker) == {mine.pk}
    assert found("积", user=world.grid_worker) == {mine.pk}


def test_a_bulk_load_is_indexed_once_at_the_end(world):
    # given search rows written with the insert triggers dropped (as the bench seeder does)
    case = register(world.intake, world.grid1, title="事项", narrative="楼道积水")
    CaseSearch.objects.filter(case=case).delete()
    with index.deferred_indexing():
        CaseSearch.objects.create(case=case, area_path=case.area_path, text="牧区草场漏水")
        if connection.vendor == "sqlite":
            assert found("漏水") == set()  # not indexed yet

    # then every length of term finds it, and later writes are indexed again row by row
    assert found("漏水") == found("草") == found("草场漏") == {case.pk}
    other = register(world.intake, world.grid1, title="事项", narrative="噪音")
    assert found("噪音") == {other.pk}


def test_rebuild_after_bulk_load_indexes_rows_the_triggers_missed(world):
    case = register(world.intake, world.grid1, title="事项", narrative="楼道积水")
    if connection.vendor == "sqlite":
        with connection.cursor() as c:
            c.execute(
                f"INSERT INTO {index.BIGRAM_TABLE}({index.BIGRAM_TABLE}) VALUES ('delete-all')"
            )
        assert found("积水") == set()

    index.rebuild_after_bulk_load()

    assert found("积水") == {case.pk}


@pytest.mark.parametrize("term", ["漏水", "草"])
def test_short_terms_use_the_bigram_index(world, term):
    register(world.intake, world.grid1, narrative="两户牧民因草场漏水发生争执")
    sql, params = index.matching_ids_sql(term)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # a handful of rows: forbid the scans the planner would rightly prefer
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_indexscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
            expected, full_scan = "search_casesearch_bigrams", "Seq Scan"
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            expected, full_scan = "VIRTUAL TABLE INDEX", "SCAN search_casesearch "
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert expected in plan
    assert full_scan not in plan
    if connection.vendor == "sqlite":
        assert index.BIGRAM_TABLE in sql
