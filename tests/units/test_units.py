"""Units and their handlers."""

import pytest

from fengqiao.accounts.models import Assignment, Role
from fengqiao.units.actions import add_unit_member, create_unit
from fengqiao.units.models import Unit, UnitKind, UnitScope
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_a_unit_carries_its_area_path_and_is_found_within_the_area():
    t = f.small_tree()
    police = create_unit(
        actor=None,
        name="甲镇派出所",
        kind=UnitKind.POLICE_STATION,
        area=t["town_a"],
        scope=UnitScope.FUNCTIONAL,
    )
    assert police.area_path == t["town_a"].path
    assert list(Unit.objects.within(t["district"])) == [police]
    assert not Unit.objects.within(t["town_b"]).exists()


def test_a_member_becomes_a_unit_handler_on_the_units_area():
    t = f.small_tree()
    office = create_unit(
        actor=None, name="乙镇司法所", kind=UnitKind.JUDICIAL_OFFICE, area=t["town_b"]
    )
    handler = f.user("sifa")
    add_unit_member(actor=None, unit=office, user=handler)
    add_unit_member(actor=None, unit=office, user=handler)  # twice changes nothing
    assert list(Unit.objects.of_user(handler)) == [office]
    assert Assignment.objects.get(user=handler).role == Role.UNIT_HANDLER
    assert Assignment.objects.get(user=handler).area == t["town_b"]


def test_unknown_unit_kinds_are_refused_by_the_database():
    from django.db import IntegrityError

    t = f.small_tree()
    with pytest.raises(IntegrityError):
        Unit.objects.create(name="x", kind="spaceport", area=t["city"], area_path=t["city"].path)
