"""Writes to the area tree. Everything that adds or moves an area goes through here."""

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from fengqiao.accounts.models import Assignment, Role
from fengqiao.audit.log import record
from fengqiao.audit.models import Outcome

from . import io as areas_io
from . import paths
from .io import Problem
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


class TreeImportRejected(AreaError):
    """An import with bad rows; nothing was written. ``problems`` lists every one."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(
            _("导入文件中有 %(count)d 处错误，未做任何修改") % {"count": len(problems)}
        )


@dataclass
class ImportSummary:
    created: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_IMPORT_LEVELS, 0))
    renamed: int = 0
    resized: int = 0
    assignments_created: int = 0
    unchanged: int = 0
    warnings: list[Problem] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(sum(self.created.values()) or self.renamed or self.resized) or bool(
            self.assignments_created
        )

    def as_detail(self) -> dict:
        return {
            "created": self.created,
            "renamed": self.renamed,
            "resized": self.resized,
            "assignments_created": self.assignments_created,
            "unchanged": self.unchanged,
            "warnings": len(self.warnings),
        }


_IMPORT_LEVELS = [*areas_io.FILE_LEVELS, Level.GRID]
_BATCH = 1000


def import_tree(
    *,
    actor,
    area_table: areas_io.Table,
    grid_table: areas_io.Table | None = None,
    source: str = "",
    actor_name: str = "",
) -> ImportSummary:
    """Import areas and grids from checked tables: all rows or none.

    Existing codes keep their place and get the file's name (and, for grids, size);
    new codes are added under their parents. Re-running the same file changes nothing.
    """
    try:
        with transaction.atomic():
            plan = areas_io.check(area_table, grid_table)
            if plan.errors:
                raise TreeImportRejected(plan.errors)
            summary = _apply_plan(plan)
            record(
                "area.import",
                actor=actor,
                actor_name=actor_name,
                object_type="areas.area",
                detail={"source": source[:200], **summary.as_detail()},
            )
    except TreeImportRejected as exc:
        # The refusal is recorded after the rollback, so that it stays on record.
        record(
            "area.import",
            actor=actor,
            actor_name=actor_name,
            object_type="areas.area",
            outcome=Outcome.FAILED,
            detail={"source": source[:200], "errors": len(exc.problems)},
        )
        raise
    return summary


def _apply_plan(plan: areas_io.ImportPlan) -> ImportSummary:
    summary = ImportSummary(warnings=plan.warnings)
    placed = {code: (ex.id, ex.path) for code, ex in plan.existing.items()}
    new_rows = [r for r in plan.areas if r.code not in plan.existing]
    new_grids = [g for g in plan.grids if g.code not in plan.existing]
    parents = {r.parent_code for r in new_rows} | {g.community_code for g in new_grids}
    counters = _child_counters([placed[c][0] for c in parents if c in placed])
    for level in areas_io.FILE_LEVELS:
        rows = sorted((r for r in new_rows if r.level == level), key=lambda r: r.code)
        objs = [_new_area(r.code, r.name, level, r.parent_code, placed, counters, 0) for r in rows]
        _insert(objs, placed, summary, level)
    grids = sorted(new_grids, key=lambda g: g.code)
    objs = [
        _new_area(g.code, g.name, Level.GRID, g.community_code, placed, counters, g.households)
        for g in grids
    ]
    _insert(objs, placed, summary, Level.GRID)
    _update_existing(plan, summary)
    summary.assignments_created = _assign_grid_workers(plan, placed)
    return summary


def _child_counters(parent_ids: list[int]) -> dict[int | None, int]:
    """The last child number handed out under each parent (None: the roots)."""
    counters: dict[int | None, int] = {}
    for i in range(0, len(parent_ids), _BATCH):
        chunk = parent_ids[i : i + _BATCH]
        # Lock the parents, as create_area does, so that no one else hands out the
        # same child numbers before this import commits.
        list(Area.objects.select_for_update().filter(pk__in=chunk).values_list("pk"))
        rows = (
            Area.objects.filter(parent_id__in=chunk).values("parent_id").annotate(last=Max("path"))
        )
        for row in rows:
            counters[row["parent_id"]] = int(row["last"][-paths.SEGMENT :])
    last_root = Area.objects.filter(parent=None).aggregate(m=Max("path"))["m"]
    counters[None] = int(last_root) if last_root else 0
    return counters


def _new_area(code, name, level, parent_code, placed, counters, households) -> Area:
    parent_id, parent_path = placed[parent_code] if parent_code else (None, "")
    counters[parent_id] = counters.get(parent_id, 0) + 1
    return Area(
        code=code,
        name=name,
        level=level,
        parent_id=parent_id,
        path=parent_path + paths.segment(counters[parent_id]),
        households_planned=households,
    )


def _insert(objs: list[Area], placed, summary: ImportSummary, level: str) -> None:
    Area.objects.bulk_create(objs, batch_size=_BATCH)
    if objs and objs[0].pk is None:  # a backend that cannot return the new keys
        ids = dict(Area.objects.filter(path__in=[o.path for o in objs]).values_list("path", "id"))
        for o in objs:
            o.pk = ids[o.path]
    for o in objs:
        placed[o.code] = (o.pk, o.path)
    summary.created[level] = len(objs)


def _update_existing(plan: areas_io.ImportPlan, summary: ImportSummary) -> None:
    renamed: list[Area] = []
    resized: list[Area] = []
    rows = [(r.code, r.name, None) for r in plan.areas]
    rows += [(g.code, g.name, g.households) for g in plan.grids]
    for code, name, households in rows:
        ex = plan.existing.get(code)
        if ex is None:
            continue
        changed = False
        if ex.name != name:
            renamed.append(Area(pk=ex.id, name=name))
            changed = True
        if households is not None and ex.households_planned != households:
            resized.append(Area(pk=ex.id, households_planned=households))
            changed = True
        summary.unchanged += not changed
    Area.objects.bulk_update(renamed, ["name"], batch_size=_BATCH)
    Area.objects.bulk_update(resized, ["households_planned"], batch_size=_BATCH)
    summary.renamed, summary.resized = len(renamed), len(resized)


def _assign_grid_workers(plan: areas_io.ImportPlan, placed) -> int:
    """Create the missing grid-worker assignments; existing ones are kept as they are."""
    wanted = {
        (plan.user_ids[u], placed[g.code][0])
        for g in plan.grids
        for u in g.workers
        if u in plan.user_ids
    }
    if not wanted:
        return 0
    area_ids = sorted({a for _, a in wanted})
    have: set[tuple[int, int]] = set()
    for i in range(0, len(area_ids), _BATCH):
        have.update(
            Assignment.objects.filter(
                role=Role.GRID_WORKER, area_id__in=area_ids[i : i + _BATCH]
            ).values_list("user_id", "area_id")
        )
    missing = sorted(wanted - have)
    Assignment.objects.bulk_create(
        [Assignment(user_id=u, area_id=a, role=Role.GRID_WORKER) for u, a in missing],
        batch_size=_BATCH,
    )
    return len(missing)


def record_tree_export(*, actor, file_format: str, actor_name: str = "") -> None:
    """An export of the whole tree is recorded like a change."""
    with transaction.atomic():
        record(
            "area.export",
            actor=actor,
            actor_name=actor_name,
            object_type="areas.area",
            detail={"format": file_format},
        )
