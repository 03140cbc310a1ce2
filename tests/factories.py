"""Small builders shared by the test-suite. Personas live in each app's conftest."""

import itertools

from fengqiao.accounts.models import Assignment, User
from fengqiao.areas.actions import create_area
from fengqiao.areas.models import Area, Level

_codes = itertools.count(1)
PASSWORD = "correct-horse-battery-42"


def area(name: str, level: str, parent: Area | None = None, code: str | None = None) -> Area:
    return create_area(
        actor=None,
        code=code or f"T{next(_codes):011d}",
        name=name,
        level=level,
        parent=parent,
        audit=False,
    )


def user(username: str, role: str | None = None, on: Area | None = None, **fields) -> User:
    u = User.objects.create_user(username=username, password=PASSWORD, **fields)
    if role is not None and on is not None:
        Assignment.objects.create(user=u, area=on, role=role)
    return u


def small_tree() -> dict[str, Area]:
    """A city with two towns, each with one community and two grids."""
    city = area("测试市", Level.CITY, code="150600000000")
    district = area("测试旗", Level.DISTRICT, city, code="150621000000")
    t = {"city": city, "district": district}
    for key, name in (("town_a", "甲镇"), ("town_b", "乙镇")):
        town = area(name, Level.TOWN, district)
        community = area(f"{name}一村", Level.COMMUNITY, town)
        t[key] = town
        t[f"{key}_community"] = community
        t[f"{key}_grid1"] = area(f"{name}一村第1网格", Level.GRID, community)
        t[f"{key}_grid2"] = area(f"{name}一村第2网格", Level.GRID, community)
    return t
