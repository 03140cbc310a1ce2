"""The 工业街道 world of the case tests, plus a superuser who drives random histories
and a leader of another street who must never see this one's figures."""

import pytest

from fengqiao.accounts.models import Role
from fengqiao.areas.models import Level
from tests import factories as f
from tests.cases.conftest import World, world  # noqa: F401 — the shared personas


@pytest.fixture
def driver(world):  # noqa: F811
    """Takes every action: the random histories are about figures, not permissions."""
    return f.user("root_driver", is_superuser=True, full_name="系统")


@pytest.fixture
def other_street(world):  # noqa: F811
    """A second street in the same district, with its own leader and one grid."""
    street = f.area("昭君街道", Level.TOWN, world.district)
    community = f.area("昭君社区", Level.COMMUNITY, street)
    grid = f.area("昭君社区第1网格", Level.GRID, community)
    leader = f.user("zj_leader", Role.LEADER, street, full_name="赵主任")
    return street, grid, leader


@pytest.fixture
def city_leader(world):  # noqa: F811
    return f.user("city_leader", Role.LEADER, world.city, full_name="市领导")
