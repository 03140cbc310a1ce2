import pytest

from fengqiao.accounts.models import Role
from tests import factories as f


@pytest.fixture
def tree(db):
    return f.small_tree()


@pytest.fixture
def alice(tree):
    """Alice mediates in town A."""
    return f.user("alice", Role.MEDIATOR, tree["town_a"], full_name="王爱丽")


@pytest.fixture
def town_admin(tree):
    """Tom administers town A only."""
    return f.user("tom", Role.ADMIN, tree["town_a"])


@pytest.fixture
def city_admin(tree):
    return f.user("cathy", Role.ADMIN, tree["city"])
