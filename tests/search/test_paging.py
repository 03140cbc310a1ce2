"""Search results page by page on the case list: the same cases, in the same newest-first
order, whichever way the database finds them (on SQLite the FTS5 table drives the
statement and hands over its matches newest first: ``search.index.search_cases``)."""

import pytest
from django.urls import reverse

from fengqiao.accounts.models import Role
from fengqiao.cases import actions
from fengqiao.cases.models import Case
from fengqiao.cases.views import COUNT_CAP, PAGE_SIZE
from tests import factories as f
from tests.cases.builders import register

MATCHING = 30  # more than a page


@pytest.fixture
def cases(world):
    """30 leak disputes (纠纷, 漏水 …) and between them 10 pasture quarrels without."""
    made = []
    for n in range(MATCHING):
        made.append(register(world.intake, world.grid1))
        if n % 3 == 0:
            made.append(register(world.intake, world.grid1, title="牧民争执", narrative="草场边界"))
    for case in made[::4]:
        actions.accept_case(actor=world.intake, case=case)
    return made


def _text(case: Case) -> str:
    return f"{case.number}\n{case.title}\n{case.narrative}"


def expected(cases, query: str, state: str = "") -> list[int]:
    words = query.split()
    rows = Case.objects.filter(pk__in=[c.pk for c in cases]).order_by("-pk")
    return [
        c.pk for c in rows if all(w in _text(c) for w in words) and (not state or c.state == state)
    ]


def sign_in(client, world, viewer: str):
    """The street's intake officer (PostgreSQL reads the street's own search rows), a city
    leader (the city's index drives the statements) or the city leader narrowed to the
    street by the area filter (the street's rows again)."""
    if viewer == "street":
        client.force_login(world.intake)
        return {}
    client.force_login(f.user("city_leader", Role.LEADER, world.city))
    return {"area": world.street.pk} if viewer == "city, street chosen" else {}


VIEWERS = ["street", "city", "city, street chosen"]


def page(client, **params):
    response = client.get(reverse("cases:list"), params)
    assert response.status_code == 200
    return response.context


@pytest.mark.parametrize("query", ["纠纷", "纠", "邻里纠纷", "漏水 纠纷", "纠纷 3号楼502"])
@pytest.mark.parametrize("state", ["", "accepted"])
@pytest.mark.parametrize("viewer", VIEWERS)
def test_search_pages_hold_every_match_newest_first(client, world, cases, query, state, viewer):
    # Given more matching cases than a page holds
    scope = sign_in(client, world, viewer)
    want = expected(cases, query, state)
    filters = {"q": query, **scope, **({"state": state} if state else {})}

    # When the user pages forward to the end, and back again
    first = page(client, **filters)
    seen = [c.pk for c in first["cases"]]
    context = first
    while context["next_after"]:
        context = page(client, **filters, after=context["next_after"])
        seen += [c.pk for c in context["cases"]]
    back = None
    if context["prev_before"]:
        back = page(client, **filters, before=context["prev_before"])

    # Then every match appears once, newest first, with the exact count
    assert seen == want
    assert first["count"] == min(len(want), COUNT_CAP)
    assert [c.pk for c in first["cases"]] == want[:PAGE_SIZE]
    if back is not None:
        assert [c.pk for c in back["cases"]] == want[:PAGE_SIZE]


def test_a_term_the_index_cannot_hold_is_still_found(client, world, cases):
    # A control character never reaches the FTS5 table: the LIKE fallback answers
    client.force_login(world.intake)

    assert page(client, q="纠纷\x01")["count"] == 0


@pytest.mark.parametrize("query", ["邻里纠纷", "纠", "纠纷"])
@pytest.mark.parametrize("viewer", VIEWERS)
def test_a_capped_count_says_so_and_the_page_stays_exact(
    client, world, cases, query, viewer, monkeypatch
):
    # Given a cap below the number of matches (on PostgreSQL the count of a long word
    # is found by the bigram index, the page by ILIKE: both must agree)
    from fengqiao.cases import views

    monkeypatch.setattr(views, "COUNT_CAP", 5)
    scope = sign_in(client, world, viewer)
    want = expected(cases, query)

    # When the first page is shown
    response = client.get(reverse("cases:list"), {"q": query, **scope})

    # Then the count stops at the cap and says so, and the page is the newest matches
    assert response.context["count"] == 5
    assert response.context["count_capped"] is True
    assert "超过 5 件" in response.content.decode()
    assert [c.pk for c in response.context["cases"]] == want[:PAGE_SIZE]


@pytest.mark.parametrize(
    ("query", "found"),
    [("ABCabc", True), ("哈哈哈", True), ("哈哈哈哈哈", False), ("cab", True), ("bca", True)],
)
@pytest.mark.parametrize("viewer", VIEWERS)
def test_long_words_are_counted_as_ilike_finds_them(client, world, query, found, viewer):
    # Given one case whose title repeats a bigram and mixes letter cases
    case = register(world.intake, world.grid1, title="abcABC 哈哈哈哈", narrative="无")
    scope = sign_in(client, world, viewer)

    # When the word is searched
    context = page(client, q=query, **scope)

    # Then count and page agree with a case-insensitive substring test
    assert context["count"] == (1 if found else 0)
    assert [c.pk for c in context["cases"]] == ([case.pk] if found else [])


def test_only_a_reach_of_whole_towns_narrows_the_search_to_their_rows(world):
    # The street's officer sees the street only; a unit handler also sees the cases sent
    # to the unit wherever they are, so no area holds all of them; the chosen area does
    from fengqiao.cases.views import _holding_paths

    assert _holding_paths(world.intake, None) == [world.street.path]
    assert _holding_paths(world.police_handler, None) is None
    assert _holding_paths(world.police_handler, world.grid1) == [world.grid1.path]
