"""Turning codes, ids and usernames from a request into rows, with a field message for
anything unknown. Rows outside the caller's reach read as unknown, like a 404."""

from django.contrib.auth import get_user_model

from fengqiao.areas import access
from fengqiao.areas.access import Perm
from fengqiao.areas.models import Area
from fengqiao.cases.models import Category
from fengqiao.core.rows import Read, first_of
from fengqiao.units.models import Unit

from .errors import ApiError


class FieldErrors:
    """Collects field messages so that one answer names every bad field at once."""

    def __init__(self):
        self.fields: dict[str, list[str]] = {}

    def add(self, name: str, message: str) -> None:
        self.fields.setdefault(name, []).append(message)

    def raise_if_any(self) -> None:
        if self.fields:
            raise ApiError("invalid", "输入有误，请检查各字段。", fields=self.fields)


def unknown(field: str, message: str) -> ApiError:
    return ApiError("unknown_code", message, field=field)


# Read on every intake: compiled once (see core.rows.Read).
_ACTIVE_CATEGORY = Read(
    lambda code: first_of(Category.objects.filter(code=code, is_active=True)), str
)
_AREA = Read(lambda code: first_of(Area.objects.filter(code=code)), str)


def category_by_code(code: str, field: str = "category") -> Category:
    category = _ACTIVE_CATEGORY.first(code)
    if category is None:
        raise unknown(field, f"类别编码不存在：{code}")
    return category


def area_by_code(code: str, field: str) -> Area:
    area = Area.objects.filter(code=code).first()
    if area is None:
        raise unknown(field, f"区域代码不存在：{code}")
    return area


def area_in_reach(user, code: str, perm: str, field: str = "area") -> Area:
    """An area where ``user`` holds ``perm``; missing and out of reach read the same."""
    # Codes are unique: read the area, then ask the grants already read for this user
    # (the same subtree test as a scoped query, without compiling one).
    area = _AREA.first(code)
    if area is None or not access.has_perm(user, perm, area):
        raise unknown(field, f"区域代码不存在或不在您的辖区内：{code}")
    return area


def unit_by_id(pk: int | None, field: str = "unit") -> Unit | None:
    if pk is None:
        return None
    unit = Unit.objects.filter(pk=pk).select_related("area").first()
    if unit is None:
        raise unknown(field, f"单位不存在：{pk}")
    return unit


_ACTIVE_USER = Read(
    lambda name: first_of(get_user_model().objects.filter(username=name, is_active=True)), str
)


def user_by_name(username: str | None, field: str):
    if not username:
        return None
    user = _ACTIVE_USER.first(username)
    if user is None:
        raise unknown(field, f"用户不存在：{username}")
    return user


def visible_area_or_none(user, code: str | None, field: str = "area") -> Area | None:
    if not code:
        return None
    return area_in_reach(user, code, Perm.AREA_VIEW, field)
