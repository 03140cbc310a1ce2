"""A grant on every root area is no filter at all (so the lists are not handed a range
over the whole table); a grant on one of two cities still stops at its city."""

from fengqiao.accounts.models import Role
from fengqiao.areas.models import Level
from fengqiao.cases.access import visible_q
from fengqiao.cases.models import Case
from tests import factories as f

from .builders import register


def test_a_city_leader_of_the_only_city_sees_every_case_without_a_filter(world):
    # Given the leader of the only city and a case in one of its grids
    leader = f.user("city_leader", Role.LEADER, world.city)
    case = register(world.intake, world.grid1)

    # Then their scope is no condition, and the case is theirs to see
    assert visible_q(leader).children == []
    assert list(Case.objects.visible_to(leader)) == [case]


def test_a_city_leader_does_not_see_a_second_citys_cases(world):
    # Given a second city with its own grid, staff and case
    other = f.area("包头市", Level.CITY, code="150200000000")
    district = f.area("东河区", Level.DISTRICT, other, code="150202000000")
    town = f.area("某街道", Level.TOWN, district, code="150202001000")
    community = f.area("某社区", Level.COMMUNITY, town, code="150202001001")
    grid = f.area("某网格", Level.GRID, community, code="150202001001001")
    other_worker = f.user("gw_baotou", Role.GRID_WORKER, grid)
    theirs = register(other_worker, grid)
    ours = register(world.intake, world.grid1)
    leader = f.user("city_leader", Role.LEADER, world.city)

    # Then the first city's leader sees only their city, and the other's only theirs
    assert list(Case.objects.visible_to(leader)) == [ours]
    assert list(Case.objects.visible_to(f.user("bt_leader", Role.LEADER, other))) == [theirs]
