"""PostgreSQL: a common single term's count first tests the newest cases with the plain
substring test (``search.index.Probed``); the count is the same as counting every match,
below the cap, at it and above it, for a common and for a rare term."""

import pytest
from django.db import connection

from fengqiao.cases.models import Case
from fengqiao.search import index
from tests.cases.builders import register

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the probe is PostgreSQL's city route"
)


@pytest.fixture
def cases(world):
    """Seven cases: the newest four say 纠纷, the oldest three 漏水 only."""
    for n in range(3):
        register(world.intake, world.grid1, title=f"漏水{n}", narrative="楼上漏水")
    for n in range(4):
        register(world.intake, world.grid2, title=f"纠纷{n}", narrative="邻里纠纷")
    return Case.objects.visible_to(world.intake)


def _exact(term: str, cap: int) -> int:
    texts = index.CaseSearch.objects.values_list("text", flat=True)
    return min(sum(term in t for t in texts), cap + 1)


@postgresql_only
@pytest.mark.parametrize("term", ["纠纷", "漏水", "邻里纠纷"])
@pytest.mark.parametrize("cap", [2, 4, 10])
@pytest.mark.parametrize("probe_rows", [3, 7])
def test_a_probed_count_is_the_count_of_every_match(cases, monkeypatch, term, cap, probe_rows):
    # Given statistics that call every term common, and a sample of the newest cases
    monkeypatch.setattr(
        index, "_bigram_shares", lambda: dict.fromkeys(["纠纷", "漏水", "邻里", "里纠"], 1.0)
    )
    monkeypatch.setattr(index, "PROBE_ROWS", probe_rows)

    # When the list's search is counted
    _, _, counted = index.search_cases(cases, term)

    # Then it is probed, and counts what counting every match counts, up to the cap + 1
    assert isinstance(counted, index.Probed)
    assert index.capped_count(counted, cap) == _exact(term, cap)


@postgresql_only
def test_a_term_the_statistics_call_rare_is_counted_without_a_probe(cases, monkeypatch):
    monkeypatch.setattr(index, "_bigram_shares", lambda: {"纠纷": 0.29, "漏水": 0.9})
    _, _, rare = index.search_cases(cases, "纠纷")
    _, _, unknown = index.search_cases(cases, "楼上")
    _, _, common = index.search_cases(cases, "漏水")
    _, _, two_words = index.search_cases(cases, "漏水 楼上")
    assert not isinstance(rare, index.Probed)
    assert not isinstance(unknown, index.Probed)
    assert isinstance(common, index.Probed)
    assert not isinstance(two_words, index.Probed)


def test_a_single_characters_share_is_that_of_the_bigrams_it_begins(monkeypatch):
    monkeypatch.setattr(index, "_bigram_shares", lambda: {"纠纷": 0.2, "纠正": 0.15, "漏水": 0.5})
    assert index._maybe_common("纠")
    assert not index._maybe_common("正")
    assert not index._maybe_common("纠正")
