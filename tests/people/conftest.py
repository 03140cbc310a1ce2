import pytest
from stdnum.cn import ric

from fengqiao.accounts.models import Role
from fengqiao.people import actions
from tests import factories as f


def id_number(body17: str) -> str:
    """A valid resident ID number from its first 17 digits."""
    return body17 + ric.calc_check_digit(body17 + "0")


# 达拉特旗 (150621) codes were assigned in 2001, so people born since then carry them.
ID_A = id_number("15062120050101123")  # male (odd 17th digit)
ID_B = id_number("15062120080315002")  # female


@pytest.fixture
def tree(db):
    return f.small_tree()


@pytest.fixture
def gina(tree):
    """Gina is a grid worker in town A's first grid: she may view and edit there."""
    return f.user("gina", Role.GRID_WORKER, tree["town_a_grid1"])


@pytest.fixture
def leo(tree):
    """Leo leads the centre of town A: he may unmask there."""
    return f.user("leo", Role.LEADER, tree["town_a"])


@pytest.fixture
def otto(tree):
    """Otto is an intake officer in town B: town A is not his."""
    return f.user("otto", Role.INTAKE_OFFICER, tree["town_b"])


@pytest.fixture
def mia(tree):
    """Mia mediates in town A: she may view people, not edit them."""
    return f.user("mia", Role.MEDIATOR, tree["town_a"])


@pytest.fixture
def zhang(tree, gina):
    return actions.create_person(
        actor=gina,
        area=tree["town_a_grid1"],
        name="张伟",
        id_number=ID_A,
        phone="13812345678",
        sex="male",
    )


@pytest.fixture
def ivy(tree):
    """Ivy is an intake officer of town A: she may register and edit in the whole town."""
    return f.user("ivy", Role.INTAKE_OFFICER, tree["town_a"])
