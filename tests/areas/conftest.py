"""Sample files in the shape of the statistical division list, and the personas."""

import pytest

from fengqiao.areas import actions
from fengqiao.areas import io as areas_io

AREAS_CSV = """区划代码,名称,上级代码,层级
150600000000,鄂尔多斯市,,市级
150621000000,达拉特旗,150600000000,县级
150621100000,白泥井镇,150621000000,乡级
150621100201,白泥井村,150621100000,村级
150621100202,三份子村,150621100000,村级
150602000000,东胜区,150600000000,县级
150602001000,工业街道,150602000000,乡级
150602001001,工业社区,150602001000,村级
"""

GRIDS_CSV = """网格编码,网格名称,所属社区代码,户数,网格员
150621100201001,白泥井村第1网格,150621100201,300,gw_bainijing
150621100201002,白泥井村第2网格,150621100201,280,
150602001001001,工业社区第1网格,150602001001,450,gw_gongye
"""


def tables(areas: str = AREAS_CSV, grids: str | None = GRIDS_CSV):
    area_table, _ = areas_io.read_tables(areas.encode(), "areas.csv")
    grid_table = areas_io.read_grid_table(grids.encode(), "grids.csv") if grids else None
    return area_table, grid_table


def import_text(areas: str = AREAS_CSV, grids: str | None = GRIDS_CSV, actor=None):
    area_table, grid_table = tables(areas, grids)
    return actions.import_tree(actor=actor, area_table=area_table, grid_table=grid_table)


@pytest.fixture
def imported(db):
    """The sample tree, imported by the system."""
    return import_text()
