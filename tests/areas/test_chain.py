"""``areas.models.chain_of``: an area's ancestors as ``ancestors_of`` reads them, by a
read compiled once per depth for the registration path."""

import pytest

from fengqiao.areas.models import Area, chain_of
from tests.factories import small_tree

pytestmark = pytest.mark.django_db


def test_the_chain_is_the_ancestors_at_every_depth(django_assert_num_queries):
    # given a city down to its grids
    tree = small_tree()
    for key in ("city", "district", "town_a", "town_a_community", "town_b_grid2"):
        area = tree[key]
        expected = list(Area.objects.ancestors_of(area))
        # when its chain is read, twice (the second time compiled already)
        first = chain_of(area)
        with django_assert_num_queries(1):
            again = chain_of(area)
        # then it is the same areas, the city first and the area itself last
        assert first == again == expected, key
        assert [a.name for a in first] == [a.name for a in expected]
        assert first[0] == tree["city"]
        assert first[-1] == area
