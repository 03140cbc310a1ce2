import pytest

from fengqiao.accounts.models import Role
from tests import factories as f


@pytest.fixture
def tree(db):
    return f.small_tree()


@pytest.fixture
def leader(tree):
    """Li, who leads the district centre."""
    return f.user("li", Role.LEADER, tree["district"], full_name="李建国")


@pytest.fixture
def auditor(tree):
    return f.user("zhou", Role.AUDITOR, tree["city"], full_name="周审计")


@pytest.fixture
def grid_worker(tree):
    """Wang, the grid worker of 甲镇一村第1网格."""
    return f.user("wang", Role.GRID_WORKER, tree["town_a_grid1"], full_name="王网格")
