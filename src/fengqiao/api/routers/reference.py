"""Reference data for clients: categories, units and the area tree, each scoped to what
the caller may see."""

from django.db.models import Q
from ninja import Path, Query, Router, Schema
from pydantic import Field

from fengqiao.areas import access, paths
from fengqiao.areas.access import Perm
from fengqiao.areas.models import Area
from fengqiao.cases.models import Category, CategoryGroup
from fengqiao.units.models import Unit, UnitKind

from .. import lookups, present
from ..errors import ErrorOut
from ..schemas import AreaOut, CategoryOut, Id, UnitOut, text

router = Router(tags=["基础数据"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut}


@router.get("/categories", response={200: list[CategoryOut], **ERRORS}, summary="事项类别")
def list_categories(request, group: CategoryGroup | None = None):
    qs = Category.objects.filter(is_active=True).select_related("parent")
    if group:
        qs = qs.filter(group=group)
    return [present.category_of(c) for c in qs]


class UnitFilters(Schema):
    area: text(20) | None = Field(None, description="区域代码，含下级")
    kind: UnitKind | None = None


def units_in_reach(user):
    """Units in the caller's areas and above them (where a case may be sent up to)."""
    roots = access.area_paths_for(user, Perm.AREA_VIEW)
    if "" in roots:
        return Unit.objects.all()
    above = {root[:i] for root in roots for i in range(paths.SEGMENT, len(root), paths.SEGMENT)}
    mine = Unit.objects.of_user(user).values("pk")
    return Unit.objects.filter(
        paths.any_subtree_q("area_path", roots) | Q(area_path__in=above) | Q(pk__in=mine)
    )


@router.get("/units", response={200: list[UnitOut], **ERRORS}, summary="承办单位")
def list_units(request, filters: Query[UnitFilters]):
    qs = units_in_reach(request.auth).filter(is_active=True).select_related("area")
    if filters.area:
        qs = qs.within(lookups.visible_area_or_none(request.auth, filters.area))
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    return [
        {
            "id": u.pk,
            "name": u.name,
            "kind": u.kind,
            "kind_label": u.get_kind_display(),
            "scope": u.scope,
            "area": present.area_of(u.area),
            "is_active": u.is_active,
        }
        for u in qs.order_by("area_path", "name")[:1000]
    ]


@router.get("/areas", response={200: list[AreaOut], **ERRORS}, summary="我的顶层区域")
def top_areas(request):
    return [present.area_of(a) for a in access.top_areas(request.auth)]


@router.get(
    "/areas/{area_id}/children", response={200: list[AreaOut], **ERRORS}, summary="下级区域"
)
def area_children(request, area_id: Path[Id]):
    area = access.get_for_user_or_404(
        Area.objects.all(), request.auth, Perm.AREA_VIEW, field="path", pk=area_id
    )
    return [present.area_of(a) for a in area.children.order_by("path")]
