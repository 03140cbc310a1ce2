"""Chinese full-text search over number, title, narrative and party names, on SQLite
(FTS5 trigram) and PostgreSQL (pg_trgm) alike, always within the user's reach."""

from fengqiao.cases.models import Case
from fengqiao.people.actions import update_person
from fengqiao.search.index import matching_q
from fengqiao.search.models import CaseSearch
from tests.cases.builders import party, register


def found(query, user=None):
    cases = Case.objects.all() if user is None else Case.objects.visible_to(user)
    return set(cases.filter(matching_q(query)).values_list("number", flat=True))


def test_register_writes_the_search_row_with_parties(world):
    case = register(world.intake, world.grid1, parties=[party(name="巴特尔")])

    row = CaseSearch.objects.get(case=case)
    assert case.number in row.text
    assert "巴特尔" in row.text
    assert row.area_path == case.area_path


def test_three_characters_or_more_match_a_substring_of_the_narrative(world):
    # Given a pasture dispute and a leaking-pipe dispute
    pasture = register(
        world.intake, world.grid1, title="边界纠纷", narrative="两户牧民因草场边界发生争执"
    )
    register(world.intake, world.grid1)

    # When searching for a substring in the middle of the narrative
    # Then only the pasture case is found
    assert found("草场边界") == {pasture.number}
    assert found("场边界发") == {pasture.number}


def test_one_or_two_characters_fall_back_to_like(world):
    pasture = register(
        world.intake, world.grid1, title="牧民争执", narrative="两户牧民因草场边界发生争执"
    )
    leak = register(world.intake, world.grid1)

    assert found("草场") == {pasture.number}
    assert found("漏水") == {leak.number}
    assert found("草") == {pasture.number}


def test_party_name_and_number_are_searchable(world):
    case = register(world.intake, world.grid1, parties=[party(name="乌云其木格")])
    register(world.intake, world.grid1, parties=[party(name="张三")])

    assert found("乌云其木格") == {case.number}
    assert found("其木") == {case.number}
    assert found(case.number) == {case.number}


def test_every_word_must_occur(world):
    both = register(world.intake, world.grid1, narrative="草场边界与牛羊越界")
    register(world.intake, world.grid1, narrative="草场边界")

    assert found("草场 牛羊") == {both.number}


def test_quotes_and_wildcards_in_a_query_are_plain_text(world):
    case = register(world.intake, world.grid1, narrative='他说"100%赔偿"_才行')

    assert found('"100%') == {case.number}
    assert found("%") == {case.number}
    assert found("_才") == {case.number}
    assert found("OR") == set()


def test_search_never_reaches_beyond_the_users_area(world):
    # Given a case in grid 1 and one in grid 2, both about pastures
    mine = register(world.intake, world.grid1, narrative="草场边界争议")
    register(world.intake, world.grid2, narrative="草场边界争议")

    # When the grid 1 worker searches
    # Then only the grid 1 case is found
    assert found("草场边界", user=world.grid_worker) == {mine.number}


def test_the_database_uses_its_trigram_index(world):
    from django.db import connection

    register(world.intake, world.grid1, narrative="两户牧民因草场边界发生争执")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(
                "EXPLAIN SELECT case_id FROM search_casesearch WHERE text ILIKE %s", ["%草场边界%"]
            )
            expected = "search_casesearch_text_trgm"
        else:
            cursor.execute(
                "EXPLAIN QUERY PLAN SELECT rowid FROM search_casesearch_fts "
                "WHERE search_casesearch_fts MATCH %s",
                ['"草场边界"'],
            )
            expected = "VIRTUAL TABLE INDEX"
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert expected in plan


def test_renaming_a_party_rewrites_the_search_rows_of_their_cases(world):
    # given two cases with the same 巴特尔 (known by ID number) as a party
    bater = party(name="巴特尔", id_number="152602199003071236")
    first = register(world.intake, world.grid1, parties=[bater])
    second = register(world.intake, world.grid1, parties=[bater])
    person = first.parties.get().person
    assert second.parties.get().person == person

    # when the people register corrects the name
    update_person(actor=world.intake, person=person, name="巴特尔其其格")

    # then both cases are found by the new name
    assert found("其其格") == {first.number, second.number}
