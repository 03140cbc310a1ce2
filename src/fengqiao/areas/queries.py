"""Reads over the area tree that span models: the per-child counts of the browser."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count
from django.db.models.functions import Substr

from fengqiao.people.models import Person

from . import paths
from .models import LEVEL_ORDER, Area, Household


@dataclass
class SubtreeCounts:
    """What lies inside one area's subtree, the area itself excluded."""

    by_level: dict[str, int] = field(default_factory=dict)
    households: int = 0
    people: int = 0


def subtree_counts(areas: list[Area]) -> dict[int, SubtreeCounts]:
    """Counts for each area's subtree, keyed by area id.

    Three grouped queries per distinct depth among ``areas`` (one for the browser's
    children, which share a depth): each row below an area is attributed to it by the
    first ``len(area.path)`` characters of its path, so the number of queries does not
    grow with the number of areas.
    """
    result = {a.pk: SubtreeCounts() for a in areas}
    by_depth: dict[int, list[Area]] = defaultdict(list)
    for a in areas:
        by_depth[len(a.path)].append(a)
    for length, group in by_depth.items():
        owner = {a.path: result[a.pk] for a in group}
        roots = _common_roots(group, length)
        _count_areas(roots, length, owner)
        _count_rows(Household.objects, "area__path", roots, length, owner, "households")
        _count_rows(Person.objects, "area_path", roots, length, owner, "people")
    for a in areas:
        # The area's own row was counted at its own level.
        counts = result[a.pk].by_level
        counts[a.level] = counts.get(a.level, 1) - 1
        if not counts[a.level]:
            del counts[a.level]
    return result


def _common_roots(group: list[Area], length: int) -> list[str]:
    """The shared parent when the areas are siblings (one range scan), else the areas."""
    parents = {a.path[: length - paths.SEGMENT] for a in group}
    if len(parents) == 1 and len(group) > 1:
        return list(parents)
    return [a.path for a in group]


def _count_areas(roots: list[str], length: int, owner: dict[str, SubtreeCounts]) -> None:
    rows = (
        Area.objects.filter(paths.any_subtree_q("path", roots))
        .annotate(root=Substr("path", 1, length))
        .values("root", "level")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        counts = owner.get(row["root"])
        if counts is not None:
            counts.by_level[row["level"]] = row["n"]
    for counts in owner.values():
        counts.by_level = {lv: counts.by_level[lv] for lv in LEVEL_ORDER if lv in counts.by_level}


def _count_rows(manager, field_name: str, roots: list[str], length: int, owner, attr: str) -> None:
    rows = (
        manager.filter(paths.any_subtree_q(field_name, roots))
        .annotate(root=Substr(field_name, 1, length))
        .values("root")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        counts = owner.get(row["root"])
        if counts is not None:
            setattr(counts, attr, row["n"])
