"""A search within towns (``search.index._within``): the towns' own search rows, counted
and paged exactly as a case-insensitive substring test over them would find them, for
one town, two towns, a grid, and a town with a grid of another town; on PostgreSQL the
count goes through the bigram index's town and bigrams and the page walks the town's
rows."""

import pytest
from django.db import connection
from django.urls import reverse

from fengqiao.accounts.models import Assignment, Role
from fengqiao.areas.models import Level
from fengqiao.cases.models import Case
from fengqiao.cases.views import PAGE_SIZE
from fengqiao.search.index import search_cases
from fengqiao.search.models import CaseSearch
from tests import factories as f
from tests.cases.builders import register

TEXTS = [
    ("楼上漏水引发邻里纠纷", "3号楼502室漏水至402室，双方就维修费用协商未果。"),
    ("abcABC 哈哈哈哈", "无"),
    ("文件签收", "文件在 C:\\data 下，O'Brien 签收"),
    ("赔偿", '他说"100%赔偿"_才行'),
    ("牧民争执", "两户牧民因草场边界发生纠纷"),
]
TERMS = ["纠纷", "纠", "漏水至", "ABC", "cab", "'b", "\\d", "%", "_才", '"', "哈哈哈", "无关"]


@pytest.fixture
def towns(world):
    """The world's street and a second street of the same district, each with the same
    cases in both of its grids (the second street's are registered by its own officer)."""
    other = f.area("民主街道", Level.TOWN, world.street.parent)
    community = f.area("民主社区", Level.COMMUNITY, other)
    other_grids = [f.area(f"民主社区第{n}网格", Level.GRID, community) for n in (1, 2)]
    officer = f.user("intake_li", Role.INTAKE_OFFICER, other)
    for actor, grids in ((world.intake, [world.grid1, world.grid2]), (officer, other_grids)):
        for grid in grids:
            for title, narrative in TEXTS:
                register(actor, grid, title=title, narrative=narrative)
    return other, other_grids


def _viewer(world, towns, name):
    """(user, list filters, the area paths whose cases the user sees)."""
    other, other_grids = towns
    if name == "street":
        return world.intake, {}, [world.street.path]
    if name == "grid chosen":
        leader = f.user("city_leader", Role.LEADER, world.city)
        return leader, {"area": world.grid2.pk}, [world.grid2.path]
    user = f.user("two_places", Role.INTAKE_OFFICER, world.street)
    place = other if name == "two streets" else other_grids[1]
    Assignment.objects.create(user=user, area=place, role=Role.INTAKE_OFFICER)
    return user, {}, [world.street.path, place.path]


def expected(term: str, roots: list[str]) -> list[int]:
    rows = CaseSearch.objects.order_by("-case_id")
    return [
        r.case_id
        for r in rows
        if any(r.area_path.startswith(root) for root in roots) and term.lower() in r.text.lower()
    ]


@pytest.mark.parametrize("viewer", ["street", "two streets", "grid chosen", "street and a grid"])
def test_a_search_within_towns_finds_exactly_their_matching_cases(client, world, towns, viewer):
    # Given cases with the same texts in two streets, and a user who sees some of them
    user, scope, roots = _viewer(world, towns, viewer)
    client.force_login(user)

    for term in TERMS:
        # When the user searches, paging to the end
        want = expected(term, roots)
        response = client.get(reverse("cases:list"), {"q": term, **scope})
        context = response.context
        seen = [c.pk for c in context["cases"]]
        while context["next_after"]:
            after = context["next_after"]
            context = client.get(
                reverse("cases:list"), {"q": term, **scope, "after": after}
            ).context
            seen += [c.pk for c in context["cases"]]

        # Then count and pages hold exactly the matches in the user's places, newest first
        assert response.context["count"] == len(want), term
        assert [c.pk for c in response.context["cases"]] == want[:PAGE_SIZE], term
        assert seen == want, term


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's town indexes")
@pytest.mark.parametrize("term", ["纠纷", "纠", "漏水至"])
def test_a_towns_count_uses_the_bigram_index_by_town_and_its_page_the_town_walk(world, towns, term):
    # Given the street officer's search (a handful of rows: forbid the plain scans)
    cases, key, counted = search_cases(
        Case.objects.visible_to(world.intake), term, [world.street.path]
    )
    page = cases.order_by(key.desc()).values("pk")[:PAGE_SIZE]

    # When both statements are planned
    plans = []
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for qs, walk in ((counted.order_by().values("pk")[:1001], "off"), (page, "on")):
            cursor.execute(f"SET LOCAL enable_indexscan = {walk}")
            cursor.execute(f"SET LOCAL enable_nestloop = {walk}")
            cursor.execute(f"SET LOCAL enable_sort = {walk}")
            sql, params = qs.query.sql_with_params()
            cursor.execute(f"EXPLAIN {sql}", params)
            plans.append(" ".join(row[0] for row in cursor.fetchall()))

    # Then the count reads the bigram index by town and bigrams, and the page walks the
    # town's rows
    assert "search_casesearch_town_walk" in plans[1]
    assert "search_casesearch_bigrams" in plans[0]
    condition = plans[0][plans[0].index("Index Cond") :]
    assert "substr((area_path)::text, 1, 15)" in condition
    assert "search_bigrams(text)" in condition
