"""Writes to units: creating them and adding their handlers."""

from django.db import transaction

from fengqiao.accounts.models import Assignment, Role
from fengqiao.audit.log import record

from .models import Unit, UnitMember, UnitScope


def create_unit(
    *,
    actor,
    name: str,
    kind: str,
    area,
    scope: str = UnitScope.TERRITORIAL,
    compound=None,
) -> Unit:
    """Add a handling unit on ``area``."""
    with transaction.atomic():
        unit = Unit.objects.create(
            name=name, kind=kind, scope=scope, area=area, area_path=area.path, compound=compound
        )
        record("unit.create", actor=actor, area=area, obj=unit)
    return unit


def add_unit_member(*, actor, unit: Unit, user) -> UnitMember:
    """Make ``user`` a handler of ``unit``; they get the unit_handler role on its area."""
    with transaction.atomic():
        member, _ = UnitMember.objects.get_or_create(unit=unit, user=user)
        Assignment.objects.get_or_create(user=user, area=unit.area, role=Role.UNIT_HANDLER)
        record("unit.member_add", actor=actor, area=unit.area, obj=member)
    from fengqiao.areas.access import forget_grants

    forget_grants(user)
    return member
