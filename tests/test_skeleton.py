import pytest

from fengqiao.accounts.models import Role
from fengqiao.areas import access
from fengqiao.areas.models import Area
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_subtree_query_covers_descendants_only():
    t = f.small_tree()
    inside = set(Area.objects.within(t["town_a"]).values_list("name", flat=True))
    assert inside == {"甲镇", "甲镇一村", "甲镇一村第1网格", "甲镇一村第2网格"}


def test_grant_on_town_covers_its_grids_but_not_the_other_town():
    t = f.small_tree()
    worker = f.user("gw", Role.GRID_WORKER, t["town_a_grid1"])
    assert access.has_perm(worker, access.Perm.PERSON_VIEW, t["town_a_grid1"])
    assert not access.has_perm(worker, access.Perm.PERSON_VIEW, t["town_a_grid2"])
    assert not access.has_perm(worker, access.Perm.PERSON_VIEW, t["town_b_grid1"])
    assert not access.has_perm(worker, access.Perm.AREA_MANAGE, t["town_a_grid1"])
