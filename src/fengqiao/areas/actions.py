"""Writes to the area tree. Everything that adds or moves an area goes through here."""

from django.db import transaction
from django.db.models import Max

from fengqiao.audit.log import record

from . import paths
from .models import CHILD_LEVEL, Area, Level


class AreaError(ValueError):
    """A refused change to the tree; the message is for the user."""


def next_child_path(parent: Area | None) -> str:
    siblings = Area.objects.filter(parent=parent) if parent else Area.objects.filter(parent=None)
    last = siblings.aggregate(m=Max("path"))["m"]
    prefix = parent.path if parent else ""
    n = int(last[len(prefix) :]) + 1 if last else 1
    return prefix + paths.segment(n)


def create_area(
    *,
    actor,
    code: str,
    name: str,
    level: str,
    parent: Area | None,
    households_planned: int = 0,
    audit: bool = True,
) -> Area:
    """Add one area under ``parent``; the level must be the one below the parent's."""
    if parent is None and level != Level.CITY:
        raise AreaError(f"只有市级区域可以作为根节点：{name}")
    if parent is not None:
        allowed = CHILD_LEVEL.get(parent.level)
        if level != allowed and not (level == Level.GRID and parent.level == Level.COMMUNITY):
            raise AreaError(f"{parent.name} 下不能直接设置该层级的区域：{name}")
    with transaction.atomic():
        if parent is not None:
            # Lock the parent so two writers cannot hand out the same child number.
            Area.objects.select_for_update().filter(pk=parent.pk).first()
        area = Area.objects.create(
            code=code,
            name=name,
            level=level,
            parent=parent,
            path=next_child_path(parent),
            households_planned=households_planned,
        )
        if audit:
            record("area.create", actor=actor, area=area, obj=area)
    return area
