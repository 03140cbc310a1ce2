import pytest

from fengqiao.areas import codes
from fengqiao.areas.models import Level


@pytest.mark.parametrize(
    ("code", "level", "parent"),
    [
        ("150600000000", Level.CITY, ""),
        ("150621000000", Level.DISTRICT, "150600000000"),
        ("150621100000", Level.TOWN, "150621000000"),
        ("150621100201", Level.COMMUNITY, "150621100000"),
        ("441900003000", Level.TOWN, "441900000000"),  # 东莞: towns directly under the city
    ],
)
def test_level_and_parent_follow_the_code_structure(code, level, parent):
    assert codes.level_of(code) == level
    assert codes.parent_code_of(code, level) == parent


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("15062110020", "12位数字"),
        ("15062110020X", "12位数字"),
        ("001234000000", "省级部分"),
        ("150000000000", "省级区划"),
        ("150021000000", "地级部分"),
        ("150621000201", "乡级部分"),
    ],
)
def test_malformed_codes_are_refused_with_a_reason(code, reason):
    with pytest.raises(codes.CodeError, match=reason):
        codes.level_of(code)


@pytest.mark.parametrize(
    ("code", "known"),
    [
        ("150600000000", True),  # 鄂尔多斯市
        ("150621000000", True),  # 达拉特旗
        ("150699000000", False),
        ("159900000000", False),
        ("110100000000", True),  # 北京市市辖区: no GB/T 2260 code of its own
        ("150100000000", True),  # 呼和浩特市
        ("990100000000", False),
    ],
)
def test_county_level_and_above_codes_are_checked_against_gbt2260(code, known):
    assert codes.is_in_gbt2260(code) is known
